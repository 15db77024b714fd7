import { isHttpError } from '@sveltejs/kit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { caseCsvName, caseQueryFromParams, describeCaseQuery, listCases, streamCases, type CaseListRow } from '../../src/lib/cases/case-list.server';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { snapshotTime } from '../../src/lib/metrics/filters/snapshot.server';
import { speedReport, type SpeedMeasure } from '../../src/lib/metrics/speed/speed.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

const END = new Date('2026-11-01T00:00:00Z');
let f: IngestFixture;
let snapshot: Date;

/**
 * Cases of a team of their own in europe (config/policy.json: Europe/Berlin, Mon-Fri 09:00-17:00,
 * CEST = UTC+2 in mid-October 2026), one on each side of each target. First response: 24 business
 * hours, chat 1; resolution: 72 calendar hours. The young open case is added once the snapshot is known.
 */
const HAND_CASES = `case_id,created_at,first_response_at,resolved_at,status,region,channel,team,category
hand-weekend,2026-10-09T14:00:00Z,2026-10-13T14:00:00Z,2026-10-13T15:00:00Z,solved,europe,email,handmade,billing
hand-24h,2026-10-12T07:00:00Z,2026-10-14T15:00:00Z,2026-10-15T07:01:00Z,solved,europe,email,handmade,billing
hand-24h01,2026-10-12T07:00:00Z,2026-10-15T07:01:00Z,,pending,europe,email,handmade,billing
hand-chat,2026-10-12T08:00:00Z,2026-10-12T10:30:00Z,,pending,europe,chat,handmade,billing
hand-email,2026-10-12T08:00:00Z,2026-10-12T10:30:00Z,2026-10-15T08:00:00Z,solved,europe,email,handmade,billing
hand-open-old,2026-10-05T07:00:00Z,,,open,europe,email,handmade,billing
`;

/** What each hand-built case is, against the policy's targets, worked out by hand. */
const EXPECTED: Record<SpeedMeasure, string[]> = {
	// hand-weekend: Fri 16:00 to Tue 16:00 Berlin is 96 calendar hours but 1 + 8 + 7 = 16 business hours, within.
	// hand-24h: Mon 09:00 to Wed 17:00 is exactly 24 business hours, within (the target is met at it).
	// hand-24h01: a minute past it. hand-chat: 2.5 business hours against chat's 1; hand-email, the
	// same times, is within email's 24. hand-open-old: no reply, weeks of business hours at the
	// snapshot. hand-open-young: an hour old at the snapshot, may still make it: left out.
	first_response: ['hand-24h01', 'hand-chat', 'hand-open-old'],
	// hand-email resolved in exactly 72 h (within), hand-24h in 72 h 1 min, hand-weekend in 97 h
	// (calendar hours, the policy's basis for resolution, whatever the weekend); the rest are still
	// open and far older than 72 hours at the snapshot, but for the young one.
	resolution: ['hand-24h', 'hand-24h01', 'hand-chat', 'hand-open-old', 'hand-weekend']
};

function list(query: string, limit = 50) {
	return listCases(f.db, caseQueryFromParams(new URLSearchParams(query)), { offset: 0, limit }, 'admin', END);
}

async function csv(query: string): Promise<Omit<CaseListRow, 'comment_match'>[]> {
	const rows = [];
	for await (const row of streamCases(f.db, caseQueryFromParams(new URLSearchParams(query)), 'admin', END)) rows.push(row);
	return rows;
}

/** The breached count the Speed page shows: on the policy's basis. */
async function speedBreached(measure: SpeedMeasure, query: string, by?: 'channel'): Promise<{ overall: number; groups: Map<string | null, number> }> {
	const r = await speedReport(f.db, { measure, filters: parseFilters(new URLSearchParams(query)), by, today: END });
	if (!r.target || !r.overall.attainment) throw new Error(`no target or attainment for ${measure}`);
	const basis = r.target.basis;
	return { overall: r.overall.attainment[basis].breached, groups: new Map(r.groups.map((g) => [g.group, g.attainment?.[basis].breached ?? 0])) };
}

beforeAll(async () => {
	f = await ingestFixture();
	const demo = await writeDemoFiles(f.dir, { cases: 8000, seed: 31, end: END });
	await f.ingest(demo.casesPath, { kind: 'cases' });
	snapshot = (await snapshotTime(f.db)) ?? END;
	const young = new Date(snapshot.getTime() - 3600_000).toISOString();
	await f.ingest(await f.file('hand-cases.csv', `${HAND_CASES}hand-open-young,${young},,,open,europe,email,handmade,billing\n`), { kind: 'cases' });
}, 120_000);

afterAll(async () => {
	await f?.dispose();
});

describe('breached= on the case list', () => {
	test('the hand-built cases land on the side of the target worked out by hand', async () => {
		// The hand-built cases are older than the demo's last record: the snapshot did not move.
		expect((await snapshotTime(f.db))?.getTime()).toBe(snapshot.getTime());
		for (const measure of ['first_response', 'resolution'] as const) {
			const { rows, total } = await list(`team=handmade&breached=${measure}&sort=case_id&dir=asc`);
			expect(rows.map((r) => r.case_id), measure).toEqual(EXPECTED[measure]);
			expect(total).toBe(EXPECTED[measure].length);
			expect((await speedBreached(measure, 'team=handmade')).overall, measure).toBe(EXPECTED[measure].length);
		}
		expect((await list('team=handmade')).total).toBe(7);
	});

	for (const measure of ['first_response', 'resolution'] as const) {
		test(`${measure}: as many cases as the Speed page counts breached, overall, per channel and for one region and team`, async () => {
			for (const query of ['', 'range=90d&region=europe&team=harbor']) {
				const speed = await speedBreached(measure, query, 'channel');
				const listed = await list(`${query}&breached=${measure}`);
				expect(listed.total, query).toBe(speed.overall);
				expect(speed.overall, query).toBeGreaterThan(0);
				expect((await csv(`${query}&breached=${measure}`)).length, query).toBe(speed.overall);
				expect(listed.breach?.measure).toBe(measure);
				// Each channel's breached link narrows the same filters to the channel.
				for (const [channel, breached] of speed.groups) {
					if (channel === null) continue;
					expect((await list(`${query}&channel=${channel}&breached=${measure}`)).total, `${query} ${channel}`).toBe(breached);
				}
			}
		});
	}

	test('every breached case, slowest first, is older than its target in calendar hours, which business hours never exceed', async () => {
		const query = 'breached=first_response&sort=first_response&dir=desc';
		const { rows, total, breach } = await list(query, 10_000);
		expect(rows.length).toBe(total);
		expect(breach?.target).toEqual({ hours: 24, basis: 'business_hours', channels: { chat: 1, phone: 1 } });
		const target = (channel: string | null) => breach?.target.channels[channel ?? ''] ?? breach?.target.hours ?? NaN;
		const hours = rows.map((r) => r.first_response_hours ?? r.hours_open_at_snapshot ?? NaN);
		for (const [i, r] of rows.entries()) expect(hours[i], r.case_id).toBeGreaterThan(target(r.channel));
		// Open cases first, then answered ones by non-increasing time.
		const open = rows.filter((r) => r.first_response_hours === null).length;
		expect(rows.slice(0, open).every((r) => r.first_response_hours === null)).toBe(true);
		const answered = hours.slice(open);
		expect(answered).toEqual([...answered].sort((a, b) => b - a));
		// The CSV keeps the order; its hours are rounded to 2 decimals.
		const rowsCsv = await csv(query);
		expect(rowsCsv.map((r) => r.case_id)).toEqual(rows.map((r) => r.case_id));
		for (const r of rowsCsv) expect((r.first_response_hours ?? r.hours_open_at_snapshot ?? NaN) + 0.005).toBeGreaterThan(target(r.channel));
	});

	test('the list names the breach; an unknown measure is a 400 that names the parameter', () => {
		const query = caseQueryFromParams(new URLSearchParams('breached=resolution&region=europe'));
		expect(describeCaseQuery(query, END)).toBe('breached the resolution target · region europe');
		expect(caseCsvName(query)).toBe('cases-breached-resolution.csv');
		let status: string | null = null;
		try {
			caseQueryFromParams(new URLSearchParams('breached=reply'));
		} catch (e) {
			status = isHttpError(e) ? `${e.status} ${e.body.message}` : String(e);
		}
		expect(status).toBe('400 "breached" must be one of first_response, resolution; got "reply".');
	});
});
