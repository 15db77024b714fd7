import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnMapping } from '../../src/lib/imports/column-mapping';
import type { BatchSummary } from '../../src/lib/imports/ingest-file.server';
import { EXTERNAL_DIR, PRESET_IMPORTS, referenceRecords, SPREADSHEETS, type RealImport as Import } from '../helpers/external-data';
import { expectBalanced, ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { speedReport } from '../../src/lib/metrics/speed/speed.server';

/**
 * The help-desk tools' own export layouts in tests/fixtures/external (see its README), imported with
 * the presets as a user would, untouched. Every expected number is computed here from the file by an
 * independent parser (papaparse) and plain JavaScript, never copied from the import's output.
 */
type Row = Record<string, string>;

const key = (i: Pick<Import, 'file' | 'kind'>) => `${i.file}:${i.kind}`;
const summaries = new Map<string, BatchSummary>();
/** One database per file: two reports of one desk share ticket ids, and a later import would replace the earlier one's cases. */
const fixtures = new Map<string, IngestFixture>();
const db = (file: string) => fixtures.get(file)!.db;

const records = referenceRecords;

/** The last row of each id, in file order: what an event log or a fanned-out report says about it. */
function lastById(rows: Row[], id: string): Map<string, Row> {
	return new Map(rows.map((r) => [r[id], r]));
}

/** Blank as the import reads it: spaces, tabs, line breaks and no-break spaces only. */
const blank = (v: string | undefined) => (v ?? '').replace(/^[ \t\r\n\u00a0]+|[ \t\r\n\u00a0]+$/g, '') === '';

async function casesOf(i: Pick<Import, 'file' | 'kind'>) {
	return db(i.file).selectFrom('cases').selectAll().where('batch_id', '=', summaries.get(key(i))!.batch_id!).execute();
}

async function feedbackOf(i: Pick<Import, 'file' | 'kind'>) {
	return db(i.file).selectFrom('feedback').selectAll().where('batch_id', '=', summaries.get(key(i))!.batch_id!).execute();
}

beforeAll(async () => {
	for (const i of PRESET_IMPORTS) {
		if (!fixtures.has(i.file)) fixtures.set(i.file, await ingestFixture());
		const f = fixtures.get(i.file)!;
		const mapping = i.mapping ? (JSON.parse(await readFile(join(process.cwd(), 'config', 'mappings', i.mapping), 'utf8')) as ColumnMapping) : undefined;
		const lookups = i.lookups ? Object.fromEntries(Object.entries(i.lookups).map(([k, v]) => [k, join(EXTERNAL_DIR, v)])) : undefined;
		// A ticket export's ratings come in with its cases, in the same import.
		const sameImport = i.kind === 'feedback' ? summaries.get(key({ file: i.file, kind: 'cases' }))?.feedback : undefined;
		summaries.set(key(i), sameImport ?? (await f.ingest(join(EXTERNAL_DIR, i.file), { kind: i.kind, preset: i.preset, mapping, lookups })));
	}
}, 120_000);
afterAll(async () => {
	for (const f of fixtures.values()) await f.dispose();
});

describe('help-desk exports, imported whole', () => {
	it.each(PRESET_IMPORTS.map((i) => [i.file, i.kind, i] as const))('%s as %s: every row read is accepted or rejected', async (file, _kind, i) => {
		const summary = summaries.get(key(i))!;
		const reference = await records(file);
		expect(summary.status).toBe('committed');
		expect(summary.rows_read).toBe(reference.length);
		await expectBalanced(db(file), summary);
		if (i.ownExport) expect(summary.accepted / summary.rows_read).toBeGreaterThanOrEqual(0.99);
	});
});

describe('Zendesk Explore raw-data report', () => {
	const q425 = { file: 'zendesk-explore/Q425_Raw_Data_01132026_1623.csv', kind: 'cases' as const };

	it('is detected, and a ticket repeated per organisation domain is one case (the repeats counted as merged)', async () => {
		const summary = summaries.get(key(q425))!;
		const rows = await records(q425.file);
		const tickets = lastById(rows, 'Ticket ID');
		expect(summary.mapping).toBe('preset:zendesk_explore (detected)');
		expect([summary.rows_read, summary.accepted, summary.rejected, summary.merged]).toEqual([3695, 3695, 0, 3695 - 3548]);
		expect(tickets.size).toBe(3548);
		expect(await casesOf(q425)).toHaveLength(3548);
	});

	it('keeps brackets as brackets, reads U+00A0 cells as empty and maps statuses', async () => {
		const summary = summaries.get(key(q425))!;
		const tickets = [...lastById(await records(q425.file), 'Ticket ID').values()];
		const stored = new Map((await casesOf(q425)).map((c) => [c.case_id, c]));
		const count = (values: (string | null)[]) => values.reduce<Record<string, number>>((m, v) => ((m[v ?? '(empty)'] = (m[v ?? '(empty)'] ?? 0) + 1), m), {});
		// Brackets as the report writes them, trimmed (" No replies" has a leading space).
		expect(count([...stored.values()].map((c) => c.first_response_bracket))).toEqual(count(tickets.map((t) => t['First reply time brackets'].trim() || null)));
		expect(count([...stored.values()].map((c) => c.resolution_bracket))).toEqual(count(tickets.map((t) => t['Full resolution time brackets'].trim() || null)));
		// No minutes are invented from a bracket.
		expect([...stored.values()].filter((c) => c.first_response_at !== null || c.resolved_at !== null)).toEqual([]);
		// Service Region: NA/APAC/EMEA, and U+00A0 for none, which becomes the "unknown" default.
		const noRegion = tickets.filter((t) => blank(t['Service Region'])).length;
		expect(summary.derived.region.defaulted).toBe(noRegion);
		expect([...stored.values()].filter((c) => c.region === 'unknown')).toHaveLength(noRegion);
		expect(summary.blank_cells['Service Region']).toBe((await records(q425.file)).filter((r) => r['Service Region'] === '\u00a0').length);
		const statusOf: Record<string, string> = { Closed: 'closed', Solved: 'solved', Open: 'open', Pending: 'pending', New: 'open', Hold: 'pending' };
		for (const t of tickets) expect(stored.get(t['Ticket ID'])!.status, t['Ticket ID']).toBe(statusOf[t['Ticket status']]);
		expect(summary.unknown_values).toEqual({});
		const first = stored.get('454908')!;
		expect([first.created_at.toISOString(), first.agent_id, first.customer_id, first.escalated]).toEqual(['2025-10-01T00:05:28.000Z', 'Guruprasad H K', 'salesforce@branch.io', false]);
	});

	it('Speed shows the brackets and the median bracket, and says minutes cannot be computed', async () => {
		const filters = parseFilters(new URLSearchParams());
		const reply = await speedReport(db(q425.file), { measure: 'first_response', filters });
		const resolution = await speedReport(db(q425.file), { measure: 'resolution', filters });
		expect(reply.not_testable?.status).toBe('not_testable');
		// Checked by hand from the file's 3,548 tickets: 0-1 hrs 1,249 (35.2%), 1-8 hrs 778 (57.1% cumulative).
		expect(reply.brackets?.median).toBe('1-8 hrs');
		expect(reply.brackets?.rows.map((r) => [r.bracket, r.cases])).toEqual([
			['0-1 hrs', 1249],
			['1-8 hrs', 778],
			['8-24 hrs', 309],
			['>24 hrs', 530],
			['No replies', 682]
		]);
		// 0-5 hrs 747 (21.1%), 5-24 hrs 370 (31.5%), 1-7 days 908 (57.0%).
		expect(resolution.brackets?.median).toBe('1-7 days');
		expect(resolution.brackets?.without_time).toBe(130);

		// Beside another import that has reply times, the Explore import alone is still not testable
		// (not "100% unanswered"), and the archive as a whole is.
		const fixture = fixtures.get(q425.file)!;
		await fixture.ingest(await fixture.file('times.csv', 'case_id,created_at,first_response_at,resolved_at,status,region,category\nT1,2025-10-02 10:00:00,2025-10-02 11:00:00,2025-10-02 15:00:00,solved,NA,x\n'), { kind: 'cases' });
		const scoped = await speedReport(db(q425.file), { measure: 'first_response', filters: { ...filters, batch: [summaries.get(key(q425))!.batch_id!] } });
		expect(scoped.not_testable?.reason).toContain('as brackets, not times');
		const whole = await speedReport(db(q425.file), { measure: 'first_response', filters });
		expect(whole.not_testable).toBeNull();
		expect(whole.overall.events).toBe(1);
	});

	it('as feedback: only offered surveys are records; Good is 5, Bad is 1, Offered has no score', async () => {
		const summary = summaries.get(key({ file: q425.file, kind: 'feedback' }))!;
		const rows = await records(q425.file);
		const surveyed = (r: Row) => ['Offered', 'Good', 'Bad'].includes(r['Ticket satisfaction rating'].trim());
		const tickets = [...lastById(rows.filter(surveyed), 'Ticket ID').values()];
		// Loaded by the cases import of the same file, as its own batch.
		expect(summaries.get(key(q425))!.feedback?.batch_id).toBe(summary.batch_id);
		const stored = await feedbackOf({ file: q425.file, kind: 'feedback' });
		expect(stored).toHaveLength(tickets.length);
		expect(summary.rejected).toBe(rows.filter((r) => !surveyed(r)).length);
		const scores = (values: (number | null)[]) => values.reduce<Record<string, number>>((m, v) => ((m[String(v)] = (m[String(v)] ?? 0) + 1), m), {});
		const expected = tickets.map((t) => ({ Good: 5, Bad: 1, Offered: null })[t['Ticket satisfaction rating'].trim() as 'Good' | 'Bad' | 'Offered']);
		expect(scores(stored.map((r) => r.csat))).toEqual(scores(expected));
		// Response rate = answered / offered, as Zendesk reports it.
		const answered = expected.filter((v) => v !== null).length;
		expect(answered / tickets.length).toBeGreaterThan(0);
		expect(stored.filter((r) => r.csat !== null).length / stored.length).toBeCloseTo(answered / tickets.length, 10);
		expect(summary.top_reasons[0]).toMatchObject({ reason: 'not a feedback record: Ticket satisfaction rating is "…" (no survey was offered for this ticket)', examples: ['Unoffered'] });
	});

	it('a report without a status column still imports; status is "unknown" and counted', async () => {
		const i = { file: 'zendesk-explore/tickets_export.csv', kind: 'cases' as const };
		const summary = summaries.get(key(i))!;
		const tickets = lastById(await records(i.file), 'Ticket ID');
		expect(summary.accepted - summary.merged).toBe(tickets.size);
		expect(summary.unknown_values.status).toEqual([{ value: 'unknown', count: tickets.size }]);
		expect(summary.warnings.join(' ')).toContain('"Ticket status"');
		const stored = await casesOf(i);
		const reasons = (values: string[]) => values.reduce<Record<string, number>>((m, v) => ((m[v] = (m[v] ?? 0) + 1), m), {});
		// The preset's order: Contact Reason, then Intent, then Top Level Features (this report has no ticket type).
		const category = (t: Row) => ['Contact Reason', 'Intent', 'Top Level Features'].map((h) => t[h]).find((v) => !blank(v))?.trim() ?? 'uncategorized';
		expect(reasons(stored.map((c) => c.category))).toEqual(reasons([...tickets.values()].map(category)));
	});
});

describe('Freshdesk ticket export (CSV re-saved by Excel)', () => {
	const csv = { file: 'freshdesk/80000422910_tickets-February-04-2025-12_12(Sheet1).csv', kind: 'cases' as const };

	it('reads day-first dates, the reply time when given, else business hours, and 0:00:00 as no reply', async () => {
		const summary = summaries.get(key(csv))!;
		expect(summary.mapping).toBe('preset:freshdesk (detected)');
		const rows = await records(csv.file);
		const stored = new Map((await casesOf(csv)).map((c) => [c.case_id, c]));
		expect(stored.size).toBe(rows.length);
		const dayFirst = (text: string) => {
			const [, d, m, y, h, min] = /^(\d\d)\/(\d\d)\/(\d{4}) (\d{1,2}):(\d\d)$/.exec(text)!.map(Number);
			return new Date(Date.UTC(y, m - 1, d, h, min)).toISOString();
		};
		const seconds = (hms: string) => hms.split(':').map(Number).reduce((t, v) => t * 60 + v, 0);
		for (const r of rows) {
			const c = stored.get(r['Ticket ID'])!;
			expect(c.created_at.toISOString(), r['Ticket ID']).toBe(dayFirst(r['Created time']));
			if (r['Initial response time']) {
				expect([c.first_response_at?.toISOString(), c.first_response_basis]).toEqual([dayFirst(r['Initial response time']), 'calendar']);
			} else if (seconds(r['First response time (in hrs)']) > 0) {
				expect([c.first_response_at?.toISOString(), c.first_response_basis]).toEqual([new Date(Date.parse(dayFirst(r['Created time'])) + seconds(r['First response time (in hrs)']) * 1000).toISOString(), 'business_hours']);
			} else {
				expect([c.first_response_at, c.first_response_basis], r['Ticket ID']).toEqual([null, null]);
			}
		}
		// The Speed report says how many reply times are business-hours durations.
		const speed = await speedReport(db(csv.file), { measure: 'first_response', filters: parseFilters(new URLSearchParams()) });
		// (Here every ticket with a reply has its time too, so all are calendar.)
		const business = [...stored.values()].filter((c) => c.first_response_basis === 'business_hours').length;
		expect(speed.basis).toEqual({ business_hours: business, calendar: [...stored.values()].filter((c) => c.first_response_basis === 'calendar').length });
		// Checked by hand: ticket 19497 was answered 2 h 05 min after it was created.
		expect(stored.get('19497')!.first_response_at?.toISOString()).toBe('2025-01-14T15:31:00.000Z');
		// A desk's own statuses are kept as written and listed with their counts.
		expect(summary.unknown_values.status).toEqual([{ value: 'waiting_on_thingtrax', count: rows.filter((r) => r.Status === 'Waiting on ThingTrax').length }]);
		// "Within SLA" / "SLA Violated" is the tool's own verdict.
		expect([...stored.values()].filter((c) => c.sla_met === false)).toHaveLength(rows.filter((r) => r['First response status'] === 'SLA Violated').length);
		expect(stored.get('19381')!.category).toBe('Problem');
	});

	it('as feedback: only answered surveys, labels on a 1-5 scale', async () => {
		const summary = summaries.get(key({ file: csv.file, kind: 'feedback' }))!;
		const stored = await feedbackOf({ file: csv.file, kind: 'feedback' });
		expect(stored.map((r) => [r.feedback_id, r.csat])).toEqual([['20132', 2]]);
		expect([summary.accepted, summary.rejected]).toEqual([1, 20]);
	});
});

describe('ServiceNow incident event log', () => {
	const log = { file: 'servicenow/incident_event_log_first5MB.csv', kind: 'cases' as const };

	it('keeps the latest row of each incident; earlier updates are merged, not rejected', async () => {
		const summary = summaries.get(key(log))!;
		const rows = await records(log.file);
		const incidents = lastById(rows, 'number');
		expect(summary.mapping).toBe('preset:servicenow (detected)');
		expect([summary.rows_read, summary.accepted, summary.rejected, summary.merged]).toEqual([16185, 16185, 0, 16185 - 2295]);
		expect(incidents.size).toBe(2295);
		const stored = new Map((await casesOf(log)).map((c) => [c.case_id, c]));
		expect(stored.size).toBe(2295);
		// The latest update is the one with the highest modification count.
		const maxMods = new Map<string, number>();
		for (const r of rows) maxMods.set(r.number, Math.max(maxMods.get(r.number) ?? -1, Number(r.sys_mod_count)));
		for (const [id, r] of incidents) expect(Number(r.sys_mod_count), id).toBe(maxMods.get(id));
		const sum = (values: (number | null)[]) => values.reduce<number>((t, v) => t + (v ?? 0), 0);
		expect(sum([...stored.values()].map((c) => c.reopen_count))).toBe(sum([...incidents.values()].map((r) => Number(r.reopen_count))));
		expect(sum([...stored.values()].map((c) => c.reassignment_count))).toBe(sum([...incidents.values()].map((r) => Number(r.reassignment_count))));
		expect([...stored.values()].filter((c) => c.sla_met === true)).toHaveLength([...incidents.values()].filter((r) => r.made_sla === 'true').length);
	});

	it('reads day-first unpadded dates, "?" as empty, and closed_at when resolved_at is "?"', async () => {
		const summary = summaries.get(key(log))!;
		const incidents = lastById(await records(log.file), 'number');
		const stored = new Map((await casesOf(log)).map((c) => [c.case_id, c]));
		const parse = (text: string) => {
			const [, d, m, y, h, min] = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d\d)$/.exec(text)!.map(Number);
			return new Date(Date.UTC(y, m - 1, d, h, min)).toISOString();
		};
		let fromClosed = 0;
		for (const [id, r] of incidents) {
			const c = stored.get(id)!;
			expect(c.created_at.toISOString(), id).toBe(parse(r.opened_at));
			const resolved = r.resolved_at !== '?' ? r.resolved_at : r.closed_at;
			if (r.resolved_at === '?') fromClosed++;
			expect(c.resolved_at?.toISOString(), id).toBe(parse(resolved));
			expect(c.agent_id, id).toBe(r.assigned_to === '?' ? null : r.assigned_to);
		}
		expect(summary.derived.resolved_at.derived).toBe(fromClosed);
		// Checked by hand: INC0000045 opened 29 Feb 2016 01:16, resolved the same day at 11:29.
		const inc = stored.get('INC0000045')!;
		expect([inc.created_at.toISOString(), inc.resolved_at?.toISOString(), inc.status, inc.channel, inc.team]).toEqual(['2016-02-29T01:16:00.000Z', '2016-02-29T11:29:00.000Z', 'closed', 'phone', 'Group 56']);
	});
});

describe('Salesforce Case with the Account export as a lookup', () => {
	const cases = { file: 'salesforce/Case.csv', kind: 'cases' as const };

	it("takes each case's country from its account's billing country, and the region from the country", async () => {
		const summary = summaries.get(key(cases))!;
		const accounts = new Map((await records('salesforce/Account.csv')).map((a) => [a.Id, a.BillingCountry]));
		const rows = await records(cases.file);
		const regionOf = new Map((await db(cases.file).selectFrom('country_regions').selectAll().execute()).map((r) => [r.country, r.region]));
		const stored = new Map((await casesOf(cases)).map((c) => [c.case_id, c]));
		expect(stored.size).toBe(rows.length);
		for (const r of rows) {
			const c = stored.get(r.CaseNumber)!;
			const country = accounts.get(r.AccountId) ?? null;
			expect([c.country, c.region], r.CaseNumber).toEqual([country, (country && regionOf.get(country)) ?? 'unknown']);
			expect(c.created_at.toISOString(), r.CaseNumber).toBe(new Date(r.CreatedDate.replace('+0000', 'Z')).toISOString());
		}
		expect(summary.derived.country.derived).toBe(rows.filter((r) => accounts.has(r.AccountId)).length);
		const closed = rows.filter((r) => r.ClosedDate).length;
		expect([...stored.values()].filter((c) => c.resolved_at !== null)).toHaveLength(closed);
		// Status "Escalated" is a case waiting on someone else: pending.
		expect([...stored.values()].filter((c) => c.status === 'pending')).toHaveLength(rows.filter((r) => r.Status === 'Escalated').length);
	});

	it('without the Account file it still imports, and says the lookup was not made', async () => {
		const g = await ingestFixture();
		try {
			const summary = await g.ingest(join(EXTERNAL_DIR, cases.file), { kind: 'cases' });
			expect(summary.mapping).toBe('preset:salesforce (detected)');
			expect(summary.accepted).toBe(3340);
			expect(summary.warnings.join(' ')).toContain('looked up in the "accounts" file (not given)');
			const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM cases WHERE country IS NOT NULL`.execute(g.db);
			expect(Number(rows[0].n)).toBe(0);
		} finally {
			await g.dispose();
		}
	});
});

describe('Kaggle customer support tickets and Twitter support (through mappings)', () => {
	it('Kaggle: a resolution before the first response keeps the ticket and drops only that time, counted', async () => {
		const i = { file: 'kaggle-support-tickets/customer_support_tickets.csv', kind: 'cases' as const };
		const summary = summaries.get(key(i))!;
		const rows = await records(i.file);
		const before = rows.filter((r) => r['Time to Resolution'] && r['Time to Resolution'] < r['First Response Time']).length;
		expect(before).toBeGreaterThan(0);
		expect(summary.derived.resolved_at.dropped).toBe(before);
		const stored = await casesOf(i);
		expect(stored.filter((c) => c.resolved_at !== null)).toHaveLength(rows.filter((r) => r['Time to Resolution'] && r['Time to Resolution'] >= r['First Response Time']).length);
		// Rows without a first response have no time to place the case at: rejected, with that reason.
		expect(summary.rejected).toBe(rows.filter((r) => !r['First Response Time']).length);
	});

	it('Kaggle feedback: ratings on closed tickets only; Twitter: the customers\' tweets, not the brands\' replies', async () => {
		const kaggle = summaries.get(key({ file: 'kaggle-support-tickets/customer_support_tickets.csv', kind: 'feedback' }))!;
		const rows = await records('kaggle-support-tickets/customer_support_tickets.csv');
		expect(kaggle.accepted).toBe(rows.filter((r) => r['Customer Satisfaction Rating']).length);
		const twitter = summaries.get(key({ file: 'twitter-support/sample.csv', kind: 'feedback' }))!;
		const tweets = await records('twitter-support/sample.csv');
		expect([twitter.accepted, twitter.rejected]).toEqual([tweets.filter((t) => t.inbound === 'True').length, tweets.filter((t) => t.inbound === 'False').length]);
		const first = await db('twitter-support/sample.csv').selectFrom('feedback').selectAll().where('feedback_id', '=', '119237').executeTakeFirstOrThrow();
		expect([first.kind, first.customer_id, first.submitted_at.toISOString()]).toEqual(['complaint', '105834', '2017-10-11T06:55:44.000Z']);
	});
});

describe('Freshdesk workbooks (Excel 2003 XML and .xlsx), read through a CSV copy of one sheet', () => {
	it('the native .xls export gives the same tickets and times as its CSV re-save, and the batch keeps the workbook', async () => {
		const g = await ingestFixture();
		try {
			const path = join(EXTERNAL_DIR, SPREADSHEETS[0]);
			const summary = await g.ingest(path, { kind: 'cases' });
			expect([summary.mapping, summary.format, summary.rows_read, summary.accepted, summary.rejected]).toEqual(['preset:freshdesk (detected)', 'spreadsheetml', 21, 21, 0]);
			await expectBalanced(g.db, summary);
			expect(summary.warnings.join(' ')).toContain('Read sheet');
			const stored = new Map((await g.db.selectFrom('cases').selectAll().execute()).map((c) => [c.case_id, c]));
			// The CSV re-save has the same created times, day first and without seconds.
			for (const r of await records('freshdesk/80000422910_tickets-February-04-2025-12_12(Sheet1).csv')) {
				const [, d, m, y, h, min] = /^(\d\d)\/(\d\d)\/(\d{4}) (\d{1,2}):(\d\d)$/.exec(r['Created time'])!.map(Number);
				expect(stored.get(r['Ticket ID'])!.created_at.toISOString().slice(0, 16), r['Ticket ID']).toBe(new Date(Date.UTC(y, m - 1, d, h, min)).toISOString().slice(0, 16));
			}
			// The archive holds the workbook itself, under its own checksum.
			const batch = await g.db.selectFrom('import_batches').selectAll().where('batch_id', '=', summary.batch_id!).executeTakeFirstOrThrow();
			expect(batch.archive_path).toMatch(/\.xml$/);
			expect(await readFile(batch.archive_path!)).toEqual(await readFile(path));
			// The same workbook again changes nothing.
			expect((await g.ingest(path, { kind: 'cases' })).status).toBe('duplicate');
		} finally {
			await g.dispose();
		}
	});

	it('the analyst workbook: the largest sheet by default, date and time cells joined, another sheet on request', async () => {
		const g = await ingestFixture();
		try {
			const path = join(EXTERNAL_DIR, SPREADSHEETS[1]);
			const all = await g.ingest(path, { kind: 'cases', preset: 'freshdesk' });
			expect([all.format, all.rows_read]).toEqual(['xlsx', 1183]);
			await expectBalanced(g.db, all);
			expect(all.accepted / all.rows_read).toBeGreaterThanOrEqual(0.99);
			expect(all.warnings.join(' ')).toContain('Read sheet "Master_data_Since_Jan"');
			// Every created time has a date and a time of day from the two cells (not all at midnight).
			const { rows } = await sql<{ n: number; midnight: number }>`SELECT count(*) AS n, count(*) FILTER (WHERE created_at = date_trunc('day', created_at)) AS midnight FROM cases WHERE batch_id = ${all.batch_id}`.execute(g.db);
			expect(Number(rows[0].n)).toBe(all.accepted);
			expect(Number(rows[0].midnight)).toBeLessThan(Number(rows[0].n) / 10);
			const dec = await g.ingest(path, { kind: 'cases', preset: 'freshdesk', sheet: 'Master_data_Dec' });
			expect([dec.status, dec.rows_read]).toEqual(['committed', 59]);
		} finally {
			await g.dispose();
		}
	});
});
