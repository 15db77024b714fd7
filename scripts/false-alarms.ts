/**
 * False alarms of every flagging page: on demo data generated with no planted effects (`--null`),
 * over many seeds, how often does any group of each fairness and consistency dimension get
 * flagged, and how often does the Friction page call any theme or structural measure rising?
 * Every flag there is false, so the share of runs with any flag should stay at or below 5% per
 * dimension and for the Friction page as a whole.
 *
 *   npx tsx scripts/false-alarms.ts [--seeds 20] [--first-seed 1] [--cases 20000] [--json]
 *
 * The test suite runs a smaller version (tests/integration/metrics-fairness.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseFilters } from '../src/lib/metrics/filters/model';
import { openDatabase } from '../src/lib/core/db/database.server';
import { writeDemoFiles } from '../src/lib/demo/generate-demo.server';
import { ingestFile } from '../src/lib/imports/ingest-file.server';
import { CONSISTENCY_DIMENSIONS, consistencyReport } from '../src/lib/metrics/consistency/consistency.server';
import { FAIRNESS_DIMENSIONS, fairnessReport } from '../src/lib/metrics/fairness/fairness.server';
import { frictionOptions, frictionReport } from '../src/lib/friction/report.server';

export interface FalseAlarmRun {
	seed: number;
	/** "fairness/region", "consistency/agent", ... -> the flagged rows' sentences. */
	flags: Record<string, string[]>;
}

export interface FalseAlarmSummary {
	runs: FalseAlarmRun[];
	/** Per dimension: runs with at least one flag, and their share. */
	dimensions: { dimension: string; runs_with_flag: number; share: number }[];
	cases: number;
	seeds: number[];
}

export const FALSE_ALARM_DIMENSIONS = [...FAIRNESS_DIMENSIONS.map((d) => `fairness/${d}`), ...CONSISTENCY_DIMENSIONS.map((d) => `consistency/${d}`), 'friction/themes', 'friction/structural'];

/** One null-mode demo per seed, in a fresh in-memory database; the flags both pages raise on it. */
export async function runFalseAlarms(options: { seeds: number[]; cases: number; end?: Date; onRun?: (run: FalseAlarmRun) => void }): Promise<FalseAlarmSummary> {
	const end = options.end ?? new Date('2026-06-01T00:00:00Z');
	const filters = parseFilters(new URLSearchParams());
	const runs: FalseAlarmRun[] = [];
	for (const seed of options.seeds) {
		const dir = await mkdtemp(join(tmpdir(), 'caselens-false-alarms-'));
		const open = await openDatabase(':memory:');
		try {
			const files = await writeDemoFiles(dir, { cases: options.cases, seed, nullMode: true, end });
			const common = { archiveDir: join(dir, 'archive'), maxBytes: Number.MAX_SAFE_INTEGER, importedBy: 'false-alarms', source: 'demo' as const, preset: 'canonical' };
			await ingestFile(open.db, { ...common, path: files.casesPath, kind: 'cases' });
			await ingestFile(open.db, { ...common, path: files.feedbackPath, kind: 'feedback' });
			const [fairness, consistency, friction] = await Promise.all([
				fairnessReport(open.db, { filters, today: end }),
				consistencyReport(open.db, { filters, today: end }),
				frictionReport(open.db, frictionOptions(new URLSearchParams()), end)
			]);
			const flags: Record<string, string[]> = Object.fromEntries(FALSE_ALARM_DIMENSIONS.map((d) => [d, []]));
			for (const r of fairness.rows) if (r.flagged) flags[`fairness/${r.dimension}`].push(r.sentence);
			for (const r of consistency.rows) if (r.flagged) flags[`consistency/${r.dimension}`].push(r.sentence);
			for (const t of friction.themes) if (t.rising) flags['friction/themes'].push(`rising theme "${t.theme}": ${t.recent} recent against ${t.previous} before, q ${t.q_value?.toPrecision(2)}`);
			for (const r of friction.structural.rows) if (r.rising) flags['friction/structural'].push(`rising ${r.metric} in ${r.dimension} ${r.value}: q ${r.q_value?.toPrecision(2)}`);
			const run = { seed, flags };
			runs.push(run);
			options.onRun?.(run);
		} finally {
			await open.close();
			await rm(dir, { recursive: true, force: true });
		}
	}
	return {
		runs,
		cases: options.cases,
		seeds: options.seeds,
		dimensions: FALSE_ALARM_DIMENSIONS.map((dimension) => {
			const n = runs.filter((r) => r.flags[dimension].length > 0).length;
			return { dimension, runs_with_flag: n, share: runs.length ? n / runs.length : 0 };
		})
	};
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: { seeds: { type: 'string', default: '20' }, 'first-seed': { type: 'string', default: '1' }, cases: { type: 'string', default: '20000' }, json: { type: 'boolean', default: false } }
	});
	const count = Number(values.seeds);
	const first = Number(values['first-seed']);
	const cases = Number(values.cases);
	if (![count, first, cases].every((v) => Number.isInteger(v) && v > 0)) throw new Error('--seeds, --first-seed and --cases take positive whole numbers');
	const seeds = Array.from({ length: count }, (_, i) => first + i);
	const started = performance.now();
	const summary = await runFalseAlarms({
		seeds,
		cases,
		onRun: (run) => {
			if (values.json) return;
			const hits = Object.entries(run.flags).filter(([, v]) => v.length);
			console.error(`seed ${run.seed}: ${hits.length ? hits.map(([d, v]) => `${d} ${v.length}`).join(', ') : 'no flag'}`);
			for (const [, v] of hits) for (const s of v) console.error(`  ${s}`);
		}
	});
	if (values.json) {
		console.log(JSON.stringify(summary));
		return;
	}
	console.log(`\nNull-mode demo data, ${cases.toLocaleString('en')} cases per run, seeds ${seeds[0]}-${seeds[seeds.length - 1]} (${seeds.length} runs, ${((performance.now() - started) / 1000).toFixed(0)} s).`);
	console.log('Share of runs with any flag, per dimension (every flag here is a false alarm):');
	for (const d of summary.dimensions) console.log(`  ${d.dimension.padEnd(24)} ${String(d.runs_with_flag).padStart(3)} of ${seeds.length}  ${(d.share * 100).toFixed(1)}%`);
	const any = summary.runs.filter((r) => Object.values(r.flags).some((v) => v.length)).length;
	const friction = summary.runs.filter((r) => r.flags['friction/themes'].length + r.flags['friction/structural'].length > 0).length;
	console.log(`  ${'Friction page (any)'.padEnd(24)} ${String(friction).padStart(3)} of ${seeds.length}  ${((friction / seeds.length) * 100).toFixed(1)}%`);
	console.log(`  ${'any dimension'.padEnd(24)} ${String(any).padStart(3)} of ${seeds.length}  ${((any / seeds.length) * 100).toFixed(1)}%`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	main().catch((error) => {
		console.error(error instanceof Error ? (error.stack ?? error.message) : error);
		process.exit(1);
	});
}
