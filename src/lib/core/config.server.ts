import { dirname, join, resolve } from 'node:path';

/**
 * Every setting the app reads from the environment, in one place, with the defaults a fresh
 * install needs (README, "Settings"). Nothing else in src reads process.env
 * (tests/unit/code-rules.test.ts checks); scripts/serve.js and scripts/start.js only set the
 * variables SvelteKit's Node adapter reads before this code runs.
 */
export interface AppConfig {
	dbPath: string;
	/** Raw imported files, kept for audits; next to the database file. */
	archiveDir: string;
	maxUploadBytes: number;
	maxLineBytes: number;
	/** Demo size loaded into an empty database on first start (0 = no demo). */
	demoCases: number;
	/**
	 * Answers kept per data version (src/lib/metrics/filters/data-version.server.ts). Off only to
	 * measure the work itself: `npm run bench:dashboard` times cold pages with CASELENS_REPORT_CACHE=off.
	 * What an import leaves behind (kept facts, derived tables) is kept either way.
	 */
	reportCache: boolean;
}

export const DEFAULT_DB_PATH = 'data/caselens.duckdb';

const env = (name: string): string | undefined => process.env[name] || undefined;

function positive(name: string, fallback: number): number {
	const value = Number(env(name));
	return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** CASELENS_DB, or the default file under data/. */
export function configuredDbPath(): string {
	return env('CASELENS_DB') ?? DEFAULT_DB_PATH;
}

/** DuckDB's memory limit: bounded so a large import spills to disk instead of growing the process on a shared machine. */
export function memoryLimit(): string {
	return env('CASELENS_MEMORY_LIMIT') ?? '1GB';
}

/** Sign-in attempts per address per minute; raised where many people share one address (or in tests). */
export function loginAttemptsPerMinute(): number {
	return positive('CASELENS_LOGIN_ATTEMPTS_PER_MINUTE', 20);
}

/** npm start sets CASELENS_DEMO=1: an empty database gets the demo on first start. */
export function loadDemoOnStart(): boolean {
	return env('CASELENS_DEMO') === '1';
}

/** Where this server listens, as scripts/serve.js was told (HOST, PORT) and as users reach it (ORIGIN). */
export function listenAddress(): { host: string | undefined; port: number; origin: string | undefined } {
	return { host: env('HOST'), port: positive('PORT', 3000), origin: env('ORIGIN') };
}

export function appConfig(dbPath: string = configuredDbPath()): AppConfig {
	const absolute = dbPath === ':memory:' ? dbPath : resolve(dbPath);
	return {
		dbPath: absolute,
		archiveDir: env('CASELENS_ARCHIVE_DIR') ?? join(absolute === ':memory:' ? resolve('data') : dirname(absolute), 'archive'),
		maxUploadBytes: positive('CASELENS_MAX_UPLOAD_MB', 1024) * 1024 * 1024,
		maxLineBytes: positive('CASELENS_MAX_LINE_MB', 2) * 1024 * 1024,
		demoCases: Number(process.env.CASELENS_DEMO_CASES ?? 50_000),
		reportCache: env('CASELENS_REPORT_CACHE') !== 'off'
	};
}
