import { existsSync } from 'node:fs';
import { appConfig } from '../../lib/core/config.server';
import { openDatabase, type OpenDatabase } from '../../lib/core/db/database.server';
import { exportParquet, ExportRefused } from '../../lib/core/db/export-parquet.server';
import { findServer } from '../../lib/core/server-registry.server';
import { AppError, hasCode } from '../../lib/core/errors';
import { parse, UsageError } from '../args';
import { stepProgress } from '../output';

export const exportHelp = `caselens export parquet --out DIR [--overwrite] [--db PATH] [--json]

Writes the tables the metrics read as Parquet, for a warehouse or a distributed engine
(README.md, Beyond one machine): cases and feedback partitioned by month (hive layout,
DIR/cases/month=2026-01/data_0.parquet, from created_at and submitted_at), import_batches and
policy_versions as one file each, and DIR/manifest.json with row counts and column types.
Rejected rows, accounts, audits and friction items are not exported.

  --out DIR      the folder to write; it must be new or empty
  --overwrite    replace a previous Caselens export in DIR (only its own files are removed)
  --db PATH      the database (default $CASELENS_DB or data/caselens.duckdb)
  --json         print the manifest with the output folder and the seconds taken
DuckDB lets one process open the database file: stop the server before exporting.`;

const fmt = (n: number) => n.toLocaleString('en');

/**
 * Only the server holds the file for long, and unlike imports and metrics, an export cannot be
 * forwarded to it (the server writes no Parquet), so the fix is to stop it for the export.
 */
async function openForExport(dbPath: string): Promise<OpenDatabase> {
	if (!existsSync(dbPath)) {
		throw new AppError('database_unwritable', `There is no database at ${dbPath}.`, 'Point --db (or CASELENS_DB) at the database file the server uses.', 503);
	}
	try {
		return await openDatabase(dbPath);
	} catch (error) {
		if (!hasCode(error, 'database_locked')) throw error;
		const server = findServer(dbPath);
		throw new AppError(
			'database_locked',
			server
				? `The Caselens server (PID ${server.pid}, ${server.url}) holds ${dbPath}; DuckDB lets one process open a database file, so the export cannot read it now.`
				: `${error.message} The export cannot read it while that process runs.`,
			`Stop ${server ? 'the server' : 'that process'} (Ctrl-C in its terminal${server ? `, or kill ${server.pid}` : ''}), run the export, then start it again; the export itself wrote the 50,000 demo cases in 1.5 s.`
		);
	}
}

export async function exportCommand(args: string[]): Promise<number> {
	const { values, positionals } = parse(args, {
		out: { type: 'string' },
		overwrite: { type: 'boolean', default: false },
		db: { type: 'string' },
		json: { type: 'boolean', default: false }
	});
	if (positionals[0] !== 'parquet' || positionals.length > 1) throw new UsageError(`the format is "parquet", got ${positionals.length ? `"${positionals.join(' ')}"` : 'none'}`);
	if (!values.out) throw new UsageError('--out DIR is required');
	const config = appConfig(values.db);
	const open = await openForExport(config.dbPath);
	const progress = stepProgress(4, !values.json);
	try {
		const summary = await exportParquet(open.db, values.out, { overwrite: values.overwrite, source: config.dbPath, onProgress: (message) => progress.step(message) });
		progress.stop();
		if (values.json) console.log(JSON.stringify(summary));
		else {
			const lines = summary.tables.map((t) => `  ${t.table.padEnd(16)} ${fmt(t.rows).padStart(12)} row${t.rows === 1 ? ' ' : 's'}  ${fmt(t.files).padStart(5)} file${t.files === 1 ? '' : 's'}${t.months.length ? `  ${t.months[0]} to ${t.months.at(-1)}` : ''}`);
			const files = summary.tables.reduce((n, t) => n + t.files, 0);
			console.log(`Exported ${config.dbPath} to ${summary.out} (${fmt(files)} Parquet files, ${summary.seconds.toFixed(1)} s):\n${lines.join('\n')}`);
		}
		return 0;
	} catch (error) {
		if (!(error instanceof ExportRefused)) throw error;
		progress.stop();
		if (values.json) console.log(JSON.stringify(error.problem));
		console.error(`caselens export: ${error.message}\n  ${error.hint}`);
		return 1;
	} finally {
		progress.stop();
		await open.close();
	}
}
