import { makeTempDir } from '../imports/temp-files.server';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import { ingestFile, type BatchSummary, type IngestProgress } from '../imports/ingest-file.server';
import { createDemoAccounts, DEMO_ACCOUNTS } from './demo-accounts.server';
import { writeDemoFiles, type DemoOptions } from './generate-demo.server';
import { importMessages, type MessageImportSummary } from '../conversations/import-messages.server';

export interface DemoLoad {
	cases: BatchSummary;
	feedback: BatchSummary;
	/** Every case's conversation, loaded after the cases (so the summary compares first responses). */
	messages: MessageImportSummary;
	seconds: number;
	/** The demo accounts, when this load created them (only into a database without accounts). */
	accounts: typeof DEMO_ACCOUNTS | null;
}

/**
 * Generates demo exports and imports them through the same path as any user file. A database
 * without accounts also gets the demo accounts: demo data is only ever explored with them.
 */
export async function loadDemo(
	db: Kysely<Database>,
	options: DemoOptions & { archiveDir: string; maxBytes: number; importedBy: string },
	onProgress?: (message: string) => void
): Promise<DemoLoad> {
	const started = performance.now();
	const dir = await makeTempDir('demo');
	try {
		onProgress?.(`Generating ${options.cases.toLocaleString('en')} demo cases (seed ${options.seed}${options.nullMode ? ', null mode' : ''})`);
		const files = await writeDemoFiles(dir, { ...options, messages: true });
		const common = { archiveDir: options.archiveDir, maxBytes: options.maxBytes, importedBy: options.importedBy, source: 'demo' as const, preset: 'canonical' };
		const relay = (p: IngestProgress) => onProgress?.(p.message);
		const cases = await ingestFile(db, { ...common, path: files.casesPath, fileName: 'demo-cases.csv', kind: 'cases', onProgress: relay });
		const feedback = await ingestFile(db, { ...common, path: files.feedbackPath, fileName: 'demo-feedback.csv', kind: 'feedback', onProgress: relay });
		const messages = await importMessages(db, { ...common, path: files.messagesPath as string, fileName: 'demo-messages.csv', format: 'canonical', onProgress });
		const accounts = (await createDemoAccounts(db)) ? DEMO_ACCOUNTS : null;
		return { cases, feedback, messages, seconds: (performance.now() - started) / 1000, accounts };
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

/** The console lines that show the demo accounts once, where they were created. */
export function demoAccountLines(accounts: typeof DEMO_ACCOUNTS): string[] {
	return ['Demo accounts (demo data only; shown once, and listed in the README):', ...accounts.map((a) => `  ${a.role.padEnd(10)} user ${a.username.padEnd(9)} password ${a.password}`)];
}
