// One timed task in a fresh process, so its peak memory is its own:
//   tsx scripts/bench/ingest-worker.ts caselens|duckdb FILE DBFILE
// prints {"seconds": s, "max_rss_mb": m, ...} on stdout.
import { rmSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDatabase } from '../../src/lib/server/db/database';
import { ingestFile } from '../../src/lib/server/ingest/ingest-file';

const [task, file, dbFile] = process.argv.slice(2);
for (const f of [dbFile, `${dbFile}.wal`]) rmSync(f, { force: true });

let extra: Record<string, unknown> = {};
const started = performance.now();
if (task === 'duckdb') {
	const instance = await DuckDBInstance.create(dbFile);
	const connection = await instance.connect();
	await connection.run(`CREATE TABLE cases AS SELECT * FROM read_csv('${file.replaceAll("'", "''")}')`);
	connection.closeSync();
	instance.closeSync();
} else if (task === 'caselens') {
	const open = await openDatabase(dbFile);
	const summary = await ingestFile(open.db, {
		path: file,
		kind: 'cases',
		importedBy: 'bench',
		source: 'cli',
		archiveDir: `${dbFile}.archive`,
		maxBytes: Number.MAX_SAFE_INTEGER
	});
	await open.close();
	rmSync(`${dbFile}.archive`, { recursive: true, force: true });
	extra = { rows_read: summary.rows_read, accepted: summary.accepted, rejected: summary.rejected, timings_ms: summary.timings_ms };
} else {
	throw new Error(`unknown task ${task}`);
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ task, seconds, max_rss_mb: process.resourceUsage().maxRSS / 1024, ...extra }));
