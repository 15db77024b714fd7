// `npm run soak`: load and fault run against the built server on loopback (never another host).
// Two rounds of N signed-in readers for S seconds each, with an import in the middle of the
// first; then an import killed with SIGKILL at a random moment and a restart that must recover.
// Prints throughput, p50/p99 per page, errors, the server's RSS after each round, and the
// recovery checks. Exit code 1 when a check fails. Not a test: the numbers depend on the machine.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_ACCOUNTS } from '../src/lib/demo/demo-accounts.server';
import { freePort, quantile, rssMb, startServer } from './bench/server-harness';

const { values } = parseArgs({
	options: { readers: { type: 'string', default: '20' }, seconds: { type: 'string', default: '60' }, cases: { type: 'string', default: '50000' }, 'import-rows': { type: 'string', default: '200000' } }
});
const READERS = Math.min(Number(values.readers), 100);
const SECONDS = Math.min(Number(values.seconds), 600);
// Pages every reader role may open (a 403 by design would count as an error).
const PAGES = ['/', '/speed', '/speed?measure=resolution&by=region', '/compliance', '/satisfaction', '/consistency', '/fairness', '/friction', '/cases'];

const dir = mkdtempSync(join(tmpdir(), 'caselens-soak-'));
const dbPath = join(dir, 'soak.duckdb');
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
	console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
	if (!ok) failures.push(what);
};

function startSoakServer(port: number) {
	return startServer(port, { CASELENS_DB: dbPath, CASELENS_DEMO: '1', CASELENS_DEMO_CASES: values.cases, CASELENS_LOGIN_ATTEMPTS_PER_MINUTE: '100000' });
}

async function signIn(base: string, username: string, password: string): Promise<string> {
	const response = await fetch(`${base}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base }, body: new URLSearchParams({ username, password, next: '/' }) });
	const cookie = response.headers.getSetCookie().find((c) => c.startsWith('caselens_session='));
	if (!cookie) throw new Error(`sign-in as ${username} failed with ${response.status}`);
	return cookie.split(';')[0];
}


function importFile(rows: number, tag: string): string {
	const path = join(dir, `import-${tag}.csv`);
	const lines = ['case_id,created_at,first_response_at,status,region,channel,category,subject'];
	for (let i = 0; i < rows; i++) lines.push(`soak-${tag}-${i},2026-10-${String((i % 28) + 1).padStart(2, '0')} 10:00:00,2026-10-${String((i % 28) + 1).padStart(2, '0')} 12:30:00,open,europe,email,refund_request,parcel late ${i % 97}`);
	writeFileSync(path, lines.join('\n') + '\n');
	return path;
}

function startImport(base: string, cookie: string, path: string): { done: Promise<{ status: number; seconds: number; summary: string }>; controller: AbortController; loading: Promise<void> } {
	const controller = new AbortController();
	const started = performance.now();
	let markLoading: () => void = () => undefined;
	const loading = new Promise<void>((resolve) => (markLoading = resolve));
	const done = (async () => {
		const response = await fetch(`${base}/api/imports?kind=cases`, {
			method: 'POST',
			headers: { cookie, origin: base, accept: 'application/x-ndjson', 'content-type': 'text/csv', 'x-file-name': 'soak.csv' },
			body: readFileSync(path),
			signal: controller.signal
		});
		let text = '';
		const decoder = new TextDecoder();
		for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
			text += decoder.decode(chunk);
			if (text.includes('"stage":"loading"')) markLoading();
		}
		return { status: response.status, seconds: (performance.now() - started) / 1000, summary: text.trim().split('\n').pop() ?? '' };
	})();
	return { done, controller, loading };
}

async function readersRound(base: string, cookies: string[], label: string, during?: () => Promise<void>) {
	const latencies = new Map<string, number[]>();
	let errors = 0;
	let requests = 0;
	const end = Date.now() + SECONDS * 1000;
	const reader = async (cookie: string, n: number) => {
		for (let i = n; Date.now() < end; i++) {
			const page = PAGES[i % PAGES.length];
			const t = performance.now();
			const response = await fetch(`${base}${page}`, { headers: { cookie } }).catch(() => null);
			if (response) await response.arrayBuffer().catch(() => null);
			requests++;
			if (!response || response.status !== 200) errors++;
			else latencies.set(page, [...(latencies.get(page) ?? []), performance.now() - t]);
		}
	};
	const [, extra] = await Promise.all([Promise.all(cookies.map((c, n) => reader(c, n))), during?.()]);
	void extra;
	const every = [...latencies.values()].flat();
	console.log(`\n${label}: ${requests} requests in ${SECONDS} s = ${(requests / SECONDS).toFixed(1)}/s, ${errors} errors; all pages p50 ${quantile(every, 0.5).toFixed(0)} ms, p99 ${quantile(every, 0.99).toFixed(0)} ms (goal <= 1000)`);
	console.log('  page'.padEnd(44) + 'n'.padStart(6) + 'p50 ms'.padStart(9) + 'p99 ms'.padStart(9));
	for (const page of PAGES) {
		const xs = latencies.get(page) ?? [];
		console.log(`  ${page.padEnd(42)}${String(xs.length).padStart(6)}${quantile(xs, 0.5).toFixed(0).padStart(9)}${quantile(xs, 0.99).toFixed(0).padStart(9)}`);
	}
	return { requests, errors };
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
console.log(`Soak: ${READERS} readers × ${SECONDS} s, twice, against ${base} (demo ${Number(values.cases).toLocaleString('en')} cases; database in ${dir})`);
let server = await startSoakServer(port);
try {
	const rssStart = rssMb(server.pid!);
	const viewers = DEMO_ACCOUNTS.filter((a) => a.role !== 'admin');
	const cookies = await Promise.all(Array.from({ length: READERS }, (_, i) => signIn(base, viewers[i % viewers.length].username, viewers[i % viewers.length].password)));
	const admin = DEMO_ACCOUNTS.find((a) => a.role === 'admin')!;
	const adminCookie = await signIn(base, admin.username, admin.password);
	const bulk = importFile(Number(values['import-rows']), 'live');
	// The same import with nobody reading, for the goal "finishes in at most 1.5x its idle time",
	// after every page once, so that it rebuilds the same derived tables as the import in round 1;
	// then every page again, so round 1 starts from the views computed after it.
	const everyPage = async () => {
		for (const page of PAGES) await fetch(`${base}${page}`, { headers: { cookie: cookies[0] } }).then((r) => r.arrayBuffer());
	};
	// The server's own warm-up (at start and after each import) is work that readers would not
	// cause: the idle import runs once it is done, and round 1 starts after the next one.
	const warmUps = () => server.output().split('\n').filter((l) => l.includes('first views computed')).length;
	const warmedUp = async (n: number) => {
		for (let i = 0; i < 2400 && warmUps() < n; i++) await new Promise((r) => setTimeout(r, 250));
	};
	await warmedUp(1);
	await everyPage();
	const idle = await startImport(base, adminCookie, importFile(Number(values['import-rows']), 'idle')).done;
	await warmedUp(2);
	await everyPage();

	let importResult: { status: number; seconds: number; summary: string } | undefined;
	const first = await readersRound(base, cookies, 'Round 1 (with an import in the middle)', async () => {
		await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 3));
		importResult = await startImport(base, adminCookie, bulk).done;
	});
	const rssAfterFirst = rssMb(server.pid!);
	const second = await readersRound(base, cookies, 'Round 2 (readers only)');
	const rssAfterSecond = rssMb(server.pid!);
	console.log(`\nServer RSS: ${rssStart} MB at start, ${rssAfterFirst} MB after round 1, ${rssAfterSecond} MB after round 2`);
	console.log(`Import during round 1: HTTP ${importResult?.status}, ${importResult?.seconds.toFixed(1)} s: ${importResult?.summary.slice(0, 160)}`);
	const slower = importResult ? importResult.seconds / idle.seconds : NaN;
	console.log(`The same import with no readers: ${idle.seconds.toFixed(1)} s; with ${READERS} readers ${slower.toFixed(2)}x as long (goal <= 1.5)`);
	const timings = (r: { summary: string } | undefined) => { try { return JSON.stringify((JSON.parse(r?.summary ?? '') as { summary?: { timings_ms?: unknown } }).summary?.timings_ms); } catch { return '?'; } };
	console.log(`Steps in ms: with no readers ${timings(idle)}; with readers ${timings(importResult)}`);
	const serverErrors = server.output().split('\n').filter((l) => /error/i.test(l));
	if (serverErrors.length) console.log(`Server log errors:\n${serverErrors.slice(0, 10).join('\n')}`);

	console.log('\nChecks:');
	check(first.errors === 0 && second.errors === 0, `no reader errors (round 1: ${first.errors}, round 2: ${second.errors})`);
	check(importResult?.status === 200 && importResult.summary.includes('"status":"committed"'), 'the import during round 1 committed while readers ran');
	check(rssAfterSecond <= rssAfterFirst * 1.1 + 20, `no RSS growth over the second round (${rssAfterFirst} -> ${rssAfterSecond} MB)`);

	// kill -9 in the middle of an import, then a restart.
	const doomed = startImport(base, adminCookie, importFile(Number(values['import-rows']), 'killed'));
	doomed.done.catch(() => undefined);
	// Killed once the rows are loading (or at once, if the import ends before that).
	await Promise.race([doomed.loading, doomed.done.then(() => undefined, () => undefined)]);
	await new Promise((r) => setTimeout(r, Math.random() * 1500));
	server.kill('SIGKILL');
	await new Promise((r) => server.once('exit', r));
	const tempBefore = readdirSync(tmpdir()).filter((n) => n.startsWith('caselens-upload-')).length;
	server = await startSoakServer(port);
	const output = server.output();
	console.log(`\nAfter kill -9 mid-import and a restart: ${output.split('\n').find((l) => l.includes('interrupted')) ?? '(no recovery line)'}`);
	const cookie = await signIn(base, admin.username, admin.password);
	const batches = (await (await fetch(`${base}/api/imports`, { headers: { cookie } })).json()) as { batch_id: number; status: string; error: string | null; archive_path: string | null }[];
	const interrupted = batches.filter((b) => b.status === 'failed' && (b.error ?? '').includes('interrupted'));
	check(interrupted.length === 1 && !batches.some((b) => b.status === 'running'), `the killed import is marked failed as interrupted (${interrupted.length} such batch, ${batches.filter((b) => b.status === 'running').length} left running)`);
	const archived = new Set(batches.filter((b) => b.status === 'committed' && b.archive_path).map((b) => b.archive_path!.split('/').pop()));
	const archiveFiles = readdirSync(join(dir, 'archive'));
	check(archiveFiles.every((f) => archived.has(f)), `every archive file belongs to a committed batch (${archiveFiles.length} files)`);
	const tempAfter = readdirSync(tmpdir()).filter((n) => n.startsWith('caselens-upload-')).length;
	check(tempAfter <= tempBefore, `leftover upload folders removed (${tempBefore} before the restart, ${tempAfter} after)`);
	const cases = await fetch(`${base}/api/metrics/speed`, { headers: { cookie } });
	check(cases.status === 200, 'the dashboard answers after the restart');
} finally {
	server.kill('SIGTERM');
	await new Promise((r) => setTimeout(r, 500));
	rmSync(dir, { recursive: true, force: true });
}
console.log(failures.length ? `\n${failures.length} check(s) failed.` : '\nAll checks passed.');
process.exit(failures.length ? 1 : 0);
