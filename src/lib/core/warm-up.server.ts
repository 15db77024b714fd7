import { appConfig, listenAddress } from './config.server';
import { serverEntry } from './startup.server';

/**
 * The views a lead opens first, as the pages ask for them. After the server starts and after every
 * import, the server requests them itself, one after the other, so the answers are in the report
 * cache (src/lib/metrics/filters/data-version.server.ts) before the first reader arrives: the
 * expensive scans then run once per import instead of on someone's first click. A reader who comes
 * while a view is being computed waits for that same computation, never for a second one.
 */
export const WARM_VIEWS = ['/', '/speed', '/compliance', '/satisfaction', '/consistency', '/fairness', '/friction', '/friction/report', '/audits/auto-checks'] as const;

export interface WarmUpResult {
	path: string;
	status: number;
	ms: number;
}

let running: Promise<WarmUpResult[]> | null = null;
let again = false;
let last: { at: Date; results: WarmUpResult[] } | null = null;

/** The last completed warm-up, for the log and the tests. */
export function lastWarmUp(): { at: Date; results: WarmUpResult[] } | null {
	return last;
}

/** Where this process answers on loopback: the server requests its own pages. */
function loopbackBase(): string {
	const { host: listening, port } = listenAddress();
	const host = listening && listening !== '0.0.0.0' && listening !== '::' ? listening : '127.0.0.1';
	return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

async function warmOnce(): Promise<WarmUpResult[]> {
	const entry = serverEntry();
	if (!entry) return [];
	const results: WarmUpResult[] = [];
	// At start-up this runs before the server listens (scripts/serve.js listens once the app's init is done).
	for (let tries = 0; tries < 40; tries++) {
		if (await fetch(`${loopbackBase()}/login`).then((r) => r.ok, () => false)) break;
		await new Promise((r) => setTimeout(r, 250));
	}
	for (const path of WARM_VIEWS) {
		const start = performance.now();
		try {
			const response = await fetch(`${loopbackBase()}${path}`, { headers: { authorization: `Bearer ${entry.token}`, accept: 'text/html' } });
			await response.arrayBuffer();
			results.push({ path, status: response.status, ms: Math.round(performance.now() - start) });
		} catch {
			// Not listening yet (the start-up warm-up) or shutting down: the first reader computes it.
			results.push({ path, status: 0, ms: Math.round(performance.now() - start) });
		}
	}
	last = { at: new Date(), results };
	const ready = results.filter((r) => r.status === 200);
	console.log(`Caselens: ${ready.length} of ${results.length} first views computed in ${(results.reduce((t, r) => t + r.ms, 0) / 1000).toFixed(1)} s and cached until the next import.`);
	return results;
}

/**
 * Starts a warm-up in the background. Asked again while one runs (a second import), it runs once
 * more afterwards, since the first may have cached the data before that import.
 */
export function warmUp(): void {
	if (!appConfig().reportCache) return;
	if (running) {
		again = true;
		return;
	}
	running = warmOnce()
		.catch(() => [])
		.finally(() => {
			running = null;
			if (again) {
				again = false;
				warmUp();
			}
		});
}
