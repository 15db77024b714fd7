import { dirname, join, resolve } from 'node:path';
import { configuredDbPath } from './db/database.server';

/** Settings read from the environment, with the defaults a fresh install needs. */
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
	 */
	reportCache: boolean;
}

function megabytes(name: string, fallback: number): number {
	const value = Number(process.env[name]);
	return (Number.isFinite(value) && value > 0 ? value : fallback) * 1024 * 1024;
}

export function appConfig(dbPath: string = configuredDbPath()): AppConfig {
	const absolute = dbPath === ':memory:' ? dbPath : resolve(dbPath);
	return {
		dbPath: absolute,
		archiveDir: process.env.CASELENS_ARCHIVE_DIR || join(absolute === ':memory:' ? resolve('data') : dirname(absolute), 'archive'),
		maxUploadBytes: megabytes('CASELENS_MAX_UPLOAD_MB', 1024),
		maxLineBytes: megabytes('CASELENS_MAX_LINE_MB', 2),
		demoCases: Number(process.env.CASELENS_DEMO_CASES ?? 50_000),
		reportCache: process.env.CASELENS_REPORT_CACHE !== 'off'
	};
}
