// Server time of the dashboard's pages on 1M and 10M demo cases (issue 4, part 7).
// Run by `npm run bench`; `--cases 1000000,10000000` chooses the sizes. Each size is generated and
// imported once into data/bench/dashboard-<n>.duckdb and reused by later runs.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { openDatabase } from '../../src/lib/core/db/database.server';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { ingestFile } from '../../src/lib/imports/ingest-file.server';
import { complianceReport } from '../../src/lib/metrics/compliance/compliance.server';
import { csatReport } from '../../src/lib/metrics/csat/csat.server';
import { dimensionValues } from '../../src/lib/metrics/filters/dimension-values.server';
import { speedReport } from '../../src/lib/metrics/speed/speed.server';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '1000000,10000000' }, runs: { type: 'string', default: '3' }, dir: { type: 'string', default: 'data/bench' } } });
const sizes = values.cases.split(',').map(Number);
const runs = Number(values.runs);
const GOALS_MS: Record<number, number> = { 1_000_000: 300, 10_000_000: 2000 };
const END = new Date('2026-11-01T00:00:00Z');

async function prepare(cases: number): Promise<string> {
	mkdirSync(values.dir, { recursive: true });
	const path = join(values.dir, `dashboard-${cases}.duckdb`);
	if (existsSync(path)) return path;
	const tmp = join(values.dir, `dashboard-${cases}-csv`);
	console.log(`Generating and importing ${cases.toLocaleString('en')} demo cases (once; kept in ${path})...`);
	const files = await writeDemoFiles(tmp, { cases, seed: 3, end: END });
	const open = await openDatabase(`${path}.partial`);
	for (const [kind, file] of [['cases', files.casesPath], ['feedback', files.feedbackPath]] as const) {
		const s = await ingestFile(open.db, { path: file, kind, importedBy: 'bench', source: 'cli', archiveDir: join(tmp, 'archive'), maxBytes: Number.MAX_SAFE_INTEGER });
		console.log(`  ${kind}: ${s.accepted.toLocaleString('en')} rows in ${(Object.values(s.timings_ms).reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s`);
	}
	await open.close();
	rmSync(tmp, { recursive: true, force: true });
	const { renameSync } = await import('node:fs');
	renameSync(`${path}.partial`, path);
	if (existsSync(`${path}.partial.wal`)) renameSync(`${path}.partial.wal`, `${path}.wal`);
	return path;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
	const times: number[] = [];
	for (let i = 0; i < runs; i++) {
		const start = performance.now();
		await fn();
		times.push(performance.now() - start);
	}
	return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

for (const cases of sizes) {
	const path = await prepare(cases);
	const open = await openDatabase(path);
	const db = open.db;
	const filters = parseFilters(new URLSearchParams());
	const filtered = parseFilters(new URLSearchParams('range=90d&channel=email'));
	// DuckDB's own floor: one scan computing the quantiles the speed page needs, no app code.
	const floor = await time(() => sql`SELECT region, quantile_cont(epoch(first_response_at - created_at), [0.5, 0.9]) FROM cases GROUP BY region`.execute(db));
	const pages: [string, () => Promise<unknown>][] = [
		['speed (both measures, by region)', () => Promise.all([speedReport(db, { measure: 'first_response', filters, by: 'region', today: END }), speedReport(db, { measure: 'resolution', filters, by: 'region', today: END }), dimensionValues(db)])],
		['speed, filtered (90 days, email)', () => Promise.all([speedReport(db, { measure: 'first_response', filters: filtered, by: 'agent', today: END }), speedReport(db, { measure: 'resolution', filters: filtered, by: 'agent', today: END }), dimensionValues(db)])],
		['compliance (by region)', () => Promise.all([complianceReport(db, { filters, by: 'region', today: END }), dimensionValues(db)])],
		['satisfaction (by region)', () => Promise.all([csatReport(db, { filters, by: 'region', today: END }), dimensionValues(db)])]
	];
	const goal = GOALS_MS[cases];
	console.log(`\n${cases.toLocaleString('en')} cases (median of ${runs}; DuckDB floor = one grouped quantile scan: ${floor.toFixed(0)} ms)`);
	for (const [name, fn] of pages) {
		const ms = await time(fn);
		console.log(`  ${name.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms   ${(ms / floor).toFixed(1).padStart(5)}x floor${goal ? `   goal ${goal} ms: ${ms <= goal ? 'met' : 'MISSED'}` : ''}`);
	}
	await open.close();
}
