import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useBrowser } from './chromium';
import { account, sessionCookie } from './session';
import { freePort } from './free-port';

// The README's first run, as a newcomer does it: `npm start` with no ORIGIN, then sign in from a
// browser at http://localhost:PORT. Only the database location, the demo size and the port are
// set, so the test neither touches data/ nor collides with another server.

describe('first run: npm start without ORIGIN', () => {
	const browser = useBrowser();
	let server: ChildProcess;
	let output = '';
	let port = 0;
	const dir = mkdtempSync(join(tmpdir(), 'caselens-first-run-'));

	beforeAll(async () => {
		port = await freePort();
		const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), CASELENS_DB: join(dir, 'caselens.duckdb'), CASELENS_DEMO_CASES: '1500' };
		for (const name of ['ORIGIN', 'PROTOCOL_HEADER', 'HOST_HEADER', 'HOST', 'BODY_SIZE_LIMIT']) delete env[name];
		server = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		server.stdout?.on('data', (d) => (output += d));
		server.stderr?.on('data', (d) => (output += d));
		const deadline = Date.now() + 180_000;
		for (;;) {
			if (server.exitCode !== null) throw new Error(`npm start exited with ${server.exitCode}:\n${output}`);
			if (Date.now() > deadline) throw new Error(`npm start did not answer within 180 s:\n${output}`);
			const ok = await fetch(`http://localhost:${port}/login`).then((r) => r.ok, () => false);
			if (ok) break;
			await new Promise((r) => setTimeout(r, 300));
		}
	});

	afterAll(async () => {
		// npm runs node as a child: end the whole group.
		if (server?.pid) process.kill(-server.pid, 'SIGTERM');
		await new Promise((r) => setTimeout(r, 500));
		rmSync(dir, { recursive: true, force: true });
	});

	for (const host of ['localhost', '127.0.0.1']) {
		test(`signs in at http://${host}:PORT`, async () => {
			const page = await browser().newPage();
			const { username, password } = account('admin');
			// After the page's scripts ran: hydration empties a form typed into too early (see session.ts).
			await page.goto(`http://${host}:${port}/login`, { waitUntil: 'networkidle' });
			await page.getByLabel('User name').fill(username);
			await page.getByLabel('Password').fill(password);
			await page.getByRole('button', { name: 'Sign in' }).click();
			await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 30_000 });
			expect(new URL(page.url()).pathname).toBe('/');
			await expect(page.getByRole('heading', { level: 1 }).first().innerText()).resolves.toBeTruthy();
			await page.close();
		});
	}

	test('the console shows no advice that does not apply, and the server listens on loopback only', () => {
		expect(output).not.toContain('npm run preview');
		expect(output).toContain(`Listening on http://127.0.0.1:${port}`);
	});

	test('an export larger than 512 KB imports through the page API (no framework-wide body limit in the way)', async () => {
		const { username, password } = account('admin');
		const cookie = await sessionCookie(`http://localhost:${port}`, username, password);
		const rows = Array.from({ length: 30_000 }, (_, i) => `big-${i},2026-10-01 10:00:00,open,europe,refund_request,a subject long enough to make this file large`);
		const body = ['case_id,created_at,status,region,category,subject', ...rows].join('\n') + '\n';
		expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
		const response = await fetch(`http://localhost:${port}/api/imports?kind=cases`, {
			method: 'POST',
			headers: { cookie, origin: `http://localhost:${port}`, 'content-type': 'text/csv', 'x-file-name': 'big.csv' },
			body
		});
		expect(response.status).toBe(200);
		// The server brought the kept tables up to date before the import committed (imports/keep-derived.server.ts).
		expect(await response.json()).toMatchObject({ status: 'committed', accepted: 30_000, rejected: 0, timings_ms: { views: expect.any(Number) } });
	});

	test('a form post from another origin is still refused', async () => {
		const response = await fetch(`http://localhost:${port}/login`, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
			body: new URLSearchParams({ username: 'admin', password: 'x' })
		});
		expect(response.status).toBe(403);
	});

	test('a client cannot claim https through the protocol header', async () => {
		const response = await fetch(`http://localhost:${port}/login`, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `https://localhost:${port}`, 'x-caselens-protocol': 'https' },
			body: new URLSearchParams({ username: 'admin', password: 'x' })
		});
		expect(response.status).toBe(403);
	});
});
