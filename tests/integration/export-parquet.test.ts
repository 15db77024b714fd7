import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { OpenDatabase } from '../../src/lib/core/db/database.server';
import { EXPORT_TABLES, openParquetExport, type ExportSummary } from '../../src/lib/core/db/export-parquet.server';
import type { Database } from '../../src/lib/core/db/schema';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { complianceReport } from '../../src/lib/metrics/compliance/compliance.server';
import { csatReport } from '../../src/lib/metrics/csat/csat.server';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { speedReport } from '../../src/lib/metrics/speed/speed.server';
import { holdDatabase, type LockHolder } from '../helpers/lock-holder';
import { runCli } from '../helpers/run-cli';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

const END = new Date('2026-06-01T00:00:00Z');
let f: IngestFixture;
let dbPath: string;
let outDir: string;
let exported: ExportSummary;
let live: OpenDatabase;
let parquet: OpenDatabase;

const run = (args: string[]) => runCli(args);

beforeAll(async () => {
	f = await ingestFixture('export.duckdb');
	dbPath = join(f.dir, 'export.duckdb');
	// 150 days: five or six month partitions, enough cases per month for every metric to have numbers.
	const demo = await writeDemoFiles(f.dir, { cases: 6_000, seed: 3, end: END, days: 150 });
	await f.ingest(demo.casesPath, { kind: 'cases' });
	await f.ingest(demo.feedbackPath, { kind: 'feedback' });
	// A second policy version, so the views must serve the current one, not the first.
	await sql`INSERT INTO policy_versions SELECT version + 1, replace(body, '"refund_max_days":10', '"refund_max_days":7'), 'test edit', 'test', now()::TIMESTAMP FROM policy_versions`.execute(f.db);
	await f.open.close();
	outDir = join(f.dir, 'parquet');
	const result = await run(['export', 'parquet', '--out', outDir, '--db', dbPath, '--json']);
	expect(result.code, result.err).toBe(0);
	exported = JSON.parse(result.out) as ExportSummary;
	const { openDatabase } = await import('../../src/lib/core/db/database.server');
	live = await openDatabase(dbPath);
	parquet = await openParquetExport(outDir);
}, 120_000);

afterAll(async () => {
	await parquet?.close();
	await live?.close();
	await f?.dispose();
});

/**
 * Deep equality of two reports as the JSON endpoints send them, except that a fractional number
 * may differ in its last digits: DuckDB adds doubles in whatever order its threads finish, so a
 * sum (a mean, a test statistic) can move by 1e-16 relative between two runs on the same database
 * (measured on 50,000 demo cases: fairness differed between two runs on the database itself).
 * Counts, strings, nulls, the structure and every integer must match exactly. Returns how many
 * numbers were compared, so a test can see that it compared something.
 */
function expectSameReport(actual: unknown, expected: unknown): number {
	let numbers = 0;
	const walk = (a: unknown, e: unknown, path: string): void => {
		if (typeof e === 'number' && typeof a === 'number' && !Number.isInteger(e)) {
			numbers++;
			if (Math.abs(a - e) > 1e-12 * Math.max(1, Math.abs(e))) expect(a, path).toBe(e);
			return;
		}
		if (e === null || typeof e !== 'object' || a === null || typeof a !== 'object') {
			if (typeof e === 'number') numbers++;
			expect(a, path).toStrictEqual(e);
			return;
		}
		expect(Array.isArray(a), path).toBe(Array.isArray(e));
		expect(Object.keys(a), path).toEqual(Object.keys(e));
		for (const key of Object.keys(e)) walk((a as Record<string, unknown>)[key], (e as Record<string, unknown>)[key], `${path}.${key}`);
	};
	walk(JSON.parse(JSON.stringify(actual)), JSON.parse(JSON.stringify(expected)), 'report');
	return numbers;
}

const count = async (db: Kysely<Database>, table: string) => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db)).rows[0].n);

describe('the Parquet export', () => {
	test('every exported table has the same rows in the views as in the database, and the manifest says so', async () => {
		for (const { table } of EXPORT_TABLES) {
			const n = await count(live.db, table);
			expect(await count(parquet.db, table), table).toBe(n);
			expect(exported.tables.find((t) => t.table === table)?.rows, table).toBe(n);
		}
		expect(await count(live.db, 'cases')).toBe(6_000);
		expect(await count(live.db, 'policy_versions')).toBe(2);
		// Not a count coincidence: the same rows, every column (equal counts, so one direction of EXCEPT ALL suffices).
		const diff = await sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT * FROM cases EXCEPT ALL SELECT * EXCLUDE (month) FROM read_parquet(${join(outDir, 'cases', '*', '*.parquet')}, hive_partitioning = true))`.execute(live.db);
		expect(Number(diff.rows[0].n)).toBe(0);
	});

	test('cases and feedback are written as one hive partition per month of their date', async () => {
		for (const [table, column] of [['cases', 'created_at'], ['feedback', 'submitted_at']] as const) {
			const { rows } = await sql<{ month: string; n: number }>`SELECT strftime(${sql.ref(column)}, '%Y-%m') AS month, count(*) AS n FROM ${sql.table(table)} GROUP BY 1 ORDER BY 1`.execute(live.db);
			expect(rows.length, table).toBeGreaterThanOrEqual(5);
			expect(readdirSync(join(outDir, table)).sort(), table).toEqual(rows.map((r) => `month=${r.month}`));
			expect(exported.tables.find((t) => t.table === table)?.months).toEqual(rows.map((r) => r.month));
			// Each month's folder holds exactly that month's rows.
			for (const r of rows) {
				const inFolder = await sql<{ n: number; off: number }>`SELECT count(*) AS n, count(*) FILTER (WHERE strftime(${sql.ref(column)}, '%Y-%m') <> ${r.month}) AS off
					FROM read_parquet(${join(outDir, table, `month=${r.month}`, '*.parquet')})`.execute(live.db);
				expect([Number(inFolder.rows[0].n), Number(inFolder.rows[0].off)], `${table} ${r.month}`).toEqual([Number(r.n), 0]);
			}
		}
		expect(existsSync(join(outDir, 'policy_versions.parquet'))).toBe(true);
		expect(existsSync(join(outDir, 'import_batches.parquet'))).toBe(true);
	});

	test('the views have the columns and types of the tables, in order', async () => {
		const columns = (db: Kysely<Database>, table: string) =>
			sql<{ column_name: string; data_type: string }>`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ${table} ORDER BY ordinal_position`.execute(db).then((r) => r.rows);
		for (const { table } of EXPORT_TABLES) {
			const expected = await columns(live.db, table);
			expect(expected.length, table).toBeGreaterThan(3);
			expect(await columns(parquet.db, table), table).toEqual(expected);
		}
	});
});

describe('the metric SQL runs unchanged over the Parquet views', () => {
	const all = parseFilters(new URLSearchParams());
	const filtered = parseFilters(new URLSearchParams('range=90d&channel=chat,email'));

	test.each([
		['first_response', 'region', all],
		['resolution', 'team', all],
		['first_response', 'channel', filtered],
		['resolution', 'region', filtered]
	] as const)('speed %s by %s: the same report from both', async (measure, by, filters) => {
		const options = { measure, by, filters, grain: 'month' as const, today: END };
		const fromDb = await speedReport(live.db, options);
		expect(fromDb.not_testable).toBeNull();
		expect(fromDb.groups.length).toBeGreaterThan(1);
		expect(expectSameReport(await speedReport(parquet.db, options), fromDb)).toBeGreaterThan(20);
	});

	test('compliance by team reads the current policy version from the export too', async () => {
		const fromDb = await complianceReport(live.db, { filters: all, by: 'team', today: END });
		expect([fromDb.policy_version, fromDb.policy.refund_max_days]).toEqual([2, 7]);
		expect(fromDb.rules.some((r) => r.flagged > 0)).toBe(true);
		expect(expectSameReport(await complianceReport(parquet.db, { filters: all, by: 'team', today: END }), fromDb)).toBeGreaterThan(20);
	});

	test('CSAT by region over the feedback-to-case join', async () => {
		const options = { filters: filtered, by: 'region' as const, grain: 'week' as const, today: END };
		const fromDb = await csatReport(live.db, options);
		expect(fromDb.overall.rated).toBeGreaterThan(100);
		expect(expectSameReport(await csatReport(parquet.db, options), fromDb)).toBeGreaterThan(20);
	});

	test('the import filter works on the exported import_batches', async () => {
		const { batch_id } = await live.db.selectFrom('import_batches').select('batch_id').where('kind', '=', 'cases').executeTakeFirstOrThrow();
		const batch = parseFilters(new URLSearchParams(`batch=${batch_id}`));
		const options = { measure: 'resolution' as const, by: 'channel' as const, filters: batch, today: END };
		const fromDb = await speedReport(live.db, options);
		expect(fromDb.overall.n).toBe(6_000);
		expect(expectSameReport(await speedReport(parquet.db, options), fromDb)).toBeGreaterThan(20);
	});
});

describe('caselens export parquet', () => {
	test('refuses a non-empty folder, and --overwrite replaces only a previous export', async () => {
		const other = join(f.dir, 'not-an-export');
		await mkdir(other);
		await writeFile(join(other, 'keep.txt'), 'mine');
		await live.close();
		try {
			const refused = await run(['export', 'parquet', '--out', other, '--db', dbPath]);
			expect(refused.code).toBe(1);
			expect(refused.err).toContain('not empty');
			const stillRefused = await run(['export', 'parquet', '--out', other, '--db', dbPath, '--overwrite']);
			expect(stillRefused.code).toBe(1);
			expect(stillRefused.err).toContain('holds no Caselens export');
			expect(readdirSync(other)).toEqual(['keep.txt']);

			const again = await run(['export', 'parquet', '--out', outDir, '--db', dbPath]);
			expect(again.code).toBe(1);
			const replaced = await run(['export', 'parquet', '--out', outDir, '--db', dbPath, '--overwrite']);
			expect(replaced.code, replaced.err).toBe(0);
			expect(replaced.out).toMatch(/cases\s+6,000 rows/);
		} finally {
			const { openDatabase } = await import('../../src/lib/core/db/database.server');
			live = await openDatabase(dbPath);
		}
	});

	test('an empty database exports too, and its views are empty tables of the same columns', async () => {
		const { openDatabase } = await import('../../src/lib/core/db/database.server');
		const emptyPath = join(f.dir, 'empty.duckdb');
		await (await openDatabase(emptyPath)).close();
		const out = join(f.dir, 'empty-export');
		const result = await run(['export', 'parquet', '--out', out, '--db', emptyPath, '--json']);
		expect(result.code, result.err).toBe(0);
		const summary = JSON.parse(result.out) as ExportSummary;
		expect(summary.tables.map((t) => [t.table, t.rows, t.months.length])).toEqual([['cases', 0, 0], ['feedback', 0, 0], ['import_batches', 0, 0], ['policy_versions', 1, 0]]);
		const views = await openParquetExport(out);
		const emptyDb = await openDatabase(emptyPath);
		try {
			for (const { table } of EXPORT_TABLES) expect(await count(views.db, table), table).toBe(await count(emptyDb.db, table));
			const options = { measure: 'first_response' as const, filters: parseFilters(new URLSearchParams()), by: 'region' as const, today: END };
			const fromDb = await speedReport(emptyDb.db, options);
			expect(fromDb.not_testable).not.toBeNull();
			expectSameReport(await speedReport(views.db, options), fromDb);
		} finally {
			await views.close();
			await emptyDb.close();
		}
	});

	test('wrong usage exits 2', async () => {
		expect((await run(['export', 'csv', '--out', join(f.dir, 'x')])).code).toBe(2);
		expect((await run(['export', 'parquet'])).code).toBe(2);
	});

	describe('while another process holds the database', () => {
		let holder: LockHolder | undefined;

		afterAll(async () => {
			await holder?.stop();
		});

		test('says who holds it and that it must be stopped for the export', async () => {
			const path = join(f.dir, 'held.duckdb');
			holder = await holdDatabase(path);
			const result = await run(['export', 'parquet', '--out', join(f.dir, 'held-export'), '--db', path, '--json']);
			expect(result.code).toBe(1);
			const body = JSON.parse(result.out) as { code: string; message: string; hint: string };
			expect(body.code).toBe('database_locked');
			expect(body.message).toContain(`PID ${holder.pid}`);
			expect(body.hint).toMatch(/^Stop that process/);
			expect(existsSync(join(f.dir, 'held-export'))).toBe(false);
		});
	});
});
