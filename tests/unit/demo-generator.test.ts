import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	CASE_COLUMNS,
	CASE_STATUSES,
	CHANNELS,
	FEEDBACK_COLUMNS,
	FEEDBACK_KINDS,
	OUTCOMES,
	ROOT_CAUSES,
	STAGES
} from '../../src/lib/imports/canonical-columns';
import { DEMO_CASE_COLUMNS, DEMO_FEEDBACK_COLUMNS, writeDemoFiles, type DemoOptions } from '../../src/lib/demo/generate-demo.server';
import { DEMO_AGENT_TEAMS, DEMO_CATEGORY_STAGES, DEMO_COUNTRY_REGIONS, DEMO_REGIONS, DEMO_TEAMS } from '../../src/lib/demo/reference-data';
import {
	CLAIM_CATEGORIES,
	DEMO_POLICY,
	INCONSISTENT_TEAM,
	NEW_ACCOUNT_DENIALS,
	POLICY_VIOLATIONS,
	RISING_THEME,
	SLOW_REGION
} from '../../src/lib/demo/planted-effects.server';

type Row = Record<string, string>;
interface Dataset {
	cases: Row[];
	feedback: Row[];
	raw: { cases: string; feedback: string };
	result: Awaited<ReturnType<typeof writeDemoFiles>>;
}

const END = new Date('2025-06-01T00:00:00Z');
const END_MS = END.getTime();
const DAY_MS = 86_400_000;
/** Large enough that every planted-effect check is several standard errors from its threshold. */
const STATS_CASES = 60_000;
const TS = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^\d+(\.\d{2})?$/;

let dir: string;
let run = 0;

async function generate(opts: DemoOptions): Promise<Dataset> {
	const out = join(dir, `run-${++run}`);
	const result = await writeDemoFiles(out, opts);
	const raw = { cases: await readFile(result.casesPath, 'utf8'), feedback: await readFile(result.feedbackPath, 'utf8') };
	const parse = (text: string): Row[] => {
		const parsed = Papa.parse<Row>(text, { header: true, skipEmptyLines: true });
		expect(parsed.errors).toEqual([]);
		return parsed.data;
	};
	return { cases: parse(raw.cases), feedback: parse(raw.feedback), raw, result };
}

async function sha256(path: string): Promise<string> {
	return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** Epoch ms of a `YYYY-MM-DD HH:MM:SS` (UTC) or `YYYY-MM-DD` value. */
function ms(value: string): number {
	return Date.parse(value.length === 10 ? `${value}T00:00:00Z` : `${value.replace(' ', 'T')}Z`);
}

function median(values: number[]): number {
	const s = [...values].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
	const out = new Map<string, T[]>();
	for (const row of rows) {
		const k = key(row);
		const list = out.get(k);
		if (list) list.push(row);
		else out.set(k, [row]);
	}
	return out;
}

function share<T>(rows: T[], pred: (row: T) => boolean): number {
	return rows.filter(pred).length / rows.length;
}

const frtMinutes = (c: Row): number => (ms(c.first_response_at) - ms(c.created_at)) / 60_000;
const tenureDays = (c: Row): number => (ms(c.created_at.slice(0, 10)) - ms(c.customer_since)) / DAY_MS;
const isNewAccount = (c: Row): boolean => tenureDays(c) < NEW_ACCOUNT_DENIALS.maxTenureDays;
const decidedClaims = (d: Dataset): Row[] =>
	d.cases.filter((c) => (CLAIM_CATEGORIES as readonly string[]).includes(c.category) && c.outcome !== '');

/** Denial share of new accounts minus that of everyone else, on decided claims. */
function newAccountDenialGap(d: Dataset): number {
	const claims = decidedClaims(d);
	const denied = (c: Row) => c.outcome === 'denied';
	return share(claims.filter(isNewAccount), denied) - share(claims.filter((c) => !isNewAccount(c)), denied);
}

/** Share of comments mentioning the rising theme in the last window, over the share before it. */
function risingRatio(d: Dataset, pattern: RegExp): number {
	const from = END_MS - RISING_THEME.windowDays * DAY_MS;
	const comments = d.feedback.filter((f) => f.comment !== '');
	const recent = comments.filter((f) => ms(f.submitted_at) >= from);
	const before = comments.filter((f) => ms(f.submitted_at) < from);
	expect(recent.length).toBeGreaterThan(500);
	return share(recent, (f) => pattern.test(f.comment)) / share(before, (f) => pattern.test(f.comment));
}

function regionFrtRatios(d: Dataset): Map<string, number> {
	const answered = d.cases.filter((c) => c.first_response_at !== '');
	const overall = median(answered.map(frtMinutes));
	const out = new Map<string, number>();
	for (const [region, rows] of groupBy(answered, (c) => c.region)) out.set(region, median(rows.map(frtMinutes)) / overall);
	return out;
}

let planted: Dataset;
let nullData: Dataset;

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'caselens-demo-'));
	planted = await generate({ cases: STATS_CASES, seed: 20250601, end: END });
	nullData = await generate({ cases: STATS_CASES, seed: 20250601, end: END, nullMode: true });
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

describe('determinism', () => {
	it('gives byte-identical files for the same seed and options, different files for another seed', async () => {
		const opts = { cases: 3_000, seed: 7, end: END };
		const a = await writeDemoFiles(join(dir, 'det-a'), opts);
		const b = await writeDemoFiles(join(dir, 'det-b'), opts);
		const c = await writeDemoFiles(join(dir, 'det-c'), { ...opts, seed: 8 });
		expect(await sha256(a.casesPath)).toBe(await sha256(b.casesPath));
		expect(await sha256(a.feedbackPath)).toBe(await sha256(b.feedbackPath));
		expect(a.feedback).toBe(b.feedback);
		expect(await sha256(c.casesPath)).not.toBe(await sha256(a.casesPath));
		expect(await sha256(c.feedbackPath)).not.toBe(await sha256(a.feedbackPath));
	});

	it('reports progress up to the total and rejects bad options', async () => {
		const seen: [number, number][] = [];
		await writeDemoFiles(join(dir, 'progress'), { cases: 10_000, seed: 1, end: END }, (done, total) => seen.push([done, total]));
		expect(seen.length).toBeGreaterThan(1);
		expect(seen.at(-1)).toEqual([10_000, 10_000]);
		expect(seen.every(([done], i) => i === 0 || done > seen[i - 1][0])).toBe(true);
		await expect(writeDemoFiles(join(dir, 'bad'), { cases: -1, seed: 1 })).rejects.toThrow(RangeError);
		await expect(writeDemoFiles(join(dir, 'bad'), { cases: 10, seed: 1, days: 0 })).rejects.toThrow(RangeError);
	});

	it('defaults the snapshot to today 00:00 UTC', async () => {
		const before = new Date();
		const d = await generate({ cases: 2_000, seed: 3 });
		const midnight = Date.UTC(before.getUTCFullYear(), before.getUTCMonth(), before.getUTCDate());
		const latest = Math.max(...d.cases.map((c) => ms(c.created_at)));
		// Allow for the test running across midnight.
		expect(latest).toBeLessThanOrEqual(midnight + DAY_MS);
		expect(latest).toBeGreaterThan(midnight - 3 * DAY_MS);
		const earliest = Math.min(...d.cases.map((c) => ms(c.created_at)));
		expect(earliest).toBeGreaterThanOrEqual(midnight - 366 * DAY_MS);
	});
});

describe('file format', () => {
	it('writes the canonical headers, one row per case, and consistent columns', () => {
		expect([...DEMO_CASE_COLUMNS]).toEqual(CASE_COLUMNS.filter((c) => c.inDemo !== false).map((c) => c.name));
		// Only export-only columns are left out of the demo.
		expect(CASE_COLUMNS.filter((c) => !DEMO_CASE_COLUMNS.includes(c.name)).map((c) => c.name)).toEqual(['reassignment_count', 'sla_met', 'first_response_bracket', 'resolution_bracket']);
		expect([...DEMO_FEEDBACK_COLUMNS]).toEqual(FEEDBACK_COLUMNS.map((c) => c.name));
		for (const [text, columns, rows] of [
			[planted.raw.cases, DEMO_CASE_COLUMNS, planted.result.cases],
			[planted.raw.feedback, DEMO_FEEDBACK_COLUMNS, planted.result.feedback]
		] as const) {
			expect(text.startsWith(columns.join(',') + '\n')).toBe(true);
			expect(text.endsWith('\n')).toBe(true);
			expect(text.includes('\r')).toBe(false);
			const parsed = Papa.parse<string[]>(text, { header: false, skipEmptyLines: true });
			expect(parsed.errors).toEqual([]);
			expect(parsed.data.length).toBe(rows + 1);
			expect(parsed.data.every((r) => r.length === columns.length)).toBe(true);
		}
		expect(planted.cases.length).toBe(STATS_CASES);
		expect(new Set(planted.cases.map((c) => c.case_id)).size).toBe(STATS_CASES);
		expect(new Set(planted.feedback.map((f) => f.feedback_id)).size).toBe(planted.feedback.length);
	});

	it('quotes free text with commas, quotes and line breaks (RFC 4180)', () => {
		const comments = planted.feedback.map((f) => f.comment);
		expect(comments.some((c) => c.includes(','))).toBe(true);
		expect(comments.some((c) => c.includes('"'))).toBe(true);
		expect(comments.some((c) => c.includes('\n'))).toBe(true);
		expect(planted.cases.some((c) => c.subject.includes(','))).toBe(true);
		// A doubled quote in the raw text is how an embedded quote is written.
		expect(planted.raw.feedback).toMatch(/""/);
	});
});

describe('values', () => {
	it('keeps every timestamp in range and in order', () => {
		// Collect problems rather than calling expect per value: 60,000 rows x many checks.
		const problems: string[] = [];
		const check = (ok: boolean, what: string, row: Row) => {
			if (!ok && problems.length < 10) problems.push(`${what}: ${JSON.stringify(row)}`);
		};
		for (const d of [planted, nullData]) {
			for (const c of d.cases) {
				for (const col of ['created_at', 'first_response_at', 'resolved_at', 'delivered_at', 'refund_issued_at']) {
					if (c[col] === '') continue;
					check(TS.test(c[col]), `${col} format`, c);
					check(ms(c[col]) <= END_MS, `${col} after end`, c);
				}
				check(DATE.test(c.customer_since), 'customer_since format', c);
				check(ms(c.created_at) >= END_MS - 365 * DAY_MS, 'created_at before the span', c);
				check(ms(c.customer_since) <= ms(c.created_at), 'customer_since after created_at', c);
				if (c.first_response_at) check(ms(c.first_response_at) >= ms(c.created_at), 'first response before creation', c);
				if (c.resolved_at) check(ms(c.resolved_at) >= ms(c.created_at), 'resolved before creation', c);
				if (c.resolved_at && c.first_response_at)
					check(ms(c.resolved_at) >= ms(c.first_response_at), 'resolved before first response', c);
				if (c.refund_issued_at) check(ms(c.refund_issued_at) > ms(c.resolved_at), 'refund before resolution', c);
			}
			for (const f of d.feedback) {
				check(TS.test(f.submitted_at), 'submitted_at format', f);
				check(ms(f.submitted_at) <= END_MS, 'submitted_at after end', f);
			}
		}
		expect(problems).toEqual([]);
	});

	it('uses only allowed values and consistent statuses', () => {
		const problems: string[] = [];
		const check = (ok: boolean, what: string, row: Row) => {
			if (!ok && problems.length < 10) problems.push(`${what}: ${JSON.stringify(row)}`);
		};
		const allowed = (values: readonly string[]) => new Set<string>(values);
		const statuses = allowed(CASE_STATUSES);
		const channels = allowed(CHANNELS);
		const stages = allowed(STAGES);
		const causes = allowed(ROOT_CAUSES);
		const outcomes = allowed(OUTCOMES);
		for (const c of planted.cases) {
			check(statuses.has(c.status), 'status', c);
			check(channels.has(c.channel), 'channel', c);
			check(stages.has(c.stage), 'stage', c);
			check(causes.has(c.root_cause), 'root_cause', c);
			check(c.outcome === '' || outcomes.has(c.outcome), 'outcome', c);
			check(DEMO_COUNTRY_REGIONS[c.country] === c.region, 'country/region', c);
			check(DEMO_CATEGORY_STAGES[c.category] === c.stage, 'category/stage', c);
			check(DEMO_AGENT_TEAMS[c.agent_id] === c.team, 'agent/team', c);
			check(c.escalated === 'true' || c.escalated === 'false', 'escalated', c);
			check(/^\d$/.test(c.reopen_count), 'reopen_count', c);
			for (const col of ['order_value', 'refund_amount', 'return_shipping_fee']) check(c[col] === '' || DECIMAL.test(c[col]), col, c);
			const done = c.status === 'solved' || c.status === 'closed';
			// Open and pending cases have neither a resolution nor an outcome; solved ones have both.
			check((c.resolved_at !== '') === done, 'resolved_at vs status', c);
			check((c.outcome !== '') === done, 'outcome vs status', c);
			if (c.order_id) check(/^(USD|EUR|GBP|BRL|INR|JPY|AUD)$/.test(c.currency), 'currency', c);
			else check(c.stage === 'pre_purchase', 'order missing', c);
			if (c.outcome === 'escalated') check(c.escalated === 'true', 'escalated outcome', c);
		}
		const kinds = allowed(FEEDBACK_KINDS);
		const caseIds = new Set(planted.cases.map((c) => c.case_id));
		const regions = new Set(DEMO_REGIONS);
		for (const f of planted.feedback) {
			check(kinds.has(f.kind), 'kind', f);
			check(f.kind === 'survey' ? /^[1-5]$/.test(f.csat) : f.csat === '', 'csat', f);
			check(f.case_id === '' || caseIds.has(f.case_id), 'feedback case_id', f);
			check(f.region === '' || regions.has(f.region), 'feedback region', f);
		}
		expect(problems).toEqual([]);
	});

	it('looks like a marketplace: regions, teams, tenure, currencies, repeat contacts, languages', () => {
		const cases = planted.cases;
		expect(new Set(cases.map((c) => c.region)).size).toBeGreaterThanOrEqual(6);
		expect(new Set(cases.map((c) => c.category))).toEqual(new Set(Object.keys(DEMO_CATEGORY_STAGES)));
		expect(new Set(cases.map((c) => c.team)).size).toBe(DEMO_TEAMS.length);
		expect(new Set(cases.map((c) => c.agent_id)).size).toBe(60);
		expect(new Set(cases.map((c) => c.currency).filter(Boolean)).size).toBe(7);
		// Customers come back.
		expect(new Set(cases.map((c) => c.customer_id)).size).toBeLessThan(cases.length * 0.6);
		// Every tenure band is well populated.
		const bands = groupBy(cases, (c) => {
			const t = tenureDays(c);
			return t < 90 ? 'a' : t < 365 ? 'b' : t < 1095 ? 'c' : 'd';
		});
		expect([...bands.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
		for (const rows of bands.values()) expect(rows.length / cases.length).toBeGreaterThan(0.08);
		// Repeat contact: the same customer about the same order within a few days.
		const repeats = [...groupBy(cases.filter((c) => c.order_id), (c) => c.order_id).values()].filter(
			(rows) => rows.length > 1 && new Set(rows.map((c) => c.customer_id)).size === 1
		);
		expect(repeats.length).toBeGreaterThan(cases.length * 0.02);
		const gaps = repeats.map((rows) => Math.abs(ms(rows[1].created_at) - ms(rows[0].created_at)) / DAY_MS);
		expect(Math.max(...gaps)).toBeLessThanOrEqual(5);
		// Open work piles up near the snapshot, not earlier (except stale claims).
		const open = cases.filter((c) => c.status === 'open' || c.status === 'pending');
		expect(open.length).toBeGreaterThan(0);
		expect(share(open, (c) => ms(c.created_at) > END_MS - 30 * DAY_MS)).toBeGreaterThan(0.5);
		// Chat answers faster than e-mail.
		const byChannel = groupBy(cases.filter((c) => c.first_response_at), (c) => c.channel);
		expect(median(byChannel.get('chat')!.map(frtMinutes))).toBeLessThan(median(byChannel.get('email')!.map(frtMinutes)) / 5);
		// Feedback: surveys for about half of resolved cases, complaints and suggestions, some without a case.
		const resolved = cases.filter((c) => c.resolved_at).length;
		const kinds = groupBy(planted.feedback, (f) => f.kind);
		expect(kinds.get('survey')!.length / resolved).toBeGreaterThan(0.45);
		expect(kinds.get('survey')!.length / resolved).toBeLessThan(0.65);
		expect(kinds.get('complaint')!.length).toBeGreaterThan(0);
		expect(kinds.get('suggestion')!.length).toBeGreaterThan(0);
		expect(planted.feedback.some((f) => f.case_id === '')).toBe(true);
		// Languages, and personal data for the masking feature to find.
		const comments = planted.feedback.map((f) => f.comment).filter(Boolean);
		const portuguese = /\b(não|você|atendimento|reembolso|pedido|obrigado|rastreio|muito|tudo)\b/i;
		const brazil = new Set(cases.filter((c) => c.country === 'BR').map((c) => c.case_id));
		const brComments = planted.feedback.filter((f) => f.comment && brazil.has(f.case_id));
		expect(share(brComments, (f) => portuguese.test(f.comment))).toBeGreaterThan(0.6);
		expect(comments.some((c) => /\b(the|my|and)\b/.test(c))).toBe(true);
		expect(comments.some((c) => /[\w.]+@[\w.]+\.\w+/.test(c))).toBe(true);
		expect(comments.some((c) => /\+\d{1,2} [\d ()-]{8,}/.test(c))).toBe(true);
		// Subjects in at least English and Portuguese, and varied.
		expect(cases.some((c) => portuguese.test(c.subject))).toBe(true);
		expect(new Set(cases.map((c) => c.subject)).size).toBeGreaterThan(500);
	});

	it('plants each kind of policy violation at a small rate', () => {
		const cases = planted.cases;
		const returns = cases.filter((c) => c.category === 'return_request' && c.outcome && c.delivered_at);
		const windowDays = (c: Row) => (ms(c.created_at) - ms(c.delivered_at)) / DAY_MS;
		const inWindowOld = returns.filter((c) => windowDays(c) <= DEMO_POLICY.returnWindowDays && !isNewAccount(c));
		const outOfWindow = returns.filter((c) => windowDays(c) > DEMO_POLICY.returnWindowDays);
		expect(outOfWindow.length).toBeGreaterThan(returns.length * 0.03);
		const inWindowDenied = share(inWindowOld, (c) => c.outcome === 'denied');
		expect(inWindowDenied).toBeGreaterThan(POLICY_VIOLATIONS.inWindowReturnDenied / 2);
		expect(inWindowDenied).toBeLessThan(POLICY_VIOLATIONS.inWindowReturnDenied * 2);
		const exceptions = share(outOfWindow, (c) => c.outcome === 'approved');
		expect(exceptions).toBeGreaterThan(0.05);
		expect(exceptions).toBeLessThan(0.3);

		const refunds = cases.filter((c) => c.refund_issued_at);
		const late = share(refunds, (c) => ms(c.refund_issued_at) - ms(c.resolved_at) > DEMO_POLICY.refundMaxDays * DAY_MS);
		expect(late).toBeGreaterThan(POLICY_VIOLATIONS.lateRefund / 2);
		expect(late).toBeLessThan(POLICY_VIOLATIONS.lateRefund * 2);
		expect(share(refunds, (c) => ms(c.refund_issued_at) - ms(c.resolved_at) <= 9 * DAY_MS)).toBeGreaterThan(0.9);

		const fees = cases.filter((c) => c.return_shipping_fee !== '');
		const charged = share(fees, (c) => Number(c.return_shipping_fee) > 0);
		expect(charged).toBeGreaterThan(POLICY_VIOLATIONS.returnShippingFee / 2);
		expect(charged).toBeLessThan(POLICY_VIOLATIONS.returnShippingFee * 2);

		const stale = cases.filter(
			(c) =>
				(CLAIM_CATEGORIES as readonly string[]).includes(c.category) &&
				c.outcome === '' &&
				ms(c.created_at) < END_MS - DEMO_POLICY.staleClaimDays * DAY_MS
		);
		expect(stale.length).toBeGreaterThan(20);
		expect(stale.length).toBeLessThan(cases.length * 0.01);
	});
});

describe('planted effects', () => {
	it(`makes ${SLOW_REGION.region} slower to first response, in every channel`, () => {
		const ratios = regionFrtRatios(planted);
		const slow = ratios.get(SLOW_REGION.region)!;
		for (const [region, ratio] of ratios) if (region !== SLOW_REGION.region) expect(slow / ratio).toBeGreaterThan(1.5);
		for (const [channel, rows] of groupBy(planted.cases.filter((c) => c.first_response_at), (c) => c.channel)) {
			const inRegion = median(rows.filter((c) => c.region === SLOW_REGION.region).map(frtMinutes));
			const elsewhere = median(rows.filter((c) => c.region !== SLOW_REGION.region).map(frtMinutes));
			expect(inRegion / elsewhere, channel).toBeGreaterThan(1.4);
		}
	});

	it('has no slow region in null mode', () => {
		for (const [region, ratio] of regionFrtRatios(nullData)) {
			expect(ratio, region).toBeGreaterThan(0.85);
			expect(ratio, region).toBeLessThan(1.15);
		}
	});

	it('denies new accounts more often for the same claim categories', () => {
		const gap = newAccountDenialGap(planted);
		expect(gap).toBeGreaterThan(0.1);
		expect(gap).toBeLessThan(0.2);
		// Same category mix for new and older accounts.
		const claims = decidedClaims(planted);
		const fresh = claims.filter(isNewAccount);
		const older = claims.filter((c) => !isNewAccount(c));
		for (const cat of CLAIM_CATEGORIES) {
			expect(Math.abs(share(fresh, (c) => c.category === cat) - share(older, (c) => c.category === cat)), cat).toBeLessThan(0.03);
		}
		expect(Math.abs(newAccountDenialGap(nullData))).toBeLessThan(0.04);
	});

	it(`makes team ${INCONSISTENT_TEAM.team} inconsistent on ${INCONSISTENT_TEAM.category}`, () => {
		const denialByTeam = (d: Dataset) =>
			new Map(
				[...groupBy(d.cases.filter((c) => c.category === INCONSISTENT_TEAM.category && c.outcome), (c) => c.team)].map(
					([team, rows]) => [team, share(rows, (c) => c.outcome === 'denied')]
				)
			);
		const plantedRates = denialByTeam(planted);
		expect(plantedRates.get(INCONSISTENT_TEAM.team)!).toBeGreaterThan(0.45);
		for (const [team, rate] of plantedRates) if (team !== INCONSISTENT_TEAM.team) expect(rate, team).toBeLessThan(0.2);
		for (const [team, rate] of denialByTeam(nullData)) expect(rate, team).toBeLessThan(0.2);
		// Other categories are untouched for that team.
		const other = planted.cases.filter((c) => c.category === 'defect' && c.outcome);
		const teamRate = share(other.filter((c) => c.team === INCONSISTENT_TEAM.team), (c) => c.outcome === 'denied');
		expect(Math.abs(teamRate - share(other, (c) => c.outcome === 'denied'))).toBeLessThan(0.06);
	});

	it('raises one friction theme in the last weeks, and nothing in null mode', () => {
		expect(risingRatio(planted, RISING_THEME.pattern)).toBeGreaterThan(2);
		expect(risingRatio(nullData, RISING_THEME.pattern)).toBeLessThan(1.6);
		expect(risingRatio(nullData, RISING_THEME.pattern)).toBeGreaterThan(0.6);
		// Another theme stays flat.
		const refund = /refund|reembolso|estorno/i;
		expect(risingRatio(planted, refund)).toBeGreaterThan(0.6);
		expect(risingRatio(planted, refund)).toBeLessThan(1.6);
		expect(new RegExp(RISING_THEME.patternSource, 'i').source).toBe(RISING_THEME.pattern.source);
	});
});
