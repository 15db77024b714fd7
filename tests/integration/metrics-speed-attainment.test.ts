import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { speedReport, type SpeedMeasure } from '../../src/lib/metrics/speed/speed.server';
import { currentPolicy, updatePolicy } from '../../src/lib/core/policy/policy.server';
import { businessCalendars } from '../../src/lib/core/business-hours/model';
import { calendarDays, calendarIndexSql, stretchesSql } from '../../src/lib/core/business-hours/business-hours.server';
import type { Attainment } from '../../src/lib/metrics/speed/model';
import type { PolicyDocument } from '../../src/lib/core/policy/model';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

const END = new Date('2026-11-01T00:00:00Z');
let f: IngestFixture;
const all = parseFilters(new URLSearchParams());

interface CaseTime {
	region: string;
	channel: string | null;
	team: string | null;
	happened: boolean;
	/** Seconds, calendar and business (summed overlaps with each open stretch: a range join, not the report's lookup). */
	cal: number;
	bh: number;
}

/** Every case's time to the event (or its age at the snapshot), computed apart from the report. */
async function caseTimes(measure: SpeedMeasure): Promise<CaseTime[]> {
	const policy = (await currentPolicy(f.db)).policy;
	const calendars = businessCalendars(policy);
	const event = sql.ref(measure === 'first_response' ? 'first_response_at' : 'resolved_at');
	const { rows: span } = await sql<{ first: Date; snap: Date }>`SELECT min(created_at) AS first, greatest(max(created_at), max(first_response_at), max(resolved_at)) AS snap FROM cases`.execute(f.db);
	const days = calendarDays(span[0].first, span[0].snap);
	const { rows } = await sql<CaseTime & { case_id: string }>`
		WITH st AS (${stretchesSql(calendars, days.from, days.to)}),
		c AS (SELECT case_id, region, channel, team, created_at AS t0, coalesce(${event}, ${span[0].snap}::TIMESTAMP) AS t1, ${event} IS NOT NULL AS happened FROM cases)
		SELECT c.case_id, c.region, c.channel, c.team, c.happened, epoch(c.t1 - c.t0) AS cal,
			coalesce(sum(epoch(least(c.t1, st.iv_end) - greatest(c.t0, st.iv_start))) FILTER (WHERE st.k IS NOT NULL), 0) AS bh
		FROM c LEFT JOIN st ON st.k = ${calendarIndexSql(calendars, sql.ref('c.region'))} AND st.iv_end > c.t0 AND st.iv_start < c.t1
		GROUP BY ALL`.execute(f.db);
	return rows.map((r) => ({ ...r, cal: Number(r.cal), bh: Number(r.bh) }));
}

/** The definition in plain code: answered within the target, or late / still open past it; younger open cases left out. */
function expected(cases: CaseTime[], basis: 'cal' | 'bh', targetHours: (c: CaseTime) => number): Attainment {
	let within = 0;
	let breached = 0;
	let openBreached = 0;
	let pending = 0;
	for (const c of cases) {
		const late = c[basis] > targetHours(c) * 3600;
		if (c.happened && !late) within++;
		else if (late) {
			breached++;
			if (!c.happened) openBreached++;
		} else pending++;
	}
	return { within, breached, open_breached: openBreached, pending, share: within + breached ? within / (within + breached) : null };
}

beforeAll(async () => {
	f = await ingestFixture();
	const demo = await writeDemoFiles(f.dir, { cases: 20_000, seed: 23, end: END });
	await f.ingest(demo.casesPath, { kind: 'cases' });
});

afterAll(async () => {
	await f?.dispose();
});

describe('share within target', () => {
	test('first response: the published per-channel targets, both bases, overall and per channel, match an independent count', async () => {
		const cases = await caseTimes('first_response');
		// config/policy.json: 24 hours, chat and phone 1 hour.
		const target = (c: CaseTime) => (c.channel === 'chat' || c.channel === 'phone' ? 1 : 24);
		const r = await speedReport(f.db, { measure: 'first_response', filters: all, by: 'channel', today: END });
		expect(r.target).toEqual({ hours: 24, basis: 'business_hours', channels: { chat: 1, phone: 1 } });
		expect(r.overall.attainment?.calendar).toEqual(expected(cases, 'cal', target));
		expect(r.overall.attainment?.business_hours).toEqual(expected(cases, 'bh', target));
		for (const g of r.groups) {
			const mine = cases.filter((c) => c.channel === g.group);
			expect(g.attainment?.business_hours, String(g.group)).toEqual(expected(mine, 'bh', target));
			expect(g.attainment?.calendar, String(g.group)).toEqual(expected(mine, 'cal', target));
		}
		// The 1-hour chat target is what makes chat's share differ from a 24-hour one.
		const chat = r.groups.find((g) => g.group === 'chat');
		expect(chat?.attainment?.business_hours.share).not.toEqual(expected(cases.filter((c) => c.channel === 'chat'), 'bh', () => 24).share);
		// The trend's periods add up to the whole.
		const sum = r.trend.reduce((n, t) => n + (t.attainment?.business_hours.breached ?? 0), 0);
		expect(sum).toBe(r.overall.attainment?.business_hours.breached);
	});

	test('resolution on the filtered view (region and team) equals the count over the same cases', async () => {
		const cases = (await caseTimes('resolution')).filter((c) => c.region === 'europe' && c.team === 'harbor');
		const r = await speedReport(f.db, { measure: 'resolution', filters: parseFilters(new URLSearchParams('region=europe&team=harbor')), by: 'team', today: END });
		expect(r.target?.basis).toBe('calendar');
		expect(r.overall.attainment?.calendar).toEqual(expected(cases, 'cal', () => 72));
		expect(r.overall.attainment?.business_hours).toEqual(expected(cases, 'bh', () => 72));
		expect(r.overall.attainment?.calendar.pending).toBeGreaterThanOrEqual(0);
	});

	test('a changed channel target applies at once', async () => {
		const current = await currentPolicy(f.db);
		const policy = structuredClone(current.policy) as PolicyDocument & { targets: { channels: Record<string, Record<string, number>> } };
		policy.targets.channels.chat.first_response_hours = 0.25;
		policy.targets.channels.email = { first_response_hours: 8 };
		await updatePolicy(f.db, policy, 'test', 'test', current.version);
		const cases = await caseTimes('first_response');
		const target = (c: CaseTime) => (c.channel === 'chat' ? 0.25 : c.channel === 'phone' ? 1 : c.channel === 'email' ? 8 : 24);
		const r = await speedReport(f.db, { measure: 'first_response', filters: all, by: 'channel', today: END });
		expect(r.target?.channels).toEqual({ chat: 0.25, phone: 1, email: 8 });
		expect(r.overall.attainment?.business_hours).toEqual(expected(cases, 'bh', target));
		expect(r.groups.find((g) => g.group === 'email')?.attainment?.calendar).toEqual(expected(cases.filter((c) => c.channel === 'email'), 'cal', target));
	});
});
