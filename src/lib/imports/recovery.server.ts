import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import { sweepTempDirs } from './temp-files.server';

export interface Recovery {
	/** Batches left running by a process that stopped mid-import, now marked failed. */
	interrupted: number[];
	/** Archive files no committed batch refers to (copied by an import that never committed). */
	orphanFiles: number;
	orphanBytes: number;
	/** Temp folders of processes that are gone (uploads, workbook copies). */
	tempFolders: number;
	tempBytes: number;
}

const ARCHIVE_NAME = /^[0-9a-f]{64}\.[a-z]+$/;

/**
 * Run when a process opens the database, before it imports anything: DuckDB lets one process
 * write the file, so a batch still marked running belongs to a process that died (kill -9, power
 * loss) and its transaction was never committed. What it left behind is cleaned up here.
 */
export async function recoverInterruptedImports(db: Kysely<Database>, archiveDir: string): Promise<Recovery> {
	const interrupted = await db
		.updateTable('import_batches')
		.set({
			status: 'failed',
			error: 'The import was interrupted: the process stopped before it finished, so none of its rows were written. Import the file again.',
			finished_at: new Date()
		})
		.where('status', '=', 'running')
		.returning('batch_id')
		.execute();
	const referenced = new Set(
		(await db.selectFrom('import_batches').select('archive_path').where('status', '=', 'committed').where('archive_path', 'is not', null).execute()).map((r) => resolve(r.archive_path as string))
	);
	let orphanFiles = 0;
	let orphanBytes = 0;
	for (const name of await readdir(archiveDir).catch(() => [] as string[])) {
		const path = resolve(join(archiveDir, name));
		if (!ARCHIVE_NAME.test(name) || referenced.has(path)) continue;
		orphanBytes += await stat(path).then((s) => s.size).catch(() => 0);
		await rm(path, { force: true });
		orphanFiles++;
	}
	const temp = await sweepTempDirs();
	return { interrupted: interrupted.map((r) => r.batch_id), orphanFiles, orphanBytes, tempFolders: temp.removed, tempBytes: temp.bytes };
}

/** One line for the console, or undefined when there was nothing to recover. */
export function describeRecovery(r: Recovery): string | undefined {
	const parts: string[] = [];
	if (r.interrupted.length) parts.push(`${r.interrupted.length} interrupted import${r.interrupted.length > 1 ? 's' : ''} marked failed (batch ${r.interrupted.join(', ')})`);
	if (r.orphanFiles) parts.push(`${r.orphanFiles} unreferenced archive file${r.orphanFiles > 1 ? 's' : ''} removed (${Math.round(r.orphanBytes / 1024 / 1024)} MB)`);
	if (r.tempFolders) parts.push(`${r.tempFolders} leftover temp folder${r.tempFolders > 1 ? 's' : ''} removed (${Math.round(r.tempBytes / 1024 / 1024)} MB)`);
	return parts.length ? parts.join('; ') : undefined;
}
