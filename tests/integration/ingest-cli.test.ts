import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli';

// `caselens ingest` as a script sees it: its exit code and what it prints, on a real database file.
let dir = '';
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'caselens-ingest-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('caselens ingest', () => {
	it('exits 1 when no row was accepted, and a corrected mapping then loads the same file', async () => {
		const db = join(dir, 'remap.duckdb');
		const file = join(dir, 'dotted.csv');
		await writeFile(file, 'case_id,created_at,status,region,category\nJ1,2024.02.03 13:05,open,europe,x\nJ2,2024.03.17 09:40,solved,europe,x\n');
		const columns = { case_id: 'case_id', status: 'status', region: 'region', category: 'category' };
		const plain = join(dir, 'plain.json');
		await writeFile(plain, JSON.stringify({ name: 'plain', columns: { ...columns, created_at: 'created_at' } }));
		const declared = join(dir, 'declared.json');
		await writeFile(declared, JSON.stringify({ name: 'declared', columns: { ...columns, created_at: { from: 'created_at', format: '%Y.%m.%d %H:%M' } } }));

		const first = await runCli(['ingest', file, '--kind', 'cases', '--mapping', plain, '--db', db]);
		expect(first.code).toBe(1);
		expect(first.out).toContain('accepted 0 + rejected 2');
		expect(first.err).toContain('no row of dotted.csv was accepted');

		const second = await runCli(['ingest', file, '--kind', 'cases', '--mapping', declared, '--db', db]);
		expect(second.code, second.err).toBe(0);
		expect(second.out).toContain('accepted 2 + rejected 0');
		expect(second.out).toContain('through another mapping');

		const third = await runCli(['ingest', file, '--kind', 'cases', '--mapping', declared, '--db', db]);
		expect(third.code).toBe(0);
		expect(third.out).toContain('already imported as batch 2 through the same mapping');
	});

	it('a missing file is named with its fix, not a stack trace', async () => {
		const r = await runCli(['ingest', join(dir, 'nope.csv'), '--kind', 'cases', '--db', join(dir, 'missing.duckdb')]);
		expect(r.code).toBe(1);
		expect(r.err).toContain('does not exist');
		expect(r.err).toContain('Check the path');
		expect(r.err).not.toContain('    at ');
	});
});
