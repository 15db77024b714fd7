import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildIfStale } from '../../scripts/build-if-stale.js';
import { freePort } from './free-port';

declare module 'vitest' {
	export interface ProvidedContext {
		baseUrl: string;
		dbPath: string;
		/** A viewer account that the lockout test may lock without disturbing other tests. */
		lockoutUser: { username: string; password: string };
		/** A second reviewer, so the audit test can try to open another reviewer's draft. */
		secondReviewer: { username: string; password: string };
		/** An account for the parallel-lockout test. */
		raceUser: { username: string; password: string };
	}
}

async function waitFor(url: string, server: ChildProcess, log: () => string, timeoutMs = 120_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (server.exitCode !== null) throw new Error(`The test server exited with ${server.exitCode}:\n${log()}`);
		try {
			const response = await fetch(url);
			if (response.ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error(`The test server did not answer at ${url} within ${timeoutMs / 1000} s:\n${log()}`);
}

/** Builds the app, then serves it on a free port over a throwaway database filled with a small demo. */
export default async function setup(project: TestProject) {
	buildIfStale();
	const dir = mkdtempSync(join(tmpdir(), 'caselens-browser-'));
	const port = await freePort();
	const dbPath = join(dir, 'caselens.duckdb');
	// The database is prepared through the CLI before the server takes it: demo data with the
	// demo accounts, plus one account that exists only to be locked out.
	const cli = (args: string[], input?: string) => execFileSync(process.execPath, ['bin/caselens.js', ...args, '--db', dbPath], { input, encoding: 'utf8' });
	cli(['demo', '--cases', '3000', '--seed', '42']);
	const lockoutUser = { username: 'lockout-target', password: 'lockout-target-pw' };
	cli(['user', 'add', lockoutUser.username, '--role', 'viewer', '--password-stdin'], `${lockoutUser.password}\n`);
	const secondReviewer = { username: 'reviewer-two', password: 'reviewer-two-pw' };
	cli(['user', 'add', secondReviewer.username, '--role', 'reviewer', '--password-stdin'], `${secondReviewer.password}\n`);
	const raceUser = { username: 'race-target', password: 'race-target-pw' };
	cli(['user', 'add', raceUser.username, '--role', 'viewer', '--password-stdin'], `${raceUser.password}\n`);
	let output = '';
	const server = spawn(process.execPath, ['scripts/serve.js'], {
		env: { ...process.env, PORT: String(port), CASELENS_DB: dbPath, CASELENS_LOGIN_ATTEMPTS_PER_MINUTE: '10000', CASELENS_MAX_UPLOAD_MB: '32' },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	server.stdout?.on('data', (d) => (output += d));
	server.stderr?.on('data', (d) => (output += d));
	const baseUrl = `http://127.0.0.1:${port}`;
	await waitFor(baseUrl, server, () => output);
	project.provide('baseUrl', baseUrl);
	project.provide('dbPath', dbPath);
	project.provide('lockoutUser', lockoutUser);
	project.provide('secondReviewer', secondReviewer);
	project.provide('raceUser', raceUser);
	return async () => {
		server.kill('SIGTERM');
		await new Promise((r) => setTimeout(r, 300));
		rmSync(dir, { recursive: true, force: true });
	};
}
