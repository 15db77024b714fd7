import { loginAttemptsPerMinute } from '../config.server';

/**
 * A per-address limit on login attempts, in memory: it slows password guessing across many
 * accounts, which the per-account lockout (users.ts) alone does not.
 */
const WINDOW_MS = 60_000;
const MAX_ATTEMPTS = loginAttemptsPerMinute();
const attempts = new Map<string, number[]>();
let lastSweep = 0;

/** Forgets addresses with no attempt inside the window, so the map does not grow for ever. */
function sweep(now: number): void {
	lastSweep = now;
	for (const [address, times] of attempts) if (!times.some((t) => now - t < WINDOW_MS)) attempts.delete(address);
}

/** Addresses currently remembered (for tests). */
export function throttledAddresses(): number {
	return attempts.size;
}

export function allowLoginAttempt(address: string, now = Date.now()): boolean {
	if (now - lastSweep >= WINDOW_MS) sweep(now);
	const recent = (attempts.get(address) ?? []).filter((t) => now - t < WINDOW_MS);
	if (recent.length >= MAX_ATTEMPTS) {
		attempts.set(address, recent);
		return false;
	}
	recent.push(now);
	attempts.set(address, recent);
	return true;
}
