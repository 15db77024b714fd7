import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { weeklyDigest } from '../../src/lib/digest/digest.server';
import { digestHtml } from '../../src/lib/digest/html';
import { digestMarkdown } from '../../src/lib/digest/markdown.server';
import { digestOptions, isoWeekOf, lastCompleteWeek, parseIsoWeek, shiftWeek, type Digest } from '../../src/lib/digest/model';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';
import { runCli } from '../helpers/run-cli';

// A Monday: the demo's last week (W48, 2026-11-23 to 2026-11-29) ends with the archive.
const END = new Date('2026-11-30T00:00:00Z');
let demo: IngestFixture;
const options = (query = '') => digestOptions(new URLSearchParams(query));

beforeAll(async () => {
	demo = await ingestFixture();
	const files = await writeDemoFiles(demo.dir, { cases: 30_000, seed: 5, end: END });
	await demo.ingest(files.casesPath, { kind: 'cases' });
	await demo.ingest(files.feedbackPath, { kind: 'feedback' });
}, 120_000);

afterAll(async () => {
	await demo?.dispose();
});

async function snapshot(): Promise<Date> {
	const { rows } = await sql<{ at: Date }>`SELECT greatest(max(created_at), max(first_response_at), max(resolved_at)) AS at FROM cases`.execute(demo.db);
	return rows[0].at;
}

/** Cases opened in [Monday 00:00, next Monday 00:00), counted without the digest's filter code. */
async function openedIn(week: string): Promise<number> {
	const w = parseIsoWeek(week);
	const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM cases WHERE created_at >= ${`${w?.from} 00:00:00`}::TIMESTAMP AND created_at < ${`${w?.from} 00:00:00`}::TIMESTAMP + INTERVAL 7 DAY`.execute(demo.db);
	return Number(rows[0].n);
}

describe('ISO weeks', () => {
	test('a week runs from Monday 00:00 UTC to the next Monday, and the ISO year is its Thursday’s', () => {
		const w = parseIsoWeek('2026-W47');
		expect(w).toMatchObject({ id: '2026-W47', from: '2026-11-16', to: '2026-11-22', start: '2026-11-16T00:00:00.000Z', end: '2026-11-23T00:00:00.000Z' });
		expect(isoWeekOf(new Date('2026-11-22T23:59:59.999Z')).id).toBe('2026-W47');
		expect(isoWeekOf(new Date('2026-11-23T00:00:00Z')).id).toBe('2026-W48');
		// 1 January 2027 is a Friday: it belongs to 2026's 53rd week; 2025 has only 52.
		expect(isoWeekOf(new Date('2027-01-01T12:00:00Z')).id).toBe('2026-W53');
		expect(isoWeekOf(new Date('2021-01-03T12:00:00Z')).id).toBe('2020-W53');
		expect(parseIsoWeek('2025-W53')).toBeNull();
		expect(parseIsoWeek('2026-W00')).toBeNull();
		expect(parseIsoWeek('2026-47')).toBeNull();
		expect(shiftWeek(parseIsoWeek('2027-W01') as NonNullable<ReturnType<typeof parseIsoWeek>>, -1).id).toBe('2026-W53');
		// A week is complete at the next Monday 00:00, and not a millisecond before.
		expect(lastCompleteWeek(new Date('2026-11-23T00:00:00Z')).id).toBe('2026-W47');
		expect(lastCompleteWeek(new Date('2026-11-22T23:59:59Z')).id).toBe('2026-W46');
	});

	test('a week that does not exist is a 400 naming the format', () => {
		let refusal: unknown;
		try {
			options('week=2026-W60');
		} catch (error) {
			refusal = error;
		}
		expect(refusal).toMatchObject({ status: 400, body: { message: expect.stringMatching(/YYYY-Www.*2026-W60/) } });
		expect(options('week=2026-W07&range=30d&region=europe')).toEqual({ week: '2026-W07', anchor: 'archive', filters: { range: 'all', dims: { region: ['europe'] } } });
	});
});

describe('the weekly digest on demo data', () => {
	let d: Digest;
	let previous: Digest;

	beforeAll(async () => {
		d = await weeklyDigest(demo.db, options());
		previous = await weeklyDigest(demo.db, options(`week=${d.previous.id}`));
	}, 120_000);

	test('by default: the last complete ISO week before the archive’s snapshot, against the week before', async () => {
		const snap = await snapshot();
		expect(d.snapshot).toBe(snap.toISOString());
		expect(Date.parse(d.week.end)).toBeLessThanOrEqual(snap.getTime());
		expect(Date.parse(d.week.end) + 7 * 86_400_000).toBeGreaterThan(snap.getTime());
		expect(new Date(d.week.start).getUTCDay()).toBe(1);
		expect(d.previous.end).toBe(d.week.start);
		expect(d.latest.id).toBe(d.week.id);
	});

	test('cases opened equal a direct count of the week', async () => {
		const opened = d.speed.find((c) => c.id === 'opened');
		expect(opened?.this_week.value).toBe(await openedIn(d.week.id));
		expect(opened?.last_week.value).toBe(await openedIn(d.previous.id));
		expect(opened?.this_week.value).toBeGreaterThan(300);
	});

	test('the share answered within the target equals an independent computation', async () => {
		const snap = await snapshot();
		const within = d.speed.find((c) => c.id === 'within_target');
		// Written another way: interval arithmetic instead of epoch seconds; a case not yet answered
		// but younger than 24 hours at the snapshot has not missed the target and is left out.
		const { rows } = await sql<{ within: number; decided: number }>`
			SELECT count(*) FILTER (WHERE first_response_at <= created_at + INTERVAL 24 HOUR) AS within,
				count(*) FILTER (WHERE first_response_at IS NOT NULL OR created_at + INTERVAL 24 HOUR < ${snap}::TIMESTAMP) AS decided
			FROM cases WHERE created_at >= ${d.week.start}::TIMESTAMPTZ::TIMESTAMP AND created_at < ${d.week.end}::TIMESTAMPTZ::TIMESTAMP`.execute(demo.db);
		expect(within?.label).toContain('24 h');
		expect(within?.this_week.value).toBeCloseTo(Number(rows[0].within) / Number(rows[0].decided), 12);
		expect(within?.this_week.detail).toContain(`${Number(rows[0].within).toLocaleString('en')} of ${Number(rows[0].decided).toLocaleString('en')}`);
	});

	test('last week’s column is the previous week’s digest', () => {
		expect(previous.week.id).toBe(d.previous.id);
		const pairs = [...d.speed, ...d.compliance, ...d.satisfaction].map((c) => [c.id, c.last_week.value]);
		const earlier = [...previous.speed, ...previous.compliance, ...previous.satisfaction].map((c) => [c.id, c.this_week.value]);
		expect(pairs).toEqual(earlier);
		expect(d.speed.every((c) => c.this_week.value !== null && c.last_week.value !== null)).toBe(true);
		expect(d.satisfaction[0].this_week.value).toBeGreaterThan(0.3);
		// New = flagged this week, not in the previous digest's week; gone = the reverse.
		for (const f of [d.fairness, d.consistency]) expect(f.not_testable).toBeNull();
		for (const key of ['fairness', 'consistency'] as const) {
			const before = new Set([...previous[key].new, ...previous[key].still].map((x) => x.key));
			expect(d[key].new.filter((x) => before.has(x.key))).toEqual([]);
			expect(d[key].still.every((x) => before.has(x.key))).toBe(true);
			expect(new Set([...d[key].gone, ...d[key].still].map((x) => x.key))).toEqual(before);
		}
	});

	test('the Markdown and HTML carry every section; HTML is self-contained', () => {
		const md = digestMarkdown(d);
		for (const heading of ['# Weekly digest', '## Volume and speed', '## Policy compliance', '## Satisfaction', '## Fairness flags', '## Consistency flags', '## Rising friction themes', '## Definitions']) expect(md).toContain(heading);
		expect(md).toContain(`| measure | ${d.week.id} | ${d.previous.id} | change |`);
		const html = digestHtml(d);
		expect(html).not.toMatch(/<script|<link|src=|@import/i);
		expect(html).toContain('<h2 style=');
		// A quote inside a style attribute would end it and drop every rule after it.
		for (const [, style] of html.matchAll(/style="([^"]*)"/g)) expect(style).toMatch(/;$/);
	});
});

describe('an archive without first response times, with a planted category name', () => {
	let small: IngestFixture;
	let closed = false;
	const CATEGORY = 'gift|card <b>';

	beforeAll(async () => {
		small = await ingestFixture('small.duckdb');
		// W46: three teams resolve the category alike; W47: team alpha denies what the others approve.
		const rows = ['case_id,created_at,resolved_at,status,region,category,stage,team,outcome'];
		let n = 0;
		for (const [monday, alphaDenies] of [['2026-11-09', false], ['2026-11-16', true]] as const) {
			for (const team of ['alpha', 'beta', 'gamma']) {
				for (let i = 0; i < 60; i++) {
					const created = new Date(Date.parse(`${monday}T08:00:00Z`) + (i % 7) * 86_400_000 + i * 60_000);
					const outcome = alphaDenies ? (team === 'alpha' ? 'denied' : 'approved') : i % 2 ? 'denied' : 'approved';
					rows.push([`c${++n}`, created.toISOString(), new Date(created.getTime() + 5 * 3_600_000).toISOString(), 'closed', (i >> 1) % 2 ? 'north' : 'south', `"${CATEGORY}"`, 'post_purchase', team, outcome].join(','));
				}
			}
		}
		await small.ingest(await small.file('cases.csv', `${rows.join('\n')}\n`), { kind: 'cases' });
		// Comments without scores: one complaint grows from 4 in 100 to 40 in 100; the others keep their share.
		const feedback = ['feedback_id,submitted_at,case_id,kind,comment'];
		const others = ['refund took too long', 'wrong size shipped', 'app login broken', 'seller never answered'];
		for (const [monday, lost] of [['2026-11-09', 4], ['2026-11-16', 40]] as const) {
			for (let i = 0; i < 100; i++) {
				const at = new Date(Date.parse(`${monday}T10:00:00Z`) + (i % 7) * 86_400_000 + i * 60_000).toISOString();
				feedback.push([`f${feedback.length}`, at, '', 'complaint', i < lost ? 'parcel lost again' : others[i % others.length]].join(','));
			}
		}
		await small.ingest(await small.file('feedback.csv', `${feedback.join('\n')}\n`), { kind: 'feedback' });
	});

	afterAll(async () => {
		// The CLI test closes the fixture's database to hand the file to the command.
		if (closed) await rm(small.dir, { recursive: true, force: true });
		else await small?.dispose();
	});

	test('a measure without data is "not testable" with the reason, never 0', async () => {
		const d = await weeklyDigest(small.db, options('week=2026-W47'));
		const first = d.speed.find((c) => c.id === 'first_response');
		expect(first?.this_week.value).toBeNull();
		expect(first?.this_week.not_testable?.reason).toContain('first_response_at');
		expect(d.speed.find((c) => c.id === 'within_target')?.this_week.not_testable).not.toBeNull();
		expect(d.satisfaction[0].this_week.not_testable?.reason).toContain('(csat)');
		expect(d.satisfaction[0].this_week.value).toBeNull();
		expect(d.speed.find((c) => c.id === 'opened')?.this_week.value).toBe(180);
		const md = digestMarkdown(d);
		const row = md.split('\n').find((l) => l.startsWith('| First response, median'));
		expect(row).toMatch(/\| not testable \\\[1\\\] \| not testable \\\[1\\\] \| not testable \|/);
		expect(row).not.toMatch(/\| 0/);
		expect(md).toContain('Not testable: no imported case has a first-reply time (first\\_response\\_at)');
		expect(md).toContain('Not testable:');
	});

	test('a theme whose share of the week’s comments rose against last week is rising', async () => {
		const d = await weeklyDigest(small.db, options('week=2026-W47'));
		expect(d.themes.not_testable).toBeNull();
		expect([d.themes.documents_this_week, d.themes.documents_last_week]).toEqual([100, 100]);
		const lost = d.themes.rising.find((t) => t.theme.includes('parcel') || t.theme.includes('lost'));
		expect(lost, JSON.stringify(d.themes.rising)).toMatchObject({ this_week: 40, last_week: 4 });
		expect(d.themes.rising.some((t) => t.theme.includes('refund'))).toBe(false);
		// A week before the first comment: nothing can rise against an empty week, and the digest says so.
		const early = await weeklyDigest(small.db, options('week=2026-W46'));
		expect(early.themes.not_testable?.reason).toContain('2026-W45');
		expect(digestMarkdown(early)).toMatch(/## Rising friction themes\n\nNot testable: no feedback comment in 2026-W45/);
	});

	test('a "|" and a "<" in a category name are escaped in the Markdown and the HTML', async () => {
		const d = await weeklyDigest(small.db, options('week=2026-W47'));
		expect(d.consistency.not_testable).toBeNull();
		const alpha = d.consistency.new.find((f) => f.sentence.includes('Team alpha'));
		expect(alpha?.sentence).toContain(CATEGORY);
		expect(d.consistency.gone).toEqual([]);
		const md = digestMarkdown(d);
		expect(md).toContain('gift\\|card &lt;b&gt;');
		expect(md).not.toContain('<b>');
		expect(md).not.toMatch(/[^\\]\|card/);
		const html = digestHtml(d);
		expect(html).toContain('gift|card &lt;b&gt;');
		expect(html).not.toContain('<b>');
	});

	test('CLI: writes the file with exit code 0; a bad week is exit 2 with a message', async () => {
		const dbPath = join(small.dir, 'small.duckdb');
		await small.open.close();
		closed = true;
		const out = join(small.dir, 'digest.md');
		const md = await runCli(['report', 'weekly', '--week', '2026-W47', '--format', 'md', '--out', out, '--db', dbPath]);
		expect(md.code, md.err).toBe(0);
		expect(md.out).toContain(out);
		expect(existsSync(out)).toBe(true);
		const text = readFileSync(out, 'utf8');
		expect(text).toContain('# Weekly digest 2026-W47');
		expect(text).toContain('gift\\|card &lt;b&gt;');
		const htmlOut = join(small.dir, 'digest.html');
		const html = await runCli(['report', 'weekly', '--week', '2026-W47', '--format', 'html', '--out', htmlOut, '--db', dbPath, '--team', 'alpha']);
		expect(html.code, html.err).toBe(0);
		expect(readFileSync(htmlOut, 'utf8')).toMatch(/^<!doctype html>[\s\S]*team alpha[\s\S]*<\/html>\n$/);
		const bad = await runCli(['report', 'weekly', '--week', '2026-W60', '--out', out, '--db', dbPath]);
		expect(bad.code).toBe(2);
		expect(bad.err).toContain('--week must be an ISO week');
		const format = await runCli(['report', 'weekly', '--format', 'pdf', '--db', dbPath]);
		expect(format.code).toBe(2);
		expect(format.err).toContain('--format is md or html');
	});
});
