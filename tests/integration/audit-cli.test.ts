import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { runCli } from '../helpers/run-cli';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

let f: IngestFixture;
let dbPath: string;

beforeAll(async () => {
	f = await ingestFixture('cli.duckdb');
	dbPath = join(f.dir, 'cli.duckdb');
	const demo = await writeDemoFiles(f.dir, { cases: 800, seed: 2, end: new Date('2026-06-01T00:00:00Z') });
	await f.ingest(demo.casesPath, { kind: 'cases' });
	await f.ingest(demo.feedbackPath, { kind: 'feedback' });
	await f.open.close();
}, 60_000);

afterAll(async () => {
	await rm(f.dir, { recursive: true, force: true });
});

const run = (args: string[]) => runCli([...args, '--db', dbPath]);

test('audit sample --json: the same seed draws the same cases; the stratified sizes add up', async () => {
	const args = ['audit', 'sample', '--design', 'stratified', '--by', 'region', '--allocation', 'proportional', '--size', '40', '--seed', '5', '--json'];
	const a = await run(args);
	const b = await run(args);
	expect(a.code).toBe(0);
	const first = JSON.parse(a.out) as { sample_id: number; seed: number; cases: { case_id: string; inclusion_probability: number }[]; strata: { sampled: number; population: number }[] };
	const second = JSON.parse(b.out) as typeof first;
	expect(second.sample_id).toBe(first.sample_id + 1);
	expect(second.cases.map((c) => c.case_id)).toEqual(first.cases.map((c) => c.case_id));
	expect(first.seed).toBe(5);
	expect(first.strata.reduce((n, s) => n + s.sampled, 0)).toBe(40);
	expect(first.strata.reduce((n, s) => n + s.population, 0)).toBe(800);
});

test('audit results --json answers with no reviews yet; wrong usage exits 2', async () => {
	const r = await run(['audit', 'results', '--json']);
	expect(r.code).toBe(0);
	expect(JSON.parse(r.out)).toMatchObject({ reviews: 0, overall: { estimate: null } });
	expect((await run(['audit', 'sample', '--design', 'stratified', '--size', '5'])).code).toBe(2);
	expect((await run(['audit', 'sample', '--design', 'simple'])).code).toBe(2);
});
