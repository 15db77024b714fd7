// The demo export the benchmarks read, generated once per size and kept in the bench folder:
// scripts/bench.ts imports its cases file, scripts/bench/pandas.ts reads the cases and feedback
// files with both Caselens and pandas.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';

export interface BenchCsv {
	cases: string;
	feedback: string;
}

/**
 * `dir/cases-N.csv` and `dir/feedback-N.csv`, generated when missing (the feedback file only when
 * `feedback` asks for it). The generator is deterministic for a seed, so a cases file kept from an
 * earlier run holds the same rows as the feedback made now, and the kept file stays as it is.
 */
export async function benchCsv(dir: string, cases: number, options: { feedback: boolean }): Promise<BenchCsv> {
	mkdirSync(dir, { recursive: true });
	const files = { cases: join(dir, `cases-${cases}.csv`), feedback: join(dir, `feedback-${cases}.csv`) };
	if (existsSync(files.cases) && (!options.feedback || existsSync(files.feedback))) return files;
	console.log(`Generating ${cases.toLocaleString('en')} demo cases into ${files.cases} ...`);
	const bar = new cliProgress.SingleBar({ format: ' {bar} {percentage}% | {value}/{total} cases' }, cliProgress.Presets.shades_classic);
	bar.start(cases, 0);
	const result = await writeDemoFiles(join(dir, 'tmp'), { cases, seed: 7, end: new Date('2026-11-01T00:00:00Z') }, (done) => bar.update(done));
	bar.stop();
	if (existsSync(files.cases)) rmSync(result.casesPath);
	else renameSync(result.casesPath, files.cases);
	renameSync(result.feedbackPath, files.feedback);
	return files;
}
