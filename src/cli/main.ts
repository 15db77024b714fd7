import { isHttpError } from '@sveltejs/kit';
import { AppError } from '../lib/core/errors';
import { UsageError } from './args';
import { auditCommand, auditHelp } from './commands/audit';
import { demoCommand, demoHelp } from './commands/demo';
import { exportCommand, exportHelp } from './commands/export';
import { frictionCommand, frictionHelp } from './commands/friction';
import { ingestCommand, ingestHelp } from './commands/ingest';
import { metricsCommand, metricsHelp } from './commands/metrics';
import { reportCommand, reportHelp } from './commands/report';
import { userCommand, userHelp } from './commands/user';

const commands: Record<string, { run: (args: string[]) => Promise<number>; help: string }> = {
	ingest: { run: ingestCommand, help: ingestHelp },
	demo: { run: demoCommand, help: demoHelp },
	metrics: { run: metricsCommand, help: metricsHelp },
	audit: { run: auditCommand, help: auditHelp },
	friction: { run: frictionCommand, help: frictionHelp },
	report: { run: reportCommand, help: reportHelp },
	export: { run: exportCommand, help: exportHelp },
	user: { run: userCommand, help: userHelp }
};

const overview = `caselens: quality-assurance analytics for customer-service teams

Commands:
${Object.values(commands)
	.map((c) => `  ${c.help.split('\n')[0]}`)
	.join('\n')}

Run "caselens help COMMAND" for its options. The database is $CASELENS_DB or
data/caselens.duckdb; --db overrides it.`;

/** Exit codes: 0 done, 1 the input or the database refused the work, 2 wrong usage. */
export async function main(argv: string[]): Promise<number> {
	const [name, ...rest] = argv;
	if (!name || name === 'help' || name === '--help' || name === '-h') {
		const topic = rest[0] && commands[rest[0]];
		console.log(topic ? topic.help : overview);
		return 0;
	}
	const command = commands[name];
	if (!command) {
		console.error(`caselens: unknown command "${name}"\n\n${overview}`);
		return 2;
	}
	if (rest.includes('--help') || rest.includes('-h')) {
		console.log(command.help);
		return 0;
	}
	try {
		return await command.run(rest);
	} catch (error) {
		if (error instanceof UsageError) {
			console.error(`caselens ${name}: ${error.message}\n\n${command.help}`);
			return 2;
		}
		// The URL parsers shared with the pages refuse a bad filter (an impossible date, a batch that
		// is not a number) with a 400; on the command line that is a usage error.
		if (isHttpError(error) && error.status === 400) {
			console.error(`caselens ${name}: ${error.body.message}`);
			return 2;
		}
		if (error instanceof AppError) {
			const wantsJson = rest.includes('--json');
			if (wantsJson) console.log(JSON.stringify(error.problem));
			console.error(`caselens ${name}: ${error.message}\n  ${error.hint}`);
			return 1;
		}
		console.error(`caselens ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
		return 1;
	}
}
