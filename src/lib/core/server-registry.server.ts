import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * DuckDB lets one process write a file. While the server holds it, the CLI finds the server
 * through this small file beside the database and hands imports to it over HTTP, authenticated
 * by a token that only users who can read the database folder can see.
 */
export interface ServerEntry {
	pid: number;
	url: string;
	token: string;
	started_at: string;
}

export function registryPath(dbPath: string): string {
	return `${dbPath}.server.json`;
}

export function registerServer(dbPath: string, url: string): ServerEntry {
	const entry: ServerEntry = { pid: process.pid, url, token: randomBytes(24).toString('hex'), started_at: new Date().toISOString() };
	writeFileSync(registryPath(dbPath), JSON.stringify(entry, null, 2), { mode: 0o600 });
	const cleanup = () => unregisterServer(dbPath, entry.pid);
	process.once('exit', cleanup);
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			cleanup();
			process.exit(0);
		});
	}
	return entry;
}

function unregisterServer(dbPath: string, pid: number): void {
	const current = findServer(dbPath, false);
	if (current?.pid === pid) rmSync(registryPath(dbPath), { force: true });
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

export function findServer(dbPath: string, checkAlive = true): ServerEntry | undefined {
	try {
		const entry = JSON.parse(readFileSync(registryPath(dbPath), 'utf8')) as ServerEntry;
		return !checkAlive || alive(entry.pid) ? entry : undefined;
	} catch {
		return undefined;
	}
}
