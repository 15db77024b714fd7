import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import type { SpeedReport } from '../../src/lib/metrics/speed/speed.server';
import { runCli } from '../helpers/run-cli';
import { ingestFixture } from '../helpers/ingest-fixture';

/** A demo database file for the CLI to open, and how to remove it. */
let dbPath = '';
let removeDir: () => Promise<void> = async () => {};

beforeAll(async () => {
	const fixture = await ingestFixture('cli.duckdb');
	const demo = await writeDemoFiles(fixture.dir, { cases: 1500, seed: 9, end: new Date('2026-06-01T00:00:00Z') });
	await fixture.ingest(demo.casesPath, { kind: 'cases' });
	// The CLI opens the file itself: the fixture lets go of it, and its folder stays until the end.
	await fixture.open.close();
	dbPath = join(fixture.dir, 'cli.duckdb');
	removeDir = () => rm(fixture.dir, { recursive: true, force: true });
}, 60_000);

afterAll(() => removeDir());

async function run(args: string[]): Promise<string> {
	const r = await runCli([...args, '--db', dbPath]);
	expect(r.code, r.err).toBe(0);
	return r.out;
}

/** "within target  96.5% (1412 of 1463)" as the CLI prints it (src/cli/commands/metrics.ts). */
function printedWithin(line: string | undefined): { share: string; within: number; counted: number } {
	const m = /within target\s+(\d+\.\d%) \((\d+) of (\d+)\)$/.exec(line ?? '');
	if (!m) throw new Error(`no share within target in: ${line}`);
	return { share: m[1], within: Number(m[2]), counted: Number(m[3]) };
}

/** What the JSON report says for one row, on the policy's basis, in the CLI's format. */
function reported(report: SpeedReport, row: SpeedReport['overall']): { share: string; within: number; counted: number } {
	const a = report.target && row.attainment ? row.attainment[report.target.basis] : null;
	if (!a || a.share === null) throw new Error(`no share within target for ${row.group}`);
	return { share: `${(a.share * 100).toFixed(1)}%`, within: a.within, counted: a.within + a.breached };
}

describe('caselens metrics speed', () => {
	for (const [measure, basis] of [['first_response', 'business hours'], ['resolution', 'calendar hours']] as const) {
		test(`${measure}: the printed share within target is the JSON report's, overall and per region`, async () => {
			const args = ['metrics', 'speed', '--measure', measure, '--by', 'region', '--range', '90d'];
			const report = JSON.parse(await run([...args, '--json'])) as SpeedReport;
			const lines = (await run(args)).split('\n');
			expect(report.measure).toBe(measure);
			expect(report.groups.length).toBeGreaterThan(1);

			const head = lines.find((l) => l.startsWith('Target '));
			expect(head).toContain(`in ${basis}`);
			expect(printedWithin(head)).toEqual(reported(report, report.overall));
			for (const g of report.groups) {
				const line = lines.find((l) => l.startsWith(`  ${String(g.group).padEnd(22)} median`));
				expect(printedWithin(line), String(g.group)).toEqual(reported(report, g));
			}
			// The groups add up to the whole: no case is counted twice or lost between the lines.
			expect(report.groups.reduce((n, g) => n + reported(report, g).counted, 0)).toBe(reported(report, report.overall).counted);
		});
	}

	test('a filter narrows the printed share as it does the JSON', async () => {
		const args = ['metrics', 'speed', '--region', 'europe', '--team', 'harbor'];
		const report = JSON.parse(await run([...args, '--json'])) as SpeedReport;
		const head = (await run(args)).split('\n').find((l) => l.startsWith('Target '));
		expect(report.overall.n).toBeGreaterThan(0);
		expect(printedWithin(head)).toEqual(reported(report, report.overall));
	});
});

/**
 * Equal, numbers within 1e-9 of each other relative: DuckDB adds a group's values in whatever
 * order its threads finish, so two runs of the same query may differ in the last digits.
 */
function expectSame(actual: unknown, expected: unknown, path: string): void {
	if (typeof expected === 'number' && typeof actual === 'number' && !Number.isInteger(expected)) {
		expect(Math.abs(actual - expected), path).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
	} else if (expected && typeof expected === 'object') {
		expect(actual !== null && typeof actual === 'object', path).toBe(true);
		const a = actual as Record<string, unknown>;
		const e = expected as Record<string, unknown>;
		expect(Object.keys(a).sort(), path).toEqual(Object.keys(e).sort());
		for (const k of Object.keys(e)) expectSame(a[k], e[k], `${path}.${k}`);
	} else {
		expect(actual, path).toEqual(expected);
	}
}

describe('caselens metrics all', () => {
	const SECTIONS = [
		['speed_first_response', ['metrics', 'speed', '--measure', 'first_response']],
		['speed_resolution', ['metrics', 'speed', '--measure', 'resolution']],
		['compliance', ['metrics', 'compliance']],
		['csat', ['metrics', 'csat']],
		['consistency', ['metrics', 'consistency']],
		['fairness', ['metrics', 'fairness']]
	] as const;

	test('gives in one run what each metric command gives alone, under the same scope', async () => {
		const scope = ['--range', '90d', '--region', 'europe', '--by', 'region'];
		const all = JSON.parse(await run(['metrics', 'all', ...scope, '--json'])) as Record<string, unknown>;
		expect(Object.keys(all)).toEqual(SECTIONS.map(([key]) => key));
		for (const [key, command] of SECTIONS) expectSame(all[key], JSON.parse(await run([...command, ...scope, '--json'])), key);
		const text = await run(['metrics', 'all', ...scope]);
		for (const title of ['Speed: first response', 'Speed: resolution', 'Compliance', 'Satisfaction', 'Consistency', 'Fairness']) expect(text).toContain(`== ${title}\n`);
	}, 120_000);

	test('refuses the options that pick rows of one metric', async () => {
		const r = await runCli(['metrics', 'all', '--measure', 'resolution', '--db', dbPath]);
		expect(r.code).not.toBe(0);
		expect(r.err).toContain('--measure and --dimension pick rows of one metric');
	});
});
