import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every temp folder Caselens makes starts with this, so a sweep finds them all and nothing else. */
const PREFIX = 'caselens-';
const OWNER_FILE = 'owner.pid';
/** A folder without an owner file (made before the file is written, or by an older version) is left this long. */
const UNOWNED_GRACE_MS = 24 * 60 * 60_000;

/**
 * A private temp folder that names its process: after a crash (kill -9 in the middle of an
 * upload) the next sweep sees that the process is gone and removes what it left, which can be
 * hundreds of megabytes.
 */
export async function makeTempDir(purpose: string): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), `${PREFIX}${purpose}-`));
	await writeFile(join(dir, OWNER_FILE), String(process.pid));
	return dir;
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: the process exists but belongs to someone else.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Removes the temp folders of processes that are gone; returns how many and how many bytes. */
export async function sweepTempDirs(root = tmpdir()): Promise<{ removed: number; bytes: number }> {
	let removed = 0;
	let bytes = 0;
	const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
	for (const entry of entries) {
		if (!entry.isDirectory() || !entry.name.startsWith(PREFIX)) continue;
		const dir = join(root, entry.name);
		const owner = Number(await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => 'NaN'));
		const keep = Number.isInteger(owner) && owner > 0 ? alive(owner) : Date.now() - (await stat(dir).then((s) => s.mtimeMs).catch(() => Date.now())) < UNOWNED_GRACE_MS;
		if (keep) continue;
		bytes += await folderBytes(dir);
		await rm(dir, { recursive: true, force: true });
		removed++;
	}
	return { removed, bytes };
}

async function folderBytes(dir: string): Promise<number> {
	let total = 0;
	for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
		const path = join(dir, entry.name);
		total += entry.isDirectory() ? await folderBytes(path) : await stat(path).then((s) => s.size).catch(() => 0);
	}
	return total;
}
