// The built server on loopback for the scripts that measure it (`npm run soak`, `npm run
// bench:dashboard`): a free port, a start that waits until the sign-in page answers, and the
// process's memory from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildIfStale } from '../build-if-stale.js';
import { freePort } from '../../tests/browser/free-port';

export { freePort };

export type RunningServer = ChildProcess & { output: () => string };

/** Builds when the sources changed, starts scripts/serve.js with `env` on `port`, waits for /login. */
export async function startServer(port: number, env: Record<string, string>): Promise<RunningServer> {
	buildIfStale();
	const server = spawn(process.execPath, ['scripts/serve.js'], {
		env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	server.stdout?.on('data', (d) => (output += d));
	server.stderr?.on('data', (d) => (output += d));
	const deadline = Date.now() + 300_000;
	for (;;) {
		if (server.exitCode !== null) throw new Error(`the server exited:\n${output}`);
		if (Date.now() > deadline) throw new Error(`the server did not answer within 300 s:\n${output}`);
		if (await fetch(`http://127.0.0.1:${port}/login`).then((r) => r.ok, () => false)) break;
		await new Promise((r) => setTimeout(r, 300));
	}
	return Object.assign(server, { output: () => output });
}

/** Resident memory now (VmRSS) or at its peak (VmHWM), in MB. */
export function rssMb(pid: number, which: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
	const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${which}:`));
	return Math.round(Number(line?.replace(/\D+/g, '') ?? 0) / 1024);
}

export const quantile = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] : NaN);
