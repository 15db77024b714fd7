import { isHttpError } from '@sveltejs/kit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { caseQueryFromParams, listCases, streamCases, type CaseListRow } from '../../src/lib/cases/case-list.server';
import { snapshotTime } from '../../src/lib/metrics/filters/snapshot.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

const END = new Date('2026-11-01T00:00:00Z');
let f: IngestFixture;

// Subjects and a comment where % and _ would be wildcards if the pattern were not escaped.
const LITERAL_CASES = `case_id,created_at,first_response_at,status,region,category,subject
lit-1,2026-10-01T10:00:00Z,2026-10-01T11:00:00Z,solved,literal,billing,Refund of 100% promised
lit-2,2026-10-01T10:00:00Z,2026-10-01T12:00:00Z,solved,literal,billing,Refund of 1000 promised
lit-3,2026-10-01T10:00:00Z,2026-10-01T13:00:00Z,solved,literal,billing,Wrong code order_7 applied
lit-4,2026-10-01T10:00:00Z,2026-10-01T14:00:00Z,solved,literal,billing,Wrong code orderX7 applied
lit-5,2026-10-01T10:00:00Z,,open,literal,billing,Path C:\\temp\\x broken
lit-6,2026-10-01T10:00:00Z,2026-10-01T15:00:00Z,solved,literal,billing,Nothing special
`;
const LITERAL_FEEDBACK = `feedback_id,case_id,submitted_at,csat,comment
lit-f6,lit-6,2026-10-02T10:00:00Z,2,They said discount_code was 50% off
`;

function list(query: string, page = { offset: 0, limit: 50 }, role: 'admin' | 'viewer' = 'admin') {
	return listCases(f.db, caseQueryFromParams(new URLSearchParams(query)), page, role, END);
}

async function csv(query: string, role: 'admin' | 'viewer' = 'admin'): Promise<Omit<CaseListRow, 'comment_match'>[]> {
	const rows = [];
	for await (const row of streamCases(f.db, caseQueryFromParams(new URLSearchParams(query)), role, END)) rows.push(row);
	return rows;
}

function statusOf(run: () => unknown): number | string {
	try {
		run();
		return 'accepted';
	} catch (e) {
		return isHttpError(e) ? `${e.status} ${e.body.message}` : String(e);
	}
}

beforeAll(async () => {
	f = await ingestFixture();
	const demo = await writeDemoFiles(f.dir, { cases: 20_000, seed: 11, end: END });
	await f.ingest(demo.casesPath, { kind: 'cases' });
	await f.ingest(demo.feedbackPath, { kind: 'feedback' });
	await f.ingest(await f.file('literal-cases.csv', LITERAL_CASES), { kind: 'cases' });
	await f.ingest(await f.file('literal-feedback.csv', LITERAL_FEEDBACK), { kind: 'feedback' });
});

afterAll(async () => {
	await f?.dispose();
});

/** The sort key as the page states it: an open case's age at the snapshot, beyond every answered case. */
function slowness(row: Pick<CaseListRow, 'first_response_hours' | 'hours_open_at_snapshot'>): [number, number] {
	return row.first_response_hours === null ? [1, row.hours_open_at_snapshot ?? NaN] : [0, row.first_response_hours];
}

describe('sorting', () => {
	test('first response, slowest first: open cases by age, then non-increasing durations, as an independent computation', async () => {
		const first = await list('sort=first_response&dir=desc', { offset: 0, limit: 2000 });
		expect(first.total).toBe(20_006);
		const keys = first.rows.map(slowness);
		for (let i = 1; i < keys.length; i++) {
			const [a, b] = [keys[i - 1], keys[i]];
			expect(a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]), `row ${i}: ${a} before ${b}`).toBe(true);
		}
		// The demo leaves some cases unanswered, so the first page shows both kinds.
		expect(keys.some((k) => k[0] === 1) && keys.some((k) => k[0] === 0)).toBe(true);

		// Independent: the raw timestamps, the snapshot rebuilt from every timestamp, ranked in JS.
		const raw = await f.db.selectFrom('cases').select(['case_id', 'created_at', 'first_response_at', 'resolved_at']).execute();
		const snapshot = Math.max(...raw.flatMap((c) => [c.created_at, c.first_response_at, c.resolved_at]).filter((d): d is Date => d !== null).map((d) => d.getTime()));
		expect(snapshot).toBe((await snapshotTime(f.db))?.getTime());
		const ranked = raw
			.map((c) => ({ id: c.case_id, open: c.first_response_at === null ? 1 : 0, ms: (c.first_response_at?.getTime() ?? snapshot) - c.created_at.getTime() }))
			.sort((a, b) => b.open - a.open || b.ms - a.ms || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
		expect(first.rows.slice(0, 20).map((r) => r.case_id)).toEqual(ranked.slice(0, 20).map((r) => r.id));
		// Among answered cases only, the top 20 of a plain SQL query.
		const { rows: answered } = await sql<{ case_id: string }>`
			SELECT case_id FROM cases WHERE first_response_at IS NOT NULL
			ORDER BY date_diff('second', created_at, first_response_at) DESC, case_id DESC LIMIT 20`.execute(f.db);
		const firstAnswered = first.rows.findIndex((r) => r.first_response_hours !== null);
		expect(first.rows.slice(firstAnswered, firstAnswered + 20).map((r) => r.case_id)).toEqual(answered.map((r) => r.case_id));
	});

	test('pages continue the order, and ascending is the exact reverse', async () => {
		const whole = await list('sort=first_response&dir=desc', { offset: 0, limit: 100 });
		const second = await list('sort=first_response&dir=desc', { offset: 50, limit: 50 });
		expect(second.rows.map((r) => r.case_id)).toEqual(whole.rows.slice(50).map((r) => r.case_id));
		const tail = await list('sort=first_response&dir=desc', { offset: whole.total - 20, limit: 20 });
		const asc = await list('sort=first_response&dir=asc', { offset: 0, limit: 20 });
		expect(asc.rows.map((r) => r.case_id)).toEqual(tail.rows.map((r) => r.case_id).reverse());
	});

	test('every column sorts in SQL; missing values last either way', async () => {
		for (const [sort, key] of [['team', 'team'], ['agent', 'agent_id'], ['channel', 'channel'], ['status', 'status'], ['case_id', 'case_id']] as const) {
			for (const dir of ['asc', 'desc'] as const) {
				const { rows, total } = await list(`sort=${sort}&dir=${dir}&from=2026-10-15`, { offset: 0, limit: 5000 });
				expect(rows.length).toBe(total);
				const values = rows.map((r) => r[key]);
				const present = values.filter((v) => v !== null) as string[];
				expect(values.slice(present.length).every((v) => v === null), `${sort} ${dir}`).toBe(true);
				const sorted = [...present].sort();
				expect(present).toEqual(dir === 'asc' ? sorted : sorted.reverse());
			}
		}
		const byCsat = await list('sort=csat&dir=asc', { offset: 0, limit: 500 });
		const scores = byCsat.rows.map((r) => r.csat);
		expect(scores[0]).toBe(1);
		expect(scores).toEqual([...scores].sort((a, b) => (a ?? 9) - (b ?? 9)));
		const newest = await list('');
		const times = newest.rows.map((r) => r.created_at.getTime());
		expect(times).toEqual([...times].sort((a, b) => b - a));
	});

	test('an unknown sort or direction is a 400 that names the parameter', () => {
		expect(statusOf(() => caseQueryFromParams(new URLSearchParams('sort=slowness')))).toMatch(/^400 "sort" must be one of case_id, created, .*first_response.*; got "slowness"/);
		expect(statusOf(() => caseQueryFromParams(new URLSearchParams('sort=created&dir=up')))).toMatch(/^400 "dir" must be asc or desc/);
		expect(statusOf(() => caseQueryFromParams(new URLSearchParams(`q=${'x'.repeat(201)}`)))).toMatch(/^400 "q"/);
		expect(statusOf(() => caseQueryFromParams(new URLSearchParams('sort=resolution&dir=DESC')))).toBe('accepted');
	});
});

describe('search', () => {
	test('finds exactly the cases whose subject or a comment contains the words, any case, with the filters', async () => {
		const count = async (term: string, region?: string) =>
			Number(
				(
					await sql<{ n: number }>`SELECT count(*) AS n FROM cases c
						WHERE (${region ?? null}::VARCHAR IS NULL OR c.region = ${region ?? null})
						AND (contains(lower(c.subject), ${term}) OR c.case_id IN (SELECT case_id FROM feedback WHERE contains(lower(comment), ${term})))`.execute(f.db)
				).rows[0].n
			);
		const all = await list('q=tracking', { offset: 0, limit: 5000 });
		expect(all.total).toBe(await count('tracking'));
		expect(all.total).toBeGreaterThan(50);
		// Some are found through a comment only, and say so.
		const viaComment = all.rows.filter((r) => !r.subject?.toLowerCase().includes('tracking'));
		expect(viaComment.length).toBeGreaterThan(0);
		for (const r of viaComment) expect(r.comment_match?.toLowerCase()).toContain('tracking');
		expect((await list('q=TRACKING')).total).toBe(all.total);

		const { rows: regions } = await sql<{ region: string }>`SELECT region FROM cases GROUP BY region ORDER BY count(*) DESC LIMIT 1`.execute(f.db);
		const region = regions[0].region;
		const narrowed = await list(`q=tracking&region=${region}&sort=first_response&dir=desc`, { offset: 0, limit: 5000 });
		expect(narrowed.total).toBe(await count('tracking', region));
		expect(narrowed.total).toBeLessThan(all.total);
		expect(new Set(narrowed.rows.map((r) => r.region))).toEqual(new Set([region]));
	});

	test("treats % and _ (and \\) as letters, not wildcards", async () => {
		const ids = async (q: string) => (await list(new URLSearchParams({ q }).toString())).rows.map((r) => r.case_id).sort();
		expect(await ids('100%')).toEqual(['lit-1']);
		expect(await ids('order_7')).toEqual(['lit-3']);
		expect(await ids('c:\\temp')).toEqual(['lit-5']);
		// A comment holds "discount_code" and "50%".
		expect(await ids('count_code')).toEqual(['lit-6']);
		const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM cases c WHERE contains(c.subject, '%') OR c.case_id IN (SELECT case_id FROM feedback WHERE contains(comment, '%'))`.execute(f.db);
		expect((await list('q=%25')).total).toBe(Number(rows[0].n));
		expect((await list('q=_')).total).toBeLessThan(20_006);
	});

	test('a viewer may not search for personal data it cannot see', async () => {
		await expect(list('q=someone@example.com', undefined, 'viewer')).rejects.toMatchObject({ status: 400 });
		expect((await list('q=someone@example.com', undefined, 'admin')).total).toBeGreaterThanOrEqual(0);
	});
});

describe('the CSV', () => {
	test('keeps the order, search and filters of the page; hours with at most 2 decimals', async () => {
		const query = 'q=tracking&sort=first_response&dir=desc';
		const page = await list(query, { offset: 0, limit: 5000 });
		const rows = await csv(query);
		expect(rows.map((r) => r.case_id)).toEqual(page.rows.map((r) => r.case_id));
		for (const [i, r] of rows.entries()) {
			for (const h of [r.first_response_hours, r.resolution_hours, r.hours_open_at_snapshot]) if (h !== null) expect(String(h)).toMatch(/^\d+(\.\d{1,2})?$/);
			if (r.first_response_hours !== null) expect(Math.abs(r.first_response_hours - (page.rows[i].first_response_hours ?? NaN))).toBeLessThanOrEqual(0.005 + 1e-9);
		}
		expect(rows.filter((r) => r.first_response_hours === null).every((r) => r.hours_open_at_snapshot !== null)).toBe(true);
	});
});
