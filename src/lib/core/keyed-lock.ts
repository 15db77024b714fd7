/**
 * Runs async work one at a time per key, in this process. DuckDB answers two transactions that
 * update the same row at once with "Conflict on update" (a 500 for the second request); writes
 * that can race (failed-login counters, a review submitted twice, policy saves) queue here
 * instead, so each sees the previous one's result. One server process holds the database file,
 * so a process-wide queue covers every writer.
 */
const tails = new Map<string, Promise<unknown>>();

export async function withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
	const before = tails.get(key) ?? Promise.resolve();
	const run = before.then(work, work);
	const tail = run.catch(() => undefined);
	tails.set(key, tail);
	try {
		return await run;
	} finally {
		// The last in the queue removes the key, so the map holds only keys with work pending.
		if (tails.get(key) === tail) tails.delete(key);
	}
}

/** `work` while holding every one of `keys`, taken one after another in sorted order (two callers never wait on each other crosswise). */
function withLocks<T>(keys: string[], work: () => Promise<T>): Promise<T> {
	const [first, ...rest] = [...new Set(keys)].sort();
	return first === undefined ? work() : withLock(first, () => withLocks(rest, work));
}

/** Takes every one of `keys` (as withLocks does) and answers once they are held, with the function that lets them go. */
export function holdLocks(keys: string[]): Promise<() => void> {
	return new Promise((held) => {
		void withLocks(keys, () => new Promise<void>((letGo) => held(letGo)));
	});
}

/** Keys with work queued or running (for tests and the soak script). */
export function pendingLocks(): number {
	return tails.size;
}
