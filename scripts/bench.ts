// `npm run bench`: speed of the project against DuckDB's own limits, measured in the same run.
// Not a test: the numbers depend on the machine; read them as ratios.
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchCsv } from './bench/demo-csv';

const { values } = parseArgs({
	options: { cases: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' }, dir: { type: 'string', default: 'data/bench' } }
});
const cases = Number(values.cases);
const runs = Number(values.runs);
const dir = values.dir;
mkdirSync(dir, { recursive: true });

const { cases: csv } = await benchCsv(dir, cases, { feedback: false });
console.log(`File: ${csv} (${(statSync(csv).size / 1024 / 1024).toFixed(0)} MB)\n`);

interface Measurement {
	task: string;
	/** The load, from an open empty database to the data on disk (see scripts/bench/ingest-worker.ts). */
	seconds: number;
	/** CPU time of the whole process over the same span, every thread: less sensitive to other load on the machine. */
	cpu_seconds: number;
	open_seconds: number;
	max_rss_mb: number;
	timings_ms?: Record<string, number>;
	rows_read?: number;
}

function measure(task: string): Measurement {
	const out = execFileSync('npx', ['tsx', 'scripts/bench/ingest-worker.ts', task, csv, join(dir, `${task}.duckdb`)], { encoding: 'utf8' });
	return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Measurement;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ours: Measurement[] = [];
const reference: Measurement[] = [];
// Interleaved so that background load on a shared machine hits both sides alike.
for (let i = 0; i < runs; i++) {
	reference.push(measure('duckdb'));
	ours.push(measure('caselens'));
	const [r, o] = [reference[i], ours[i]];
	console.log(
		`run ${i + 1}/${runs}: DuckDB read_csv ${r.seconds.toFixed(2)} s (cpu ${r.cpu_seconds.toFixed(2)} s), Caselens ingest ${o.seconds.toFixed(2)} s (cpu ${o.cpu_seconds.toFixed(2)} s; ${JSON.stringify(o.timings_ms)})`
	);
}
const seconds = (ms: Measurement[]) => median(ms.map((m) => m.seconds));
const cpu = (ms: Measurement[]) => median(ms.map((m) => m.cpu_seconds));
// Per interleaved pair, then the median: a burst of background load hits one pair, not the ratio.
const ratio = median(ours.map((o, i) => o.seconds / reference[i].seconds));
const cpuRatio = median(ours.map((o, i) => o.cpu_seconds / reference[i].cpu_seconds));
const rss = Math.max(...ours.map((m) => m.max_rss_mb));
console.log(`
Ingest of ${cases.toLocaleString('en')} cases (median of ${runs}; each from an open empty database to the data on disk):
  DuckDB CREATE TABLE AS read_csv   ${seconds(reference).toFixed(2)} s  (cpu ${cpu(reference).toFixed(2)} s)
  Caselens ingest (validated, typed) ${seconds(ours).toFixed(2)} s  (cpu ${cpu(ours).toFixed(2)} s)
  ratio                              ${ratio.toFixed(2)}  (median of the runs' ratios; goal <= 1.25; cpu time ratio ${cpuRatio.toFixed(2)})
  peak RSS of the ingest process     ${rss.toFixed(0)} MB  (goal <= 1536 MB; DuckDB's read_csv alone: ${Math.max(...reference.map((m) => m.max_rss_mb)).toFixed(0)} MB)
  opening the database (not timed)   DuckDB ${median(reference.map((m) => m.open_seconds)).toFixed(2)} s, Caselens ${median(ours.map((m) => m.open_seconds)).toFixed(2)} s (creates the schema)`);
