// `npm run bench:pandas [-- --cases N --runs R]`: Caselens against the analyst's alternative on the
// same demo export (issue 11's goal): scripts/bench/pandas-analyst.py loads the cases and feedback
// CSVs with pandas and computes the numbers of `caselens metrics all --by region`; Caselens imports
// the same files through its CLI into a fresh database and computes them. Interleaved R times
// (default 3), medians printed:
//
//   pandas     load (both CSVs read and typed) and compute, timed inside the script; the process's
//              wall clock (interpreter start and `import pandas` too) is printed beside them
//   Caselens   `caselens ingest` of the cases, then of the feedback, then `caselens metrics all`,
//              each a process of its own timed on the wall clock: what a user waits for
//   warm       the metric set again on the same database: as a new process (what an import left
//              behind is reused, the in-memory report cache is gone), and in one process as a
//              second call of the CLI's main() (each call opens the database afresh, so the report
//              cache is empty there too: the work, without the process start)
//
// Not a test (these machines are shared): read the ratios. Needs Debian's python3-pandas and
// python3-scipy (`apt-get install -y python3-pandas python3-scipy`); --python or $PYTHON chooses the
// interpreter, otherwise the first of python3 and /usr/bin/python3 that has both.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchCsv } from './demo-csv';
import { median } from '../../src/lib/core/stats/quantile';

const { values } = parseArgs({
	options: {
		cases: { type: 'string', default: '1000000' },
		runs: { type: 'string', default: '3' },
		dir: { type: 'string', default: 'data/bench' },
		python: { type: 'string' },
		/** Internal: the in-process warm measurement, run in a child so its timings are its own. */
		'in-process': { type: 'string' }
	}
});

const GOAL = 5;
/** The view pandas-analyst.py reproduces: speed and satisfaction broken down by region, like the rest. */
const METRICS_ARGS = ['metrics', 'all', '--by', 'region', '--json'];
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const CLI = here('../../bin/caselens.js');
const ANALYST = here('./pandas-analyst.py');
const SELF = here('./pandas.ts');
// The CLI finds its config and modules from the repository root, wherever the bench was started.
const ROOT = here('../..');

const secondsSince = (start: number) => (performance.now() - start) / 1000;

/** Child mode: `caselens metrics all` twice through the CLI's main() in this one process. */
async function inProcess(db: string): Promise<void> {
	const { main } = await import('../../src/cli/main');
	const print = console.log;
	// The CLI prints the reports with console.log: dropped here, so that stdout holds only our JSON.
	console.log = () => {};
	const seconds: number[] = [];
	try {
		for (let i = 0; i < 2; i++) {
			const start = performance.now();
			const code = await main([...METRICS_ARGS, '--db', db]);
			if (code !== 0) throw new Error(`caselens metrics all exited with ${code}`);
			seconds.push(secondsSince(start));
		}
	} finally {
		console.log = print;
	}
	console.log(JSON.stringify({ seconds }));
}

interface PandasResult {
	import_seconds: number;
	load_seconds: number;
	compute_seconds: number;
	wall_seconds: number;
	rows: { cases: number; feedback: number };
	sizes: Record<string, number>;
	headline: Record<string, unknown>;
}

interface CaselensResult {
	ingest_cases: number;
	ingest_feedback: number;
	first_view: number;
	warm_process: number;
	in_process_first: number;
	warm_in_process: number;
	accepted: { cases: number; feedback: number };
	report: string;
}

function pickPython(): string {
	const asked = values.python ?? process.env.PYTHON;
	for (const candidate of asked ? [asked] : ['python3', '/usr/bin/python3']) {
		if (spawnSync(candidate, ['-c', 'import pandas, scipy'], { stdio: 'ignore' }).status === 0) return candidate;
	}
	console.error(`No Python with pandas and scipy (${asked ?? 'tried python3 and /usr/bin/python3'}). Install Debian's: apt-get install -y python3-pandas python3-scipy`);
	process.exit(1);
}

/** Runs `cmd`, wall-clock timed; stdout as text (stderr passes through for errors and warnings). */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; out: string } {
	const start = performance.now();
	const out = execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env, maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] });
	return { seconds: secondsSince(start), out };
}

const lastLine = (text: string) => text.trim().split('\n').pop() ?? '{}';

function runPandas(python: string, files: { cases: string; feedback: string }): PandasResult {
	const { seconds, out } = timed(python, [ANALYST, files.cases, files.feedback]);
	return { ...(JSON.parse(lastLine(out)) as Omit<PandasResult, 'wall_seconds'>), wall_seconds: seconds };
}

/** What the report holds, in the units pandas-analyst.py counts (consistency cells over every dimension, though --by region prints only its rows). */
function reportSize(json: string): string {
	const r = JSON.parse(json) as {
		speed_first_response: { groups: unknown[]; trend: unknown[] };
		speed_resolution: { groups: unknown[]; trend: unknown[] };
		csat: { groups: unknown[]; trend: unknown[] };
		consistency: { cells_tested: number; cells_small: number };
		fairness: { rows: unknown[] };
	};
	return [
		`${(json.length / 1024).toFixed(0)} KB JSON`,
		`speed groups ${r.speed_first_response.groups.length + r.speed_resolution.groups.length}`,
		`speed trend points ${r.speed_first_response.trend.length + r.speed_resolution.trend.length}`,
		`csat groups ${r.csat.groups.length}, trend points ${r.csat.trend.length}`,
		`consistency cells ${r.consistency.cells_tested + r.consistency.cells_small} (${r.consistency.cells_tested} tested)`,
		`fairness rows ${r.fairness.rows.length}`
	].join(', ');
}

function runCaselens(dir: string, files: { cases: string; feedback: string }): CaselensResult {
	const work = mkdtempSync(join(resolve(dir), 'pandas-run-'));
	const db = join(work, 'caselens.duckdb');
	// The import keeps a copy of each file, as it does for users: beside the database, removed after.
	const env = { ...process.env, CASELENS_ARCHIVE_DIR: join(work, 'archive') };
	const cli = (args: string[]) => timed(process.execPath, [CLI, ...args, '--db', db], env);
	try {
		const cases = cli(['ingest', files.cases, '--kind', 'cases', '--json']);
		const feedback = cli(['ingest', files.feedback, '--kind', 'feedback', '--json']);
		const first = cli(METRICS_ARGS);
		const warm = cli(METRICS_ARGS);
		const inner = JSON.parse(lastLine(timed(process.execPath, ['--import', 'tsx', SELF, '--in-process', db], env).out)) as { seconds: number[] };
		const accepted = (out: string) => (JSON.parse(lastLine(out)) as { accepted: number }).accepted;
		return {
			ingest_cases: cases.seconds,
			ingest_feedback: feedback.seconds,
			first_view: first.seconds,
			warm_process: warm.seconds,
			in_process_first: inner.seconds[0],
			warm_in_process: inner.seconds[1],
			accepted: { cases: accepted(cases.out), feedback: accepted(feedback.out) },
			report: reportSize(first.out)
		};
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

async function bench(): Promise<void> {
	const cases = Number(values.cases);
	const runs = Math.max(1, Number(values.runs));
	const python = pickPython();
	const made = await benchCsv(values.dir, cases, { feedback: true });
	const files = { cases: resolve(made.cases), feedback: resolve(made.feedback) };
	const mb = (f: string) => (statSync(f).size / 1024 / 1024).toFixed(0);
	console.log(`Files: ${files.cases} (${mb(files.cases)} MB), ${files.feedback} (${mb(files.feedback)} MB); pandas via ${python}\n`);

	const pandas: PandasResult[] = [];
	const ours: CaselensResult[] = [];
	// Interleaved so that background load on a shared machine hits both sides alike.
	for (let i = 0; i < runs; i++) {
		const p = runPandas(python, files);
		const c = runCaselens(values.dir, files);
		pandas.push(p);
		ours.push(c);
		console.log(
			`run ${i + 1}/${runs}: pandas load ${p.load_seconds.toFixed(2)} s, compute ${p.compute_seconds.toFixed(2)} s (process ${p.wall_seconds.toFixed(2)} s); ` +
				`Caselens ingest ${c.ingest_cases.toFixed(2)} + ${c.ingest_feedback.toFixed(2)} s, first view ${c.first_view.toFixed(2)} s, ` +
				`warm ${c.warm_process.toFixed(2)} s as a process, ${c.warm_in_process.toFixed(2)} s in process (its first call ${c.in_process_first.toFixed(2)} s)`
		);
	}

	const p = pandas[pandas.length - 1];
	const c = ours[ours.length - 1];
	if (p.rows.cases !== c.accepted.cases || p.rows.feedback !== c.accepted.feedback) {
		console.log(`note: pandas read ${p.rows.cases} cases and ${p.rows.feedback} answers, Caselens accepted ${c.accepted.cases} and ${c.accepted.feedback}`);
	}
	const pandasTotal = (r: PandasResult) => r.load_seconds + r.compute_seconds;
	const ingest = (r: CaselensResult) => r.ingest_cases + r.ingest_feedback;
	const ourTotal = (r: CaselensResult) => ingest(r) + r.first_view;
	const m = <T>(xs: T[], f: (x: T) => number) => median(xs.map(f));
	// Per interleaved run, then the median: a burst of background load hits one run, not the ratio.
	const ratio = (f: (p: PandasResult, c: CaselensResult) => number) => median(pandas.map((x, i) => f(x, ours[i])));
	const firstRatio = ratio((x, y) => pandasTotal(x) / ourTotal(y));
	const firstWallRatio = ratio((x, y) => x.wall_seconds / ourTotal(y));
	const warmRatio = ratio((x, y) => x.compute_seconds / y.warm_in_process);
	const warmProcessRatio = ratio((x, y) => x.compute_seconds / y.warm_process);
	const verdict = (r: number) => (r >= GOAL ? 'met' : 'missed');
	const s = (x: number) => `${x.toFixed(2)} s`.padStart(9);
	const times = (r: number) => `${r.toFixed(2)}x`;

	console.log(`
${cases.toLocaleString('en')} cases and ${p.rows.feedback.toLocaleString('en')} feedback answers, median of ${runs} run${runs === 1 ? '' : 's'} (wall clock):
  pandas load (read_csv + to_datetime)       ${s(m(pandas, (x) => x.load_seconds))}
  pandas compute                             ${s(m(pandas, (x) => x.compute_seconds))}
  pandas total (load + compute)              ${s(m(pandas, pandasTotal))}   (whole process ${m(pandas, (x) => x.wall_seconds).toFixed(2)} s, import pandas/scipy ${m(pandas, (x) => x.import_seconds).toFixed(2)} s)
  Caselens ingest (cases + feedback)         ${s(m(ours, ingest))}   (${m(ours, (x) => x.ingest_cases).toFixed(2)} + ${m(ours, (x) => x.ingest_feedback).toFixed(2)} s, two CLI processes)
  Caselens first view (metrics all)          ${s(m(ours, (x) => x.first_view))}
  Caselens total (ingest + first view)       ${s(m(ours, ourTotal))}
  warm metric set, new process               ${s(m(ours, (x) => x.warm_process))}
  warm metric set, in process (2nd call)     ${s(m(ours, (x) => x.warm_in_process))}   (1st call in that process ${m(ours, (x) => x.in_process_first).toFixed(2)} s)

Goals (issue 11: at least ${GOAL}x faster than pandas, in one run):
  import + first view vs pandas load + compute   ${times(firstRatio).padStart(7)}  ${verdict(firstRatio)}   (vs pandas' whole process: ${times(firstWallRatio)})
  warm metric set vs pandas compute              ${times(warmRatio).padStart(7)}  ${verdict(warmRatio)}   (in process; as a new process: ${times(warmProcessRatio)} ${verdict(warmProcessRatio)})

What each computed (last run):
  pandas    ${Object.entries(p.sizes).map(([k, v]) => `${k.replaceAll('_', ' ')} ${v}`).join(', ')}
  Caselens  ${c.report}
  pandas headline numbers: ${JSON.stringify(p.headline)}`);
}

// Last: the helpers above are constants, initialised only once the module body reaches them.
if (values['in-process']) await inProcess(values['in-process']);
else await bench();
