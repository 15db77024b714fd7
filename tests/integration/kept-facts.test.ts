import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/lib/core/db/database.server';
import { keptByData } from '../../src/lib/metrics/filters/data-version.server';
import { archiveCoverage } from '../../src/lib/metrics/coverage.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

// Facts about the archive are kept per data version in the database itself, so a restarted server
// reads them instead of scanning the archive again, and a new import makes them be computed anew.
let f: IngestFixture;
let reopened: OpenDatabase | null = null;
const CASES = 'case_id,created_at,status,region,category\nA-1,2026-10-01T10:00:00Z,open,europe,return_request\nA-2,2026-10-02T10:00:00Z,solved,latam,refund\n';

beforeAll(async () => {
	f = await ingestFixture('kept.duckdb');
	await f.ingest(await f.file('cases.csv', CASES), { kind: 'cases' });
});

afterAll(async () => {
	await reopened?.close();
	await f?.dispose();
});

describe('kept facts', () => {
	test('survive a restart with their Dates and big integers, and are computed again after an import', async () => {
		let computed = 0;
		const fact = async () => {
			computed += 1;
			return { at: new Date('2026-10-02T10:00:00Z'), n: 2, big: 12345678901234567890n, none: null, list: ['europe', 'latam'] };
		};
		const first = await keptByData(f.db, 'test-fact', fact);
		expect(await keptByData(f.db, 'test-fact', fact)).toBe(first);
		expect(computed).toBe(1);
		const coverage = await archiveCoverage(f.db);
		expect(coverage.cases).toBe(2);

		await f.open.close();
		reopened = await openDatabase(join(f.dir, 'kept.duckdb'));
		const again = await keptByData(reopened.db, 'test-fact', fact);
		expect(computed).toBe(1);
		expect(again).toEqual(first);
		expect(again.at).toBeInstanceOf(Date);
		expect(typeof again.big).toBe('bigint');
		expect((await archiveCoverage(reopened.db)).cases).toBe(2);

		await f.ingest(await f.file('more.csv', CASES.replace(/A-1/g, 'B-1').replace(/A-2/g, 'B-2')), { kind: 'cases' }, reopened.db);
		await keptByData(reopened.db, 'test-fact', fact);
		expect(computed).toBe(2);
		expect((await archiveCoverage(reopened.db)).cases).toBe(4);
	});
});
