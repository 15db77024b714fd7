// `npm run bench:dashboard`: server time of every analytics page and JSON endpoint on 1M and 10M
// demo cases, against the built server on loopback (issue 11, item 1).
//
//   cold  = the server computes the view from the data (CASELENS_REPORT_CACHE=off; DuckDB's
//           buffers are warm after the first request, so this is the work, not the disk)
//   warm  = a second reader of the same view (cache on, after one priming request)
//   floor = the cheapest single DuckDB query that produces the view's numbers, run in process
//
// `--cases 1000000,10000000` chooses the sizes; `--runs N` the repeats (median). Each size is
// generated and imported once into data/bench/dashboard-<n>.duckdb and reused by later runs;
// `--messages` uses an archive with the demo's conversations too (dashboard-<n>-messages.duckdb),
// for the automatic checks that read the threads.
//
// Tables kept per import (the automatic checks' verdicts, the Speed clock, Fairness's cases,
// Consistency's, Compliance's and Satisfaction's counts, Friction's tables for comments) are rebuilt in process first and their
// build time printed: that is what an import adds to its own time before the pages are fast.
// Friction's whole-archive theme report is the output of the server's own code, so the server
// keeps it, on a first request timed and printed before the cold runs.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../../src/lib/core/db/database.server';
import { findServer } from '../../src/lib/core/server-registry.server';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { ingestFile } from '../../src/lib/imports/ingest-file.server';
import { importMessages } from '../../src/lib/conversations/import-messages.server';
import { checkContext } from '../../src/lib/audits/auto-checks/checks-sql.server';
import { keepCheckResults } from '../../src/lib/audits/auto-checks/check-results.server';
import { keepSpeedClock } from '../../src/lib/metrics/speed/speed.server';
import { keepFairnessCases } from '../../src/lib/metrics/fairness/fairness-cases.server';
import { keepConsistencyCounts } from '../../src/lib/metrics/consistency/consistency-counts.server';
import { keepComplianceCounts } from '../../src/lib/metrics/compliance/compliance-counts.server';
import { compliancePolicy } from '../../src/lib/metrics/compliance/compliance-rules.server';
import { keepCsatCounts } from '../../src/lib/metrics/csat/csat-counts.server';
import { fairnessSettings } from '../../src/lib/metrics/fairness/fairness-groups.server';
import { currentPolicy } from '../../src/lib/core/policy/policy.server';
import { snapshotTime } from '../../src/lib/metrics/filters/snapshot.server';
import { frictionSettings } from '../../src/lib/friction/friction-config.server';
import { ensureTermTable } from '../../src/lib/friction/term-table.server';
import { ensureDocumentTable } from '../../src/lib/friction/document-table.server';
import { ensureCaseFlags } from '../../src/lib/friction/structural.server';
import { freePort, rssMb, startServer, type RunningServer } from './server-harness';

const { values } = parseArgs({
	options: {
		cases: { type: 'string', default: '1000000,10000000' },
		runs: { type: 'string', default: '3' },
		messages: { type: 'boolean', default: false },
		dir: { type: 'string', default: 'data/bench' },
		only: { type: 'string' }
	}
});
const sizes = values.cases.split(',').map(Number);
const runs = Math.max(1, Number(values.runs));
const GOAL_COLD_MS: Record<number, number> = { 1_000_000: 300, 10_000_000: 2000 };
const GOAL_WARM_MS = 50;
const END = new Date('2026-11-01T00:00:00Z');
const FILTER = 'range=90d&channel=email';

async function prepare(cases: number): Promise<string> {
	mkdirSync(values.dir, { recursive: true });
	const path = resolve(values.dir, `dashboard-${cases}${values.messages ? '-messages' : ''}.duckdb`);
	if (existsSync(path)) return path;
	const tmp = join(values.dir, `dashboard-${cases}-csv`);
	console.log(`Generating and importing ${cases.toLocaleString('en')} demo cases (once; kept in ${path})...`);
	const files = await writeDemoFiles(tmp, { cases, seed: 3, end: END, messages: values.messages });
	const open = await openDatabase(`${path}.partial`);
	const common = { importedBy: 'bench', source: 'cli', archiveDir: join(tmp, 'archive'), maxBytes: Number.MAX_SAFE_INTEGER } as const;
	for (const [kind, file] of [['cases', files.casesPath], ['feedback', files.feedbackPath]] as const) {
		const s = await ingestFile(open.db, { ...common, path: file, kind });
		console.log(`  ${kind}: ${s.accepted.toLocaleString('en')} rows in ${(Object.values(s.timings_ms).reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s`);
	}
	if (files.messagesPath) {
		const started = performance.now();
		const s = await importMessages(open.db, { ...common, path: files.messagesPath, fileName: 'demo-messages.csv', format: 'canonical' });
		console.log(`  messages: ${s.accepted.toLocaleString('en')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
	}
	await open.close();
	rmSync(tmp, { recursive: true, force: true });
	renameSync(`${path}.partial`, path);
	if (existsSync(`${path}.partial.wal`)) renameSync(`${path}.partial.wal`, `${path}.wal`);
	return path;
}

interface View {
	name: string;
	path: string;
	/** Appends the page's filters for the filtered row; false for views that take none. */
	filtered: boolean;
	/** One query computing what the view shows, with `w` the filter's WHERE clause. */
	floor: (w: string) => string;
}

const NO_FILTER = 'TRUE';
const FILTER_SQL = `created_at >= TIMESTAMP '${new Date(END.getTime() - 89 * 86_400_000).toISOString().slice(0, 10)}' AND channel = 'email'`;
const speedFloor = (event: string) => (w: string) => `SELECT region, count(*), count(${event}), quantile_cont(epoch(${event} - created_at), [0.5, 0.9]) FROM cases WHERE ${w} GROUP BY region`;
const csatFloor = (w: string) => `SELECT c.region, count(*), count(f.csat), avg(f.csat), count(*) FILTER (WHERE f.csat >= 4) FROM feedback f LEFT JOIN cases c USING (case_id) WHERE ${w.replaceAll('created_at', 'f.submitted_at').replaceAll('channel', 'c.channel')} GROUP BY 1`;
const frictionFloor = (w: string) => `SELECT w, count(DISTINCT feedback_id) FROM (SELECT feedback_id, unnest(string_split(lower(comment), ' ')) AS w FROM feedback WHERE comment IS NOT NULL AND ${w.replaceAll('created_at', 'submitted_at').replaceAll('channel', "'email'")}) GROUP BY w ORDER BY 2 DESC LIMIT 50`;
const ALL_VIEWS: View[] = [
	{ name: 'overview /', path: '/', filtered: false, floor: () => `SELECT region, channel, date_trunc('week', created_at), count(*), count(*) FILTER (WHERE status IN ('open', 'pending')) FROM cases GROUP BY ALL` },
	{ name: 'speed (first response, by region)', path: '/speed?by=region', filtered: true, floor: (w) => `${speedFloor('first_response_at')(w)} UNION ALL ${speedFloor('resolved_at')(w)}` },
	{ name: 'speed (resolution, by region)', path: '/speed?measure=resolution&by=region', filtered: true, floor: (w) => `${speedFloor('first_response_at')(w)} UNION ALL ${speedFloor('resolved_at')(w)}` },
	{ name: 'compliance (by region)', path: '/compliance?by=region', filtered: true, floor: (w) => `SELECT region, count(*), count(*) FILTER (WHERE resolved_at - created_at > INTERVAL 10 DAY), count(*) FILTER (WHERE outcome IS NULL AND status IN ('solved', 'closed')) FROM cases WHERE ${w} GROUP BY region` },
	{ name: 'satisfaction (by region)', path: '/satisfaction?by=region', filtered: true, floor: csatFloor },
	{ name: 'consistency', path: '/consistency', filtered: true, floor: (w) => `SELECT category, region, team, agent_id, count(*), count(*) FILTER (WHERE outcome = 'approved') FROM cases WHERE ${w} GROUP BY GROUPING SETS ((category, region), (category, team), (category, agent_id))` },
	{ name: 'fairness', path: '/fairness', filtered: true, floor: (w) => `SELECT category, region, sum(r), count(*) FROM (SELECT category, region, rank() OVER (PARTITION BY category ORDER BY resolved_at - created_at) AS r FROM cases WHERE resolved_at IS NOT NULL AND ${w}) GROUP BY ALL` },
	{ name: 'friction', path: '/friction', filtered: true, floor: frictionFloor },
	{ name: 'friction report', path: '/friction/report', filtered: true, floor: frictionFloor },
	{ name: 'audits results', path: '/audits/results', filtered: false, floor: () => `SELECT count(*) FROM audit_reviews` },
	// The checks' own columns per case, counted per team: what the pass rates need at the least.
	{ name: 'automatic checks', path: '/audits/auto-checks', filtered: true, floor: (w) => `SELECT team, count(*), count(*) FILTER (WHERE reopen_count = 0), count(*) FILTER (WHERE status IN ('solved', 'closed') AND outcome IS NOT NULL), count(*) FILTER (WHERE first_response_at - created_at <= INTERVAL 24 HOUR) FROM cases WHERE ${w} GROUP BY team` },
	{ name: 'cases list', path: '/cases', filtered: true, floor: (w) => `SELECT * FROM cases WHERE ${w} ORDER BY created_at DESC LIMIT 50` },
	{ name: 'case page', path: '/cases/{id}', filtered: false, floor: () => `SELECT * FROM cases c LEFT JOIN feedback f USING (case_id) WHERE c.case_id = '{id}'` },
	{ name: 'api speed', path: '/api/metrics/speed?by=region', filtered: true, floor: speedFloor('first_response_at') },
	{ name: 'api compliance', path: '/api/metrics/compliance?by=region', filtered: true, floor: (w) => `SELECT region, count(*), count(*) FILTER (WHERE resolved_at - created_at > INTERVAL 10 DAY) FROM cases WHERE ${w} GROUP BY region` },
	{ name: 'api csat', path: '/api/metrics/csat?by=region', filtered: true, floor: csatFloor },
	{ name: 'api fairness', path: '/api/metrics/fairness', filtered: true, floor: (w) => `SELECT category, region, sum(r) FROM (SELECT category, region, rank() OVER (PARTITION BY category ORDER BY resolved_at - created_at) AS r FROM cases WHERE resolved_at IS NOT NULL AND ${w}) GROUP BY ALL` },
	{ name: 'api friction', path: '/api/friction', filtered: true, floor: frictionFloor }
];
const VIEWS = ALL_VIEWS.filter((v) => !values.only || v.name.includes(values.only));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeIt(fn: () => Promise<unknown>, n: number): Promise<number> {
	const times: number[] = [];
	for (let i = 0; i < n; i++) {
		const start = performance.now();
		await fn();
		times.push(performance.now() - start);
	}
	return median(times);
}

/** Rebuilds the tables kept per import, timed; in process, before the server takes the file. */
async function rebuildKept(path: string): Promise<void> {
	const open = await openDatabase(path);
	try {
		/** Forgets that `sources` were built, rebuilds them with `keep` and prints how long that took. */
		const rebuild = async (sources: string[], keep: () => Promise<unknown>, said: (ms: string) => Promise<string> | string) => {
			await sql`DELETE FROM derived_table_state WHERE source IN (${sql.join(sources)})`.execute(open.db);
			const start = performance.now();
			await keep();
			console.log(await said((performance.now() - start).toFixed(0)));
		};
		const policy = async () => (await currentPolicy(open.db)).policy;
		await rebuild(['auto_check_results', 'thread_facts'], async () => keepCheckResults(open.db, await checkContext(open.db)), async (ms) => {
			const { rows } = await sql<{ n: number; m: number }>`SELECT (SELECT count(*) FROM auto_check_results) AS n, (SELECT count(*) FROM messages) AS m`.execute(open.db);
			return `automatic checks' verdicts kept for ${Number(rows[0].n).toLocaleString('en')} cases (${Number(rows[0].m).toLocaleString('en')} messages) built in ${ms} ms`;
		});
		await rebuild(['speed_clock'], async () => keepSpeedClock(open.db, await policy(), await snapshotTime(open.db)), (ms) => `Speed clock kept for both measures built in ${ms} ms`);
		await rebuild(['fairness_cases'], async () => keepFairnessCases(open.db, fairnessSettings(await policy())), (ms) => `Fairness's cases, ranks and group medians kept in ${ms} ms`);
		await rebuild(['consistency_counts'], () => keepConsistencyCounts(open.db), (ms) => `Consistency's counts over the whole archive kept in ${ms} ms`);
		await rebuild(
			['compliance_counts'],
			async () => keepComplianceCounts(open.db, compliancePolicy(await policy()), (await snapshotTime(open.db)) ?? new Date()),
			(ms) => `Compliance's counts over the whole archive kept in ${ms} ms`
		);
		await rebuild(['csat_counts'], () => keepCsatCounts(open.db), (ms) => `Satisfaction's counts over the whole archive kept in ${ms} ms`);
		const settings = frictionSettings();
		await rebuild(
			['documents_comments', 'case_flags'],
			async () => {
				await ensureTermTable(open.db, 'comments', settings);
				await ensureDocumentTable(open.db, 'comments');
				await ensureCaseFlags(open.db, settings.repeat_contact_days);
			},
			(ms) => `Friction's documents and case flags (and term table, when behind) kept in ${ms} ms`
		);
	} finally {
		await open.close();
	}
}

/** Floors in process, before the server takes the file. */
async function floors(path: string): Promise<{ caseId: string; ms: Map<string, number> }> {
	const open = await openDatabase(path);
	try {
		const { rows } = await sql<{ id: string }>`SELECT case_id AS id FROM cases ORDER BY case_id LIMIT 1`.execute(open.db);
		const caseId = rows[0].id;
		const ms = new Map<string, number>();
		for (const view of VIEWS) {
			for (const where of view.filtered ? [NO_FILTER, FILTER_SQL] : [NO_FILTER]) {
				const query = view.floor(where).replaceAll('{id}', caseId);
				ms.set(`${view.name}|${where === NO_FILTER ? '' : 'f'}`, await timeIt(() => sql.raw(query).execute(open.db), runs));
			}
		}
		return { caseId, ms };
	} finally {
		await open.close();
	}
}

/** Fetches the whole view; `onFirstByte` gets the time to the response's start (a page that streams its slower parts starts before they are done). */
async function fetchView(base: string, token: string, path: string, onFirstByte?: (ms: number) => void): Promise<void> {
	const start = performance.now();
	const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}`, accept: path.startsWith('/api/') ? 'application/json' : 'text/html' } });
	onFirstByte?.(performance.now() - start);
	const body = await response.text();
	if (!response.ok) throw new Error(`${path} answered ${response.status}: ${body.slice(0, 200)}`);
}

async function withServer<T>(dbPath: string, cache: boolean, work: (base: string, token: string, server: RunningServer) => Promise<T>): Promise<T> {
	const port = await freePort();
	const server = await startServer(port, { CASELENS_DB: dbPath, CASELENS_REPORT_CACHE: cache ? 'on' : 'off' });
	try {
		const entry = findServer(dbPath);
		if (!entry) throw new Error('the server did not register itself beside the database');
		return await work(`http://127.0.0.1:${port}`, entry.token, server);
	} finally {
		server.kill('SIGTERM');
		await new Promise((r) => server.once('exit', r));
	}
}

const fmt = (ms: number) => ms.toFixed(0).padStart(6);

for (const cases of sizes) {
	const dbPath = await prepare(cases);
	await rebuildKept(dbPath);
	const floor = await floors(dbPath);
	const paths = VIEWS.flatMap((v) => (v.filtered ? ['', 'f'] : ['']).map((f) => ({ view: v, key: `${v.name}|${f}`, path: f ? `${v.path}${v.path.includes('?') ? '&' : '?'}${FILTER}` : v.path }))).map((x) => ({ ...x, path: x.path.replace('{id}', encodeURIComponent(floor.caseId)) }));
	const cold = new Map<string, number>();
	const firstByte = new Map<string, number>();
	const warm = new Map<string, number>();
	const coldRss = await withServer(dbPath, false, async (base, token, server) => {
		if (paths.some((p) => p.path.startsWith('/friction') || p.path.startsWith('/api/friction'))) {
			// The whole archive's theme report is kept by the code that computes it (theme-report-table.server.ts):
			// the server's first reader keeps it here, as a server import would in its own transaction.
			const started = performance.now();
			await fetchView(base, token, '/api/friction');
			console.log(`Friction's whole-archive theme report kept by the server in ${(performance.now() - started).toFixed(0)} ms (its first reader; a server import keeps it)`);
		}
		for (const p of paths) {
			const firsts: number[] = [];
			cold.set(p.key, await timeIt(() => fetchView(base, token, p.path, (ms) => firsts.push(ms)), runs));
			firstByte.set(p.key, median(firsts));
		}
		return rssMb(server.pid!, 'VmHWM');
	});
	const warmRss = await withServer(dbPath, true, async (base, token, server) => {
		for (const p of paths) {
			await fetchView(base, token, p.path);
			warm.set(p.key, await timeIt(() => fetchView(base, token, p.path), Math.max(runs, 5)));
		}
		return rssMb(server.pid!, 'VmHWM');
	});
	const goal = GOAL_COLD_MS[cases];
	console.log(`\n${cases.toLocaleString('en')} cases: server time in ms (cold and floor: median of ${runs}; warm: median of ${Math.max(runs, 5)}); filtered = ${FILTER}`);
	console.log(`${'view'.padEnd(44)}  cold start  warm floor ratio  goals (cold ${goal ?? '–'} ms, warm ${GOAL_WARM_MS} ms, ratio 3); start = cold time to the response's first byte`);
	for (const p of paths) {
		const c = cold.get(p.key)!;
		const w = warm.get(p.key)!;
		const f = floor.ms.get(p.key)!;
		const ratio = c / Math.max(f, 1);
		const missed = [goal && c > goal ? 'cold' : '', w > GOAL_WARM_MS ? 'warm' : '', ratio > 3 ? 'ratio' : ''].filter(Boolean);
		console.log(`${`${p.view.name}${p.key.endsWith('|f') ? ', filtered' : ''}`.padEnd(44)}${fmt(c)}${fmt(firstByte.get(p.key) ?? NaN)}${fmt(w)}${fmt(f)}${ratio.toFixed(1).padStart(6)}  ${missed.length ? `MISSED ${missed.join(', ')}` : 'met'}`);
	}
	console.log(`peak server RSS: ${coldRss} MB computing every view, ${warmRss} MB with the cache`);
}
