import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/lib/core/db/database.server';
import { recoverInterruptedImports } from '../../src/lib/imports/recovery.server';
import { makeTempDir, sweepTempDirs } from '../../src/lib/imports/temp-files.server';
import { tempDir } from '../helpers/ingest-fixture';
import { rm } from 'node:fs/promises';

/**
 * kill -9 in the middle of an import, then the next process opens the database: the batch that was
 * running is marked failed, none of its rows are there, and the archive copy and the temp folder it
 * left are removed.
 */
let dir: string;
let file: string;

beforeAll(async () => {
	dir = await tempDir('caselens-crash-');
	const lines = ['case_id,created_at,status,region,category,subject'];
	for (let i = 0; i < 400_000; i++) lines.push(`K${i},2024-03-01 10:00:00,open,europe,refund,subject of case number ${i} with some words`);
	file = join(dir, 'big.csv');
	await writeFile(file, lines.join('\n') + '\n');
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

/** Starts the child and kills it with SIGKILL once it has begun loading rows; resolves with what it printed. */
function importAndKill(dbPath: string, archiveDir: string): Promise<string[]> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/import-child.ts', file, dbPath, archiveDir], { stdio: ['ignore', 'pipe', 'inherit'] });
		const lines: string[] = [];
		child.stdout.setEncoding('utf8');
		child.stdout.on('data', (chunk: string) => {
			for (const line of chunk.split('\n').filter(Boolean)) {
				lines.push(line);
				if (line === 'stage loading') setTimeout(() => child.kill('SIGKILL'), 150);
			}
		});
		child.on('error', reject);
		child.on('exit', () => resolve(lines));
	});
}

describe('crash in the middle of an import', () => {
	it('the next open marks the batch failed and removes its archive copy and temp folder', async () => {
		const dbPath = join(dir, 'crash.duckdb');
		const archiveDir = join(dir, 'archive');
		const printed = await importAndKill(dbPath, archiveDir);
		expect(printed).toContain('stage loading');
		expect(printed).not.toContain('done');
		const temp = printed.find((l) => l.startsWith('temp '))!.slice(5);
		expect(existsSync(temp)).toBe(true);

		const open = await openDatabase(dbPath);
		try {
			const before = await open.db.selectFrom('import_batches').select(['batch_id', 'status']).execute();
			expect(before.map((b) => b.status)).toEqual(['running']);
			const leftInArchive = (await readdir(archiveDir).catch(() => [])).length;
			const recovery = await recoverInterruptedImports(open.db, archiveDir);
			expect(recovery.orphanFiles).toBe(leftInArchive);
			expect(recovery.tempFolders).toBeGreaterThanOrEqual(1);
			expect(recovery.interrupted).toEqual([before[0].batch_id]);
			const after = await open.db.selectFrom('import_batches').selectAll().executeTakeFirstOrThrow();
			expect([after.status, after.accepted]).toEqual(['failed', 0]);
			expect(after.error).toContain('interrupted');
			const cases = await open.db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
			expect(Number(cases.n)).toBe(0);
			// The archive copy may or may not have been written before the kill; either way none is left.
			expect(await readdir(archiveDir).catch(() => [])).toEqual([]);
			expect(existsSync(temp)).toBe(false);
			// A second open finds nothing more to do.
			expect(await recoverInterruptedImports(open.db, archiveDir)).toMatchObject({ interrupted: [], orphanFiles: 0 });
		} finally {
			await open.close();
		}
	}, 120_000);

	it('the sweep keeps the temp folders of live processes', async () => {
		const mine = await makeTempDir('upload');
		await sweepTempDirs();
		expect(existsSync(mine)).toBe(true);
		await rm(mine, { recursive: true, force: true });
	});
});
