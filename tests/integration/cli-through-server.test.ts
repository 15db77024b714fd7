import { spawn, type ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { userHelp } from '../../src/cli/commands/user';
import { assignSample, drawAuditSample } from '../../src/lib/audits/sampling.server';
import { parseSampleRequest } from '../../src/lib/audits/sample-request';
import { reviewerQueue, saveReview } from '../../src/lib/audits/reviews.server';
import { DEFAULT_SCORECARD } from '../../src/lib/audits/scorecard';
import { addUser } from '../../src/lib/core/auth/users.server';
import { openDatabase } from '../../src/lib/core/db/database.server';
import { findServer, type ServerEntry } from '../../src/lib/core/server-registry.server';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { buildIfStale } from '../../scripts/build-if-stale.js';
import { freePort } from '../browser/free-port';
import { runCli } from '../helpers/run-cli';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

// The CLI against a real server process holding the database (DuckDB lets one process open the
// file), started as the browser tests start theirs (tests/browser/global-setup.ts).

let f: IngestFixture;
let dbPath: string;
let server: ChildProcess | undefined;
let entry: ServerEntry;
let serverLog = '';
/** What the commands print with the database free, to compare with what they print beside the server. */
const local: Record<string, string> = {};
const osUser = userInfo().username;

const run = (args: string[]) => runCli([...args, '--db', dbPath]);

/**
 * A report as it compares between two runs: without the time it was made, and with every list in
 * a fixed order, since the friction report ranks tied rows in no fixed order, even locally.
 */
function canonical(json: string): unknown {
	const report = JSON.parse(json) as Record<string, unknown>;
	delete report.generated_at;
	return sorted(report);
}

function sorted(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sorted).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
	if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sorted(v)]));
	return value;
}

/** Printed lines in a fixed order (tied rows again). */
const lines = (text: string, drop?: RegExp) => text.split('\n').filter((line) => !drop?.test(line)).sort();

async function startServer(): Promise<void> {
	const port = await freePort();
	// The built app, as `npm start` serves it: a dev server reloads whenever another process in the
	// checkout rewrites a source or .svelte-kit file, runs its init again and registers a new token.
	server = spawn(process.execPath, ['scripts/serve.js'], {
		env: { ...process.env, CASELENS_DB: dbPath, PORT: String(port), HOST: '127.0.0.1', CASELENS_DEMO: '0', CASELENS_LOGIN_ATTEMPTS_PER_MINUTE: '10000' },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	server.stdout?.on('data', (d) => (serverLog += d));
	server.stderr?.on('data', (d) => (serverLog += d));
	const deadline = Date.now() + 90_000;
	while (Date.now() < deadline) {
		if (server.exitCode !== null) throw new Error(`The server exited with ${server.exitCode}:\n${serverLog}`);
		try {
			// The first request runs the server's init: it opens the database and registers.
			await fetch(`http://127.0.0.1:${port}/api/friction`);
			const found = findServer(dbPath);
			if (found) {
				entry = found;
				return;
			}
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 300));
	}
	throw new Error(`The server did not take ${dbPath} within 90 s:\n${serverLog}`);
}

async function stopServer(): Promise<void> {
	const child = server;
	if (!child || child.exitCode !== null) return;
	const exited = new Promise((r) => child.once('exit', r));
	child.kill('SIGTERM');
	await exited;
}

async function signIn(username: string, password: string): Promise<string | undefined> {
	const response = await fetch(new URL('/login', entry.url), {
		method: 'POST',
		redirect: 'manual',
		headers: { origin: new URL(entry.url).origin, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
		body: new URLSearchParams({ username, password })
	});
	if (response.status !== 303) return undefined;
	return response.headers.getSetCookie().find((c) => c.startsWith('caselens_session='))?.split(';')[0];
}

const asCli = (path: string, init: RequestInit = {}) => fetch(new URL(path, entry.url), { ...init, headers: { authorization: `Bearer ${entry.token}`, origin: new URL(entry.url).origin, ...init.headers } });

beforeAll(async () => {
	f = await ingestFixture('held.duckdb');
	dbPath = join(f.dir, 'held.duckdb');
	const demo = await writeDemoFiles(f.dir, { cases: 1500, seed: 8, end: new Date('2026-06-01T00:00:00Z') });
	await f.ingest(demo.casesPath, { kind: 'cases' });
	await f.ingest(demo.feedbackPath, { kind: 'feedback' });
	// A few submitted reviews, so the audit results have numbers to compare.
	const reviewer = await addUser(f.db, { username: 'rev', role: 'reviewer', password: 'rev-password-1' }, 'test');
	const { request } = parseSampleRequest(new URLSearchParams('design=stratified&stratify=region&allocation=equal&size=12&seed=3'));
	const sample = await drawAuditSample(f.db, request!, 'test');
	await assignSample(f.db, sample.sample_id, { reviewers: ['rev'], method: 'round_robin' }, 'test');
	for (const [k, item] of (await reviewerQueue(f.db, 'rev')).slice(0, 8).entries()) {
		const ratings = Object.fromEntries(DEFAULT_SCORECARD.categories.map((c) => [c.id, Math.min(1 + (k % c.scale.max), c.scale.max)]));
		const critical = Object.fromEntries(DEFAULT_SCORECARD.critical_items.map((i) => [i.id, false]));
		await saveReview(f.db, item.review_id, reviewer, { scores: { ratings, critical }, notes: '', submit: true });
	}
	await f.open.close();
	for (const args of [['friction', '--json'], ['friction'], ['friction', '--markdown'], ['audit', 'results', '--json'], ['audit', 'results', '--by', 'region']]) {
		const r = await run(args);
		expect(r.code, r.err).toBe(0);
		local[args.join(' ')] = r.out;
	}
	buildIfStale();
	await startServer();
}, 240_000);

afterAll(async () => {
	await stopServer();
	await rm(f.dir, { recursive: true, force: true });
});

describe('beside a running server', () => {
	test('the server holds the database: opening it here is refused', async () => {
		await expect(openDatabase(dbPath)).rejects.toMatchObject({ code: 'database_locked' });
	});

	test('caselens friction (--json, text, --markdown) answers through the server, as it does locally', async () => {
		const json = await run(['friction', '--json']);
		expect(json.code, json.err).toBe(0);
		expect(canonical(json.out)).toEqual(canonical(local['friction --json']));
		expect(JSON.parse(json.out)).toHaveProperty('generated_at');
		const text = await run(['friction']);
		expect(text.code, text.err).toBe(0);
		expect(lines(text.out)).toEqual(lines(local['friction']));
		const markdown = await run(['friction', '--markdown']);
		expect(markdown.code, markdown.err).toBe(0);
		expect(markdown.out).toMatch(/^# Friction report/);
		const generated = /^Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC/;
		expect(lines(markdown.out, generated)).toEqual(lines(local['friction --markdown'], generated));
		// The same filters reach the server: a narrower scope is a different report.
		const narrow = await run(['friction', '--json', '--region', 'europe']);
		expect(narrow.code, narrow.err).toBe(0);
		expect((JSON.parse(narrow.out) as { documents: number }).documents).toBeLessThan((JSON.parse(json.out) as { documents: number }).documents);
	});

	test('caselens audit results answers through the server, as it does locally', async () => {
		const json = await run(['audit', 'results', '--json']);
		expect(json.code, json.err).toBe(0);
		expect(sorted(JSON.parse(json.out))).toEqual(sorted(JSON.parse(local['audit results --json'])));
		expect((JSON.parse(json.out) as { reviews: number }).reviews).toBe(8);
		const text = await run(['audit', 'results', '--by', 'region']);
		expect(text.code, text.err).toBe(0);
		expect(lines(text.out)).toEqual(lines(local['audit results --by region']));
		const api = await (await asCli('/api/audits/results')).json();
		expect(sorted(JSON.parse(json.out))).toEqual(sorted(api));
	});

	test('caselens user add and reset-password go through the server: the password works, the audit trail names the CLI user', async () => {
		const added = await run(['user', 'add', 'Ana.Ops', '--role', 'viewer', '--name', 'Ana Ops', '--json']);
		expect(added.code, added.err).toBe(0);
		const first = JSON.parse(added.out) as { username: string; action: string; password: string };
		expect(first).toMatchObject({ username: 'Ana.Ops', action: 'add' });
		expect(first.password.length).toBeGreaterThanOrEqual(12);
		const users = (await (await asCli('/api/users')).json()) as { username: string; role: string; display_name: string }[];
		expect(users.find((u) => u.username === 'ana.ops')).toMatchObject({ role: 'viewer', display_name: 'Ana Ops' });
		const session = await signIn('ana.ops', first.password);
		expect(session).toBeDefined();
		expect((await fetch(new URL('/api/friction', entry.url), { headers: { cookie: session! } })).status).toBe(200);

		const again = await run(['user', 'add', 'ana.ops', '--role', 'admin']);
		expect(again.code).toBe(1);
		expect(again.err).toMatch(/already exists/);

		const reset = await run(['user', 'reset-password', 'ana.ops']);
		expect(reset.code, reset.err).toBe(0);
		const second = /Password \(shown once\): (\S+)$/.exec(reset.out)?.[1];
		expect(second).toBeDefined();
		expect(second).not.toBe(first.password);
		// A new password ends the account's sessions and retires the old one.
		expect((await fetch(new URL('/api/friction', entry.url), { headers: { cookie: session! } })).status).toBe(401);
		expect(await signIn('ana.ops', first.password)).toBeUndefined();
		expect(await signIn('ana.ops', second!)).toBeDefined();

		expect((await run(['user', 'reset-password', 'nobody-here'])).code).toBe(1);
		expect(userHelp).not.toMatch(/Stop the server/);
	});

	test('the users API checks its JSON body and is for administrators only', async () => {
		const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => asCli('/api/users', { method: 'POST', body, headers });
		const refusals = await Promise.all([post('{"username": "x1"'), post('[]'), post('{"username": "bo", "role": "viewer", "admin": true}'), post('{"username": 7, "role": "viewer"}'), post('{"role": "viewer"}'), post('username=bo', { 'content-type': 'application/x-www-form-urlencoded' }), post('{"username": "bo", "role": "boss"}')]);
		const answers = await Promise.all(
			refusals.map(async (r) => {
				const body = (await r.json()) as { code: string; message: string; hint: string };
				return { status: r.status, ...body, keys: Object.keys(body).sort() };
			})
		);
		expect(answers.map((a) => [a.status, a.code])).toEqual([
			[400, 'bad_json'],
			[400, 'bad_request'],
			[400, 'bad_request'],
			[400, 'bad_request'],
			[400, 'bad_request'],
			[415, 'unsupported_media_type'],
			[400, 'account_refused']
		]);
		for (const a of answers) {
			// One shape for every refusal (src/lib/core/errors.ts).
			expect(a.keys).toEqual(['code', 'hint', 'message']);
			expect(a.hint).toBeTruthy();
		}
		expect(answers[2].message).toMatch(/admin/);

		const viewer = await signIn('ana.ops', await newPassword('ana.ops'));
		expect(viewer).toBeDefined();
		const origin = new URL(entry.url).origin;
		const asViewer = await fetch(new URL('/api/users', entry.url), { method: 'POST', headers: { cookie: viewer!, origin, 'content-type': 'application/json' }, body: '{"username": "sneaky", "role": "admin"}' });
		expect(asViewer.status).toBe(403);
		expect((await fetch(new URL('/api/users', entry.url), { headers: { cookie: viewer! } })).status).toBe(403);
		const noToken = await fetch(new URL('/api/users/ana.ops/password', entry.url), { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{}' });
		expect(noToken.status).toBe(401);
	});

	test('caselens ingest still hands the file to the server', async () => {
		const file = join(f.dir, 'late.csv');
		await writeFile(file, 'case_id,created_at,first_response_at,status,region,category,subject\nlate-1,2026-05-30T10:00:00Z,2026-05-30T11:00:00Z,open,europe,defect,late arrival\n');
		const r = await run(['ingest', file, '--kind', 'cases', '--json']);
		expect(r.code, r.err).toBe(0);
		expect(JSON.parse(r.out)).toMatchObject({ status: 'committed', accepted: 1 });
		const batches = (await (await asCli('/api/imports')).json()) as { imported_by: string }[];
		expect(batches.map((b) => b.imported_by)).toContain(`cli:${osUser} (through the server)`);
	});

	test('once the server lets go of the file, it holds what the CLI did through it, under the CLI user', async () => {
		await stopServer();
		const open = await openDatabase(dbPath);
		try {
			const trail = await open.db.selectFrom('audit_log').select(['actor', 'action']).where('target', '=', 'ana.ops').orderBy('audit_id').execute();
			expect(trail.slice(0, 2)).toEqual([
				{ actor: `cli:${osUser}`, action: 'user.add' },
				{ actor: `cli:${osUser}`, action: 'user.reset_password' }
			]);
			const user = await open.db.selectFrom('users').select(['role', 'display_name']).where('username', '=', 'ana.ops').executeTakeFirst();
			expect(user).toEqual({ role: 'viewer', display_name: 'Ana Ops' });
		} finally {
			await open.close();
		}
	});
});

/** A new password set through the API (generated by the server and answered once). */
async function newPassword(username: string): Promise<string> {
	const response = await asCli(`/api/users/${username}/password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
	expect(response.status).toBe(200);
	const body = (await response.json()) as { username: string; password: string };
	expect(body.username).toBe(username);
	return body.password;
}
