import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { loadDemo } from '../../src/lib/demo/load-demo.server';
import { ingestFixture, MiB, type IngestFixture } from './ingest-fixture';

/**
 * The fixture of a test file over a demo archive: an in-memory database filled with `cases` demo
 * cases (and their answers) before the file's tests, closed after them. The object is filled in
 * by the hook, so use it inside tests and hooks only.
 */
export function useDemoArchive(options: { cases: number; seed: number; end: Date }): IngestFixture {
	const fixture = {} as IngestFixture;
	beforeAll(async () => {
		Object.assign(fixture, await ingestFixture());
		await loadDemo(fixture.db, { ...options, archiveDir: join(fixture.dir, 'archive'), maxBytes: 200 * MiB, importedBy: 'test' });
	}, 120_000);
	afterAll(async () => {
		await fixture.dispose?.();
	});
	return fixture;
}
