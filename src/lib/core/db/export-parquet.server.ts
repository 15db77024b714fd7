import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AppError } from '../errors';
import { join, resolve } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { openDatabase, type OpenDatabase } from './database.server';
import type { Database } from './schema';

/**
 * The tables the metric SQL reads: cases and feedback for every number, policy_versions for the
 * rules and targets, import_batches for the import filter and the data version the caches key
 * on. The big two are partitioned by the month of their own date, so an engine that prunes hive
 * partitions reads only the months a period asks for; the small two are one file each.
 */
export const EXPORT_TABLES = [
	{ table: 'cases', dateColumn: 'created_at' },
	{ table: 'feedback', dateColumn: 'submitted_at' },
	{ table: 'import_batches' },
	{ table: 'policy_versions' }
] as const satisfies readonly { table: keyof Database; dateColumn?: string }[];

export type ExportTable = (typeof EXPORT_TABLES)[number]['table'];

/** The hive partition key: `cases/month=2026-01/data_0.parquet`. */
export const PARTITION_COLUMN = 'month';
const MANIFEST = 'manifest.json';
const FORMAT = 'caselens-parquet-export';

export interface ExportedTable {
	table: ExportTable;
	rows: number;
	files: number;
	/** Partition values written, oldest first; empty for unpartitioned tables. */
	months: string[];
	partitioned_by: { column: string; from: string } | null;
	/** Name and DuckDB type of each column, in table order. */
	columns: { name: string; type: string }[];
}

export interface ExportManifest {
	format: typeof FORMAT;
	version: 1;
	exported_at: string;
	source: string;
	tables: ExportedTable[];
}

export interface ExportSummary extends ExportManifest {
	out: string;
	seconds: number;
}

/** Why a folder cannot take an export; the CLI shows `message` and `hint` as they are. */
export class ExportRefused extends AppError {
	constructor(message: string, hint: string) {
		super('export_refused', message, hint, 409);
		this.name = 'ExportRefused';
	}
}

// COPY ... TO and read_parquet take their paths as literals, not parameters.
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

function readManifest(dir: string): ExportManifest | undefined {
	const path = join(dir, MANIFEST);
	if (!existsSync(path)) return undefined;
	const manifest = JSON.parse(readFileSync(path, 'utf8')) as ExportManifest;
	return manifest.format === FORMAT ? manifest : undefined;
}

/**
 * Only a previous export is ever overwritten, and only the entries an export writes are removed:
 * `--overwrite` pointed at the wrong folder must not be able to delete anything else in it.
 */
function prepareOutDir(out: string, overwrite: boolean): void {
	if (!existsSync(out)) return void mkdirSync(out, { recursive: true });
	const entries = readdirSync(out);
	if (entries.length === 0) return;
	if (!overwrite) {
		throw new ExportRefused(`${out} is not empty.`, 'Choose a new or empty folder, or add --overwrite to replace a previous Caselens export in it.');
	}
	if (!readManifest(out)) {
		throw new ExportRefused(`${out} is not empty and holds no Caselens export (no ${MANIFEST}), so --overwrite will not touch it.`, 'Choose a new or empty folder.');
	}
	for (const { table, ...rest } of EXPORT_TABLES) {
		rmSync(join(out, 'dateColumn' in rest ? table : `${table}.parquet`), { recursive: true, force: true });
	}
	rmSync(join(out, MANIFEST), { force: true });
}

function parquetFiles(dir: string): string[] {
	if (!existsSync(dir)) return [];
	return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.parquet')).sort();
}

/**
 * Writes the tables the metrics read as Parquet under `outDir`, one snapshot of the database, with
 * a manifest of row counts and column types written last: a folder with a manifest is a complete
 * export, and the types let an empty table still open as a view (a partitioned COPY of no rows
 * writes no file to read a schema from).
 */
export async function exportParquet(
	db: Kysely<Database>,
	outDir: string,
	options: { overwrite?: boolean; source?: string; onProgress?: (message: string) => void } = {}
): Promise<ExportSummary> {
	const started = performance.now();
	const out = resolve(outDir);
	prepareOutDir(out, options.overwrite ?? false);
	const tables = await db.transaction().execute(async (trx) => {
		const written: ExportedTable[] = [];
		for (const spec of EXPORT_TABLES) {
			const { table } = spec;
			options.onProgress?.(`Writing ${table}`);
			const columns = (await sql<{ name: string; type: string }>`SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = ${table} AND table_schema = 'main' ORDER BY ordinal_position`.execute(trx)).rows;
			const rows = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(trx)).rows[0].n);
			if ('dateColumn' in spec) {
				const target = join(out, table);
				if (rows > 0) {
					// ZSTD: smaller than the default Snappy, and read by Trino, Spark and MotherDuck alike.
					await sql.raw(`COPY (SELECT *, strftime(${ident(spec.dateColumn)}, '%Y-%m') AS ${PARTITION_COLUMN} FROM ${ident(table)})
						TO ${literal(target)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${PARTITION_COLUMN}))`).execute(trx);
				} else mkdirSync(target, { recursive: true });
				const files = parquetFiles(target);
				const months = [...new Set(files.map((f) => new RegExp(`${PARTITION_COLUMN}=([^/\\\\]+)`).exec(f)?.[1]).filter((m): m is string => !!m))].sort();
				written.push({ table, rows, files: files.length, months, partitioned_by: { column: PARTITION_COLUMN, from: spec.dateColumn }, columns });
			} else {
				await sql.raw(`COPY ${ident(table)} TO ${literal(join(out, `${table}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`).execute(trx);
				written.push({ table, rows, files: 1, months: [], partitioned_by: null, columns });
			}
		}
		return written;
	});
	const manifest: ExportManifest = { format: FORMAT, version: 1, exported_at: new Date().toISOString(), source: options.source ?? '', tables };
	writeFileSync(join(out, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
	return { ...manifest, out, seconds: (performance.now() - started) / 1000 };
}

function viewSql(dir: string, t: ExportedTable): string {
	const list = t.columns.map((c) => ident(c.name)).join(', ');
	if (t.rows === 0) {
		return `SELECT ${t.columns.map((c) => `CAST(NULL AS ${c.type}) AS ${ident(c.name)}`).join(', ')} WHERE false`;
	}
	if (t.partitioned_by) {
		// The partition column is left out so `SELECT *` and the column order match the database.
		return `SELECT ${list} FROM read_parquet(${literal(join(dir, t.table, '*', '*.parquet'))}, hive_partitioning = true)`;
	}
	return `SELECT ${list} FROM read_parquet(${literal(join(dir, `${t.table}.parquet`))})`;
}

/**
 * A DuckDB over a Parquet export with the metric tables as views named like them, so the metric
 * functions run on it unchanged. It starts as an empty in-memory database with every migration
 * applied, so the rest of the schema (accounts, audits, friction items) exists and reads as empty
 * instead of failing; the views are read-only, and anything that writes needs the database itself.
 */
export async function openParquetExport(dir: string): Promise<OpenDatabase> {
	const absolute = resolve(dir);
	const manifest = readManifest(absolute);
	if (!manifest) throw new ExportRefused(`${absolute} holds no Caselens Parquet export (no ${MANIFEST}).`, 'Point at the folder given to "caselens export parquet --out".');
	const open = await openDatabase(':memory:');
	try {
		for (const t of manifest.tables) {
			await sql.raw(`DROP TABLE ${ident(t.table)}`).execute(open.db);
			await sql.raw(`CREATE VIEW ${ident(t.table)} AS ${viewSql(absolute, t)}`).execute(open.db);
		}
	} catch (error) {
		await open.close();
		throw error;
	}
	return { ...open, path: absolute };
}
