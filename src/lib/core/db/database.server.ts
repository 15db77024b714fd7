import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Kysely, Migrator, sql } from 'kysely';
import { DuckDBDialect } from './kysely-duckdb';
import { migrationProvider } from './migrations/index';
import type { Database } from './schema';
import { AppError } from '../errors';
import { configuredDbPath, memoryLimit } from '../config.server';

export interface OpenDatabase {
	db: Kysely<Database>;
	instance: DuckDBInstance;
	/** Absolute path of the file, or ':memory:'. */
	path: string;
	close(): Promise<void>;
}


/**
 * Turns DuckDB's open failures into sentences a user can act on. DuckDB allows one writer process
 * per file, so "database is locked" is the common one: the message names the holder when DuckDB
 * tells us its PID.
 */
function explainOpenError(error: unknown, path: string): Error {
	const text = error instanceof Error ? error.message : String(error);
	if (/lock/i.test(text)) {
		const pid = /PID (\d+)/.exec(text)?.[1];
		return new AppError(
			'database_locked',
			`The database file ${path} is in use by another process${pid ? ` (PID ${pid})` : ''}. DuckDB allows one writer per file.`,
			'If the Caselens server is running, import through its upload page or let the CLI forward to it (it does so automatically when the server is on this machine); otherwise stop the other process, or use --db to work on another file.',
			503
		);
	}
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	if (/permission denied|read-only|cannot open file|IO Error/i.test(text) || ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST'].includes(code ?? '')) {
		return new AppError(
			'database_unwritable',
			`The database file ${path} cannot be opened for writing: ${text.split('\n')[0]}`,
			'Check that the file and its folder are writable by this user, or point CASELENS_DB / --db at a writable location.',
			503
		);
	}
	return error instanceof Error ? error : new Error(text);
}

export async function openDatabase(path: string = configuredDbPath()): Promise<OpenDatabase> {
	const absolute = path === ':memory:' ? path : resolve(path);
	let instance: DuckDBInstance;
	try {
		// Inside the try: a folder that cannot be created (read-only, or a file in the way) is an
		// unwritable database too, not a bare ENOTDIR for the user to decode.
		if (absolute !== ':memory:') mkdirSync(dirname(absolute), { recursive: true });
		// A bounded memory limit makes DuckDB spill large imports to disk instead of growing the
		// process without limit on a shared machine.
		instance = await DuckDBInstance.create(absolute, { memory_limit: memoryLimit() });
	} catch (error) {
		throw explainOpenError(error, absolute);
	}
	const db = new Kysely<Database>({
		dialect: new DuckDBDialect({
			instance,
			// Every timestamp is naive UTC; the session zone must agree or now() and casts shift.
			onCreateConnection: async (connection) => {
				await connection.raw.run("SET TimeZone = 'UTC'");
			}
		})
	});
	try {
		await migrate(db);
	} catch (error) {
		await db.destroy();
		instance.closeSync();
		throw explainOpenError(error, absolute);
	}
	return {
		db,
		instance,
		path: absolute,
		async close() {
			await db.destroy();
			instance.closeSync();
		}
	};
}

async function migrate(db: Kysely<Database>): Promise<void> {
	const migrator = new Migrator({ db, provider: migrationProvider });
	const { error, results } = await migrator.migrateToLatest();
	if (error) {
		const failed = results?.find((r) => r.status === 'Error')?.migrationName;
		throw new Error(`Database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
	}
	// Schema changes go into the file now rather than stay in the write-ahead log: DuckDB 1.5
	// fails to replay an ALTER TABLE ... ADD COLUMN from the log after a crash ("Failure while
	// replaying WAL file ... GetDefaultDatabase"), which would leave the archive unopenable
	// (tests/integration/crash-recovery.test.ts kills an import right after a fresh migration).
	if (results?.some((r) => r.status === 'Success')) await sql`CHECKPOINT`.execute(db);
}

let shared: Promise<OpenDatabase> | undefined;

/** The process-wide database, opened on first use (never at import time: see docs/ARCHITECTURE.md). */
export function getDatabase(): Promise<OpenDatabase> {
	shared ??= openDatabase().catch((error) => {
		shared = undefined;
		throw error;
	});
	return shared;
}

export async function closeSharedDatabase(): Promise<void> {
	if (!shared) return;
	const open = await shared.catch(() => undefined);
	shared = undefined;
	await open?.close();
}

export async function isEmpty(db: Kysely<Database>): Promise<boolean> {
	const { rows } = await sql<{ n: number }>`select (select count(*) from cases) + (select count(*) from feedback) as n`.execute(db);
	return rows[0].n === 0;
}
