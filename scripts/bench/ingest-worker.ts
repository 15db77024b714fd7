// One timed task in a fresh process, so its peak memory is its own:
//   tsx scripts/bench/ingest-worker.ts caselens|duckdb FILE DBFILE
// prints {"seconds": s, "cpu_seconds": c, "open_seconds": o, "max_rss_mb": m, ...} on stdout.
//
// Both tasks start on an open, empty database file and end with it closed (so the data is on
// disk): `seconds` is the load itself. Opening is timed apart (`open_seconds`): for Caselens it
// creates the schema, which a real import finds already there.
import { rmSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDatabase } from '../../src/lib/core/db/database.server';
import { ingestFile } from '../../src/lib/imports/ingest-file.server';

const [task, file, dbFile] = process.argv.slice(2);
for (const f of [dbFile, `${dbFile}.wal`]) rmSync(f, { force: true });

let extra: Record<string, unknown> = {};
const opened = performance.now();
let started = opened;
let cpuAtStart = process.cpuUsage();
const start = () => {
	started = performance.now();
	cpuAtStart = process.cpuUsage();
};
if (task === 'duckdb') {
	const instance = await DuckDBInstance.create(dbFile);
	const connection = await instance.connect();
	start();
	await connection.run(`CREATE TABLE cases AS SELECT * FROM read_csv('${file.replaceAll("'", "''")}')`);
	connection.closeSync();
	instance.closeSync();
} else if (task === 'caselens') {
	const open = await openDatabase(dbFile);
	start();
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
const cpu = process.cpuUsage(cpuAtStart);
console.log(
	JSON.stringify({
		task,
		seconds,
		cpu_seconds: (cpu.user + cpu.system) / 1e6,
		open_seconds: (started - opened) / 1000,
		max_rss_mb: process.resourceUsage().maxRSS / 1024,
		...extra
	})
);
