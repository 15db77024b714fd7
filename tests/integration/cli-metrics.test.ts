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
