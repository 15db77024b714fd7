import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listAudit } from '../../src/lib/core/audit-log.server';
import { addUser } from '../../src/lib/core/auth/users.server';
import { frictionSettings } from '../../src/lib/friction/friction-config.server';
import { itemImpact } from '../../src/lib/friction/impact.server';
import { createItem, FrictionItemError, getItem, updateItem } from '../../src/lib/friction/items.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

/**
 * A synthetic fix: "late delivery" is in 40 of 200 comments in the 30 days before 2026-03-01 and
 * in 10 of 200 in the 30 days after; CSAT 4-5 among them goes from 8/40 to 6/10. Comments outside
 * the two windows must not count. Reference values: scipy `chi2_contingency(..., correction=False)`
 * and statsmodels `confint_proportions_2indep(6, 10, 8, 40, method='newcomb')`.
 */
let f: IngestFixture;
const settings = frictionSettings({ before_after_days: 30 });

function day(d: string, i: number): string {
	return `${d} ${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00`;
}

function feedbackCsv(): string {
	const rows: string[] = ['feedback_id,case_id,submitted_at,kind,csat,comment,region'];
	let n = 0;
	const add = (date: (i: number) => string, count: number, csat: (i: number) => number, comment: string) => {
		for (let i = 0; i < count; i++) rows.push(`fb-${++n},,${date(i)},survey,${csat(i)},"${comment}",europe`);
	};
	// Before: 2026-01-30 .. 2026-02-28 (30 days).
	const before = (i: number) => day(new Date(Date.UTC(2026, 0, 30) + (i % 30) * 86_400_000).toISOString().slice(0, 10), i);
	const after = (i: number) => day(new Date(Date.UTC(2026, 2, 1) + (i % 30) * 86_400_000).toISOString().slice(0, 10), i);
	add(before, 40, (i) => (i < 8 ? 5 : 1), 'Late delivery again, two weeks.');
	add(before, 160, () => 5, 'Great product quality.');
	add(after, 10, (i) => (i < 6 ? 5 : 2), 'Late delivery, but they told me.');
	add(after, 190, () => 5, 'Great product quality.');
	// Outside both windows: ignored.
	add((i) => day('2026-01-10', i), 25, () => 1, 'Late delivery!!');
	add((i) => day('2026-04-10', i), 25, () => 1, 'Late delivery!!');
	return `${rows.join('\n')}\n`;
}

beforeAll(async () => {
	f = await ingestFixture();
	await f.ingest(await f.file('feedback.csv', feedbackCsv()), { kind: 'feedback' });
	await addUser(f.db, { username: 'lead', role: 'lead', password: 'lead-password-123' }, 'test');
	await addUser(f.db, { username: 'viewer', role: 'viewer', password: 'viewer-password-123' }, 'test');
});

afterAll(async () => {
	await f?.dispose();
});

describe('friction items', () => {
	test('before/after on a synthetic fix: counts, shares, CSAT and their tests', async () => {
		const { item_id } = await createItem(f.db, { kind: 'theme', subject: 'late delivery', source: 'comments', title: 'Late delivery', owner: 'lead' }, 'lead');
		const item = await updateItem(f.db, item_id, { status: 'fixed', fix_date: '2026-03-01' }, 'lead');
		const impact = await itemImpact(f.db, item, { settings });
		expect(impact?.days).toBe(30);
		expect(impact?.before?.from.toISOString()).toBe('2026-01-30T00:00:00.000Z');
		expect(impact?.after?.to.toISOString()).toBe('2026-03-31T00:00:00.000Z');
		expect([impact?.before?.count, impact?.before?.total, impact?.after?.count, impact?.after?.total]).toEqual([40, 200, 10, 200]);
		expect(impact?.before?.share).toBeCloseTo(0.2, 12);
		expect(impact?.after?.share).toBeCloseTo(0.05, 12);
		expect(impact?.share_p).toBeCloseTo(5.744711919156866e-6, 15);
		expect([impact?.before?.rated, impact?.before?.csat_share, impact?.after?.rated, impact?.after?.csat_share]).toEqual([40, 0.2, 10, 0.6]);
		expect(impact?.before?.csat_mean).toBeCloseTo((8 * 5 + 32) / 40, 12);
		expect(impact?.csat_p).toBeCloseTo(0.011743382301172603, 12);
		expect(impact?.csat_diff?.estimate).toBeCloseTo(0.4, 12);
		expect(impact?.csat_diff?.lower).toBeCloseTo(0.07699199443478932, 10);
		expect(impact?.csat_diff?.upper).toBeCloseTo(0.6505301958981956, 10);
	});

	test('no fix date, or no data after it: no comparison yet', async () => {
		const { item_id } = await createItem(f.db, { kind: 'theme', subject: 'great product', source: 'comments', title: 'Praise' }, 'lead');
		const found = await getItem(f.db, item_id);
		expect(await itemImpact(f.db, found!.item, { settings })).toBeNull();
		const later = await updateItem(f.db, item_id, { fix_date: '2027-01-01' }, 'lead');
		expect((await itemImpact(f.db, later, { settings }))?.days).toBe(0);
	});

	test('an item moves through its statuses; every change is in its history and the audit trail', async () => {
		const { item_id, existed } = await createItem(f.db, { kind: 'structural', subject: 'reopen:category:defect', title: 'Defects reopened' }, 'lead');
		expect(existed).toBe(false);
		// Flagging the same point again opens the same item.
		expect(await createItem(f.db, { kind: 'structural', subject: 'reopen:category:defect', title: 'again' }, 'lead')).toEqual({ item_id, existed: true });
		await updateItem(f.db, item_id, { status: 'acknowledged', owner: 'lead' }, 'lead');
		await updateItem(f.db, item_id, { status: 'in_progress', note: 'Carrier contacted, see ticket 42.' }, 'lead');
		const fixed = await updateItem(f.db, item_id, { status: 'fixed' }, 'lead', new Date('2026-05-02T12:00:00Z'));
		// Fixed without a fix date: today's date is set, since the before/after needs one.
		expect(fixed.fix_date).toBe('2026-05-02');
		await updateItem(f.db, item_id, { status: 'reported_back' }, 'lead');
		const found = await getItem(f.db, item_id);
		expect(found?.item.status).toBe('reported_back');
		expect(found?.events.map((e) => [e.kind, e.from_value, e.to_value])).toEqual([
			['created', null, 'new'],
			['status', 'new', 'acknowledged'],
			['owner', null, 'lead'],
			['status', 'acknowledged', 'in_progress'],
			['note', null, null],
			['status', 'in_progress', 'fixed'],
			['fix_date', null, '2026-05-02'],
			['status', 'fixed', 'reported_back']
		]);
		expect(found?.events[4].note).toBe('Carrier contacted, see ticket 42.');
		const audit = await listAudit(f.db, { search: `friction item ${item_id}` });
		const statusMoves = audit.rows.filter((a) => a.action === 'friction.item.status' && a.target === `friction item ${item_id}`).map((a) => [JSON.parse(a.before_json ?? '{}').status, JSON.parse(a.after_json ?? '{}').status]);
		expect(statusMoves.reverse()).toEqual([
			['new', 'acknowledged'],
			['acknowledged', 'in_progress'],
			['in_progress', 'fixed'],
			['fixed', 'reported_back']
		]);
		expect(audit.rows.some((a) => a.action === 'friction.item.create' && a.target === `friction item ${item_id}` && a.actor === 'lead')).toBe(true);
	});

	test('refused changes say why and change nothing', async () => {
		const { item_id } = await createItem(f.db, { kind: 'theme', subject: 'quality', source: 'comments', title: 'Quality' }, 'lead');
		const refused = (change: Parameters<typeof updateItem>[2]) => expect(updateItem(f.db, item_id, change, 'lead')).rejects.toBeInstanceOf(FrictionItemError);
		await refused({ status: 'done' });
		await refused({ owner: 'viewer' });
		await refused({ owner: 'nobody-here' });
		await refused({ fix_date: '2026-02-30' });
		await refused({});
		await expect(createItem(f.db, { kind: 'theme', subject: 'x', title: 'no source' }, 'lead')).rejects.toBeInstanceOf(FrictionItemError);
		await expect(createItem(f.db, { kind: 'structural', subject: 'reopen:team:x', title: 'bad dimension' }, 'lead')).rejects.toBeInstanceOf(FrictionItemError);
		await expect(createItem(f.db, { kind: 'other', subject: 'x', title: 'x' }, 'lead')).rejects.toBeInstanceOf(FrictionItemError);
		const found = await getItem(f.db, item_id);
		expect(found?.item.status).toBe('new');
		expect(found?.events.length).toBe(1);
	});
});
