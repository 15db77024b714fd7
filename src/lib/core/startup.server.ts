import { appConfig, listenAddress, loadDemoOnStart } from './config.server';
import { getDatabase, isEmpty } from './db/database.server';
import { countUsers } from './auth/users.server';
import { purgeExpiredSessions } from './auth/sessions.server';
import { demoAccountLines, loadDemo } from '../demo/load-demo.server';
import { registerServer, type ServerEntry } from './server-registry.server';
import { describeRecovery, recoverInterruptedImports } from '../imports/recovery.server';
import { drawDueSamples } from '../audits/recurring.server';

let entry: ServerEntry | undefined;

export function serverEntry(): ServerEntry | undefined {
	return entry;
}

function localUrl(): string {
	const { host, port, origin } = listenAddress();
	if (origin) return origin;
	return `http://${!host || host === '0.0.0.0' ? 'localhost' : host}:${port}`;
}

/**
 * Runs once when the server starts: opens the database (migrating it), fills an empty one with
 * demo data when asked to (npm start does), and registers the server so the CLI can hand imports
 * to it while it holds the database file.
 */
export async function startServer(): Promise<void> {
	const config = appConfig();
	const { db } = await getDatabase();
	const recovered = describeRecovery(await recoverInterruptedImports(db, config.archiveDir));
	if (recovered) console.log(`Caselens: ${recovered}.`);
	if (loadDemoOnStart() && config.demoCases > 0 && (await isEmpty(db))) {
		console.log(`Caselens: ${config.dbPath} is empty; loading demo data (${config.demoCases.toLocaleString('en')} cases, seed 42)...`);
		const demo = await loadDemo(db, {
			cases: config.demoCases,
			seed: 42,
			archiveDir: config.archiveDir,
			maxBytes: Number.MAX_SAFE_INTEGER,
			importedBy: 'system:demo'
		});
		console.log(
			`Caselens: demo data loaded in ${demo.seconds.toFixed(1)} s: ${demo.cases.accepted.toLocaleString('en')} cases, ${demo.feedback.accepted.toLocaleString('en')} feedback answers (planted effects: docs/demo-data.md).`
		);
		if (demo.accounts) for (const line of demoAccountLines(demo.accounts)) console.log(`Caselens: ${line}`);
	}
	// Expired sessions are refused anyway; purging keeps the table (and a stolen copy of it) small.
	await purgeExpiredSessions(db);
	setInterval(() => void purgeExpiredSessions(db).catch((error) => console.error('Caselens: could not purge expired sessions:', error)), 60 * 60_000).unref();
	// Recurring audit samples due while the server was down are drawn now, and then hourly, so a
	// reviewer's weekly assignment appears without anyone opening the Audits page.
	const drawDue = () =>
		drawDueSamples(db)
			.then((drawn) => drawn.length && console.log(`Caselens: ${drawn.length} recurring audit sample${drawn.length === 1 ? '' : 's'} drawn.`))
			.catch((error) => console.error('Caselens: could not draw the recurring audit samples:', error));
	await drawDue();
	setInterval(() => void drawDue(), 60 * 60_000).unref();
	if ((await countUsers(db)) === 0) {
		console.log('Caselens: there are no accounts yet. Create the first administrator with: npx caselens user add NAME --role admin');
	}
	if (config.dbPath !== ':memory:') entry = registerServer(config.dbPath, localUrl());
	console.log(`Caselens: database ${config.dbPath}; dashboard at ${localUrl()}`);
}
