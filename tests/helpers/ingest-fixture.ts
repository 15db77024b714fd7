import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { expect } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/lib/core/db/database.server';
import type { Database } from '../../src/lib/core/db/schema';
import { IngestError, type IngestErrorCode } from '../../src/lib/imports/ingest-error';
import { AppError } from '../../src/lib/core/errors';
import { ingestFile, type BatchSummary, type IngestOptions } from '../../src/lib/imports/ingest-file.server';

export const MiB = 1024 * 1024;

/** A fresh temp directory; remove it with `rm(dir, { recursive: true, force: true })`. */
export function tempDir(prefix = 'caselens-test-'): Promise<string> {
	return mkdtemp(join(tmpdir(), prefix));
}

export interface IngestFixture {
	dir: string;
	open: OpenDatabase;
	db: Kysely<Database>;
	/** Writes `content` (string = UTF-8) to a new file in the temp dir and returns its path. */
	file(name: string, content: string | Uint8Array): Promise<string>;
	/** ingestFile with test defaults (archive in the temp dir, 50 MiB limit); `db` defaults to the fixture's. */
	ingest(path: string, options: Partial<IngestOptions> & Pick<IngestOptions, 'kind'>, db?: Kysely<Database>): Promise<BatchSummary>;
	dispose(): Promise<void>;
}

/** An in-memory database with migrations applied, plus a temp dir for input files and the archive. */
export async function ingestFixture(dbPath = ':memory:'): Promise<IngestFixture> {
	const dir = await tempDir();
	const open = await openDatabase(dbPath === ':memory:' ? dbPath : join(dir, dbPath));
	let n = 0;
	return {
		dir,
		open,
		db: open.db,
		async file(name, content) {
			// A counter keeps names unique so each test writes its own file.
			const path = join(dir, `${++n}-${name}`);
			await writeFile(path, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
			return path;
		},
		ingest(path, options, db = open.db) {
			return ingestFile(db, {
				path,
				importedBy: 'test',
				source: 'api',
				archiveDir: join(dir, 'archive'),
				maxBytes: 50 * MiB,
				...options
			});
		},
		async dispose() {
			await open.close();
			await rm(dir, { recursive: true, force: true });
		}
	};
}

export interface TableCounts {
	cases: number;
	feedback: number;
	rejected_rows: number;
	committed_batches: number;
	failed_batches: number;
}

export async function tableCounts(db: Kysely<Database>): Promise<TableCounts> {
	const { rows } = await sql<TableCounts>`select
		(select count(*) from cases) as cases,
		(select count(*) from feedback) as feedback,
		(select count(*) from rejected_rows) as rejected_rows,
		(select count(*) from import_batches where status = 'committed') as committed_batches,
		(select count(*) from import_batches where status = 'failed') as failed_batches`.execute(db);
	return rows[0];
}

/** The rule that never bends, checked against the stored rejected rows too. */
export async function expectBalanced(db: Kysely<Database>, summary: BatchSummary): Promise<void> {
	expect(summary.rows_read).toBe(summary.accepted + summary.rejected);
	const stored = await db
		.selectFrom('rejected_rows')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('batch_id', '=', summary.batch_id ?? -1)
		.executeTakeFirstOrThrow();
	expect(stored.n).toBe(summary.rejected);
	const batch = await db.selectFrom('import_batches').selectAll().where('batch_id', '=', summary.batch_id ?? -1).executeTakeFirstOrThrow();
	expect([batch.status, batch.rows_read, batch.accepted, batch.rejected]).toEqual(['committed', summary.rows_read, summary.accepted, summary.rejected]);
}

/** Rejects with an IngestError of `code` whose message + hint mention every needle. */
export async function expectIngestError(promise: Promise<unknown>, code: IngestErrorCode | 'database_locked' | 'database_unwritable', ...needles: (string | RegExp)[]): Promise<AppError> {
	let caught: unknown;
	try {
		await promise;
	} catch (error) {
		caught = error;
	}
	// An import's own problems are IngestErrors; the database's (locked, unwritable) are core AppErrors.
	expect(caught, 'expected an AppError').toBeInstanceOf(code.startsWith('database_') ? AppError : IngestError);
	const error = caught as AppError;
	expect(error.code, `${error.message} | ${error.hint}`).toBe(code);
	expect(error.hint.length).toBeGreaterThan(10);
	for (const needle of needles) {
		if (typeof needle === 'string') expect(`${error.message} ${error.hint}`).toContain(needle);
		else expect(`${error.message} ${error.hint}`).toMatch(needle);
	}
	return error;
}
