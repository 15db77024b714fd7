import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { complianceReport } from '../../src/lib/metrics/compliance/compliance.server';
import { speedReport } from '../../src/lib/metrics/speed/speed.server';
import { currentPolicy, updatePolicy } from '../../src/lib/core/policy/policy.server';
import { getOverview } from '../../src/lib/overview/overview.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

const END = new Date('2026-11-01T00:00:00Z');
const all = parseFilters(new URLSearchParams());
let f: IngestFixture;

beforeAll(async () => {
	f = await ingestFixture();
	const demo = await writeDemoFiles(f.dir, { cases: 3_000, seed: 5, end: END });
	await f.ingest(demo.casesPath, { kind: 'cases' });
	await f.ingest(demo.feedbackPath, { kind: 'feedback' });
});

afterAll(async () => {
	await f?.dispose();
});

const speed = (by: 'region' | 'channel' = 'region') => speedReport(f.db, { measure: 'first_response', filters: all, by, today: END });

describe('reports cached per data version', () => {
	test('a second reader of the same view gets the same answer without a new scan; readers in flight share one', async () => {
		const [a, b] = await Promise.all([speed(), speed()]);
		expect(b).toBe(a);
		expect(await speed()).toBe(a);
		// A different view is a different answer.
		const byChannel = await speed('channel');
		expect(byChannel).not.toBe(a);
		expect(byChannel.groups.map((g) => g.group)).not.toEqual(a.groups.map((g) => g.group));
	});

	test('an import invalidates the answers it could change', async () => {
		const before = await speed();
		const overviewBefore = await getOverview(f.db);
		// Another seed with the same case ids: every case is replaced by a different one.
		const more = await writeDemoFiles(`${f.dir}/more`, { cases: 3_000, seed: 6, end: END });
		const summary = await f.ingest(more.casesPath, { kind: 'cases' });
		expect(summary.accepted).toBe(3_000);
		const after = await speed();
		expect(after).not.toBe(before);
		expect(after.overall.km_median).not.toBe(before.overall.km_median);
		const overviewAfter = await getOverview(f.db);
		expect(overviewAfter.imports.batches).toBe(overviewBefore.imports.batches + 1);
	});

	test('an import still running changes no answer: readers keep the cached one until it commits or fails', async () => {
		const before = await speed();
		const overview = await getOverview(f.db);
		// A batch on record as running, as ingestFile leaves it while its rows load in their own
		// transaction (nothing of it is visible to readers before that commits).
		await sql`INSERT INTO import_batches SELECT * REPLACE (nextval('batch_id_seq') AS batch_id, 'running' AS status)
			FROM import_batches ORDER BY batch_id DESC LIMIT 1`.execute(f.db);
		expect(await speed()).toBe(before);
		expect(await getOverview(f.db)).toBe(overview);
		await sql`UPDATE import_batches SET status = 'failed' WHERE status = 'running'`.execute(f.db);
		const afterFailure = await getOverview(f.db);
		expect(afterFailure).not.toBe(overview);
		expect(afterFailure.imports.failed).toBe(overview.imports.failed + 1);
	});

	test('a policy edit invalidates the answers that read the policy', async () => {
		const before = await complianceReport(f.db, { filters: all, today: END });
		expect(await complianceReport(f.db, { filters: all, today: END })).toBe(before);
		const { version, policy } = await currentPolicy(f.db);
		await updatePolicy(f.db, policy, 'cache test', 'test', version);
		const after = await complianceReport(f.db, { filters: all, today: END });
		expect(after).not.toBe(before);
		expect(after.policy_version).toBe(version + 1);
	});
});
