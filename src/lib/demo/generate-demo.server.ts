/**
 * Seeded, streaming generator of a realistic marketplace demo: canonical case and feedback CSV
 * files (README.md, The data contract) with a handful of planted effects (./planted-effects.server.ts).
 * What exists (regions, teams, categories ...) is in ./reference-data.ts, the text it writes in
 * ./text-templates.server.ts, the byte-level CSV writing in ./csv-sink.server.ts.
 *
 * - Deterministic: one PRNG stream consumed in a fixed order, so the same options give
 *   byte-identical files.
 * - Bounded memory: rows are generated in time order and written in chunks with backpressure;
 *   customers are derived from their index by hashing, and repeat contacts come from a small ring
 *   of recent cases, so nothing grows with the number of cases.
 * - Relative imports only: this module also runs under plain `tsx` from the CLI.
 */
import { CASE_COLUMNS, OUTCOMES, ROOT_CAUSES } from '../imports/canonical-columns';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng, cumulative, pickIndex, hashUnit, hash32, type Cumulative } from '../core/random';
import {
	DEMO_POLICY,
	INCONSISTENT_TEAM,
	NEW_ACCOUNT_DENIALS,
	POLICY_VIOLATIONS,
	RISING_THEME,
	SLOW_REGION
} from './planted-effects.server';
import { DemoThreadWriter } from './demo-messages.server';
import { COMMA, CsvSink, DayTable, NEWLINE, pad } from './csv-sink.server';
import {
	AGENT_IDS,
	AGENT_TEAM,
	CAT_DEFS,
	CHANNEL_WEIGHTS,
	DEMO_CHANNELS,
	DEMO_REGIONS,
	DEMO_STAGES,
	DEMO_TEAMS,
	DEMO_UNITS_PER_USD,
	FRT_MEDIAN_MIN,
	FRT_SIGMA,
	REGION_DEFS,
	WHOLE_UNIT_CURRENCIES,
	type Lang,
	type Outcome
} from './reference-data';
import {
	CONTACT_EMAIL,
	CONTACT_PHONE,
	FIRST_NAMES,
	LAST_NAMES,
	MAIL_DOMAINS,
	NEG_CLOSERS,
	NEGATIVE_THEMES,
	OPENERS,
	POS_CLOSERS,
	POSITIVE_THEMES,
	PRODUCTS,
	QUOTES,
	SUBJECT_PREFIX,
	SUBJECTS,
	SUGGESTION_THEMES,
	type ThemeDef
} from './text-templates.server';

/** Imported from here by callers that predate reference-data.ts. */
export { DEMO_AGENT_TEAMS } from './reference-data';

export interface DemoOptions {
	/** Number of case rows. */
	cases: number;
	/** Same seed + same options => byte-identical files. */
	seed: number;
	/** No planted effects at all: every group is drawn from the same distributions. */
	nullMode?: boolean;
	/** Snapshot time: no timestamp after it. Default: today 00:00 UTC. */
	end?: Date;
	/** Span of created_at before `end`, in days. Default 365. */
	days?: number;
	/** Also write demo-messages.csv, every case's conversation (demo-messages.server.ts). Default false: most callers need only cases and feedback. */
	messages?: boolean;
}

export interface DemoResult {
	casesPath: string;
	feedbackPath: string;
	cases: number;
	feedback: number;
	/** With `messages: true`: the conversations file and its row count. */
	messagesPath?: string;
	messages?: number;
}

export const DEMO_CASES_FILE = 'demo-cases.csv';
export const DEMO_FEEDBACK_FILE = 'demo-feedback.csv';
export const DEMO_MESSAGES_FILE = 'demo-messages.csv';

/**
 * The demo writes every canonical case column except those only some help-desk exports carry
 * (see `inDemo` in imports/canonical-columns.ts); the row writer below fills them in this order.
 */
export const DEMO_CASE_COLUMNS: readonly string[] = CASE_COLUMNS.filter((c) => c.inDemo !== false).map((c) => c.name);

export const DEMO_FEEDBACK_COLUMNS = [
	'feedback_id',
	'case_id',
	'submitted_at',
	'kind',
	'csat',
	'comment',
	'region',
	'customer_id'
] as const;

// ---------------------------------------------------------------------------------------------
// Draw tables (reference data and text weights, ready for the one random stream)
// ---------------------------------------------------------------------------------------------

const CURRENCIES = Object.keys(DEMO_UNITS_PER_USD);
const CURRENCY_RATE = CURRENCIES.map((c) => DEMO_UNITS_PER_USD[c]);
const CURRENCY_WHOLE = CURRENCIES.map((c) => WHOLE_UNIT_CURRENCIES.includes(c));

// Flattened country tables.
const COUNTRY_CODE: string[] = [];
const COUNTRY_REGION: number[] = [];
const COUNTRY_CUR: number[] = [];
const COUNTRY_LANG: Lang[] = [];
const COUNTRY_LANG_SHARE: number[] = [];
const countryWeights: number[] = [];
REGION_DEFS.forEach((r, ri) => {
	const total = r.countries.reduce((s, c) => s + c.weight, 0);
	for (const c of r.countries) {
		COUNTRY_CODE.push(c.code);
		COUNTRY_REGION.push(ri);
		COUNTRY_CUR.push(CURRENCIES.indexOf(c.currency));
		COUNTRY_LANG.push(c.lang);
		COUNTRY_LANG_SHARE.push(c.langShare);
		countryWeights.push((r.weight * c.weight) / total);
	}
});
const COUNTRY_CUM = cumulative(countryWeights);

const CHANNEL_CUM = cumulative(CHANNEL_WEIGHTS);
const HARBOR_TEAM = DEMO_TEAMS.indexOf(INCONSISTENT_TEAM.team as (typeof DEMO_TEAMS)[number]);

const O_DENIED = OUTCOMES.indexOf('denied');
const O_ESCALATED = OUTCOMES.indexOf('escalated');
const O_WITHDRAWN = OUTCOMES.indexOf('withdrawn');

const CAT_CUM = cumulative(CAT_DEFS.map((c) => c.weight));
const C_RETURN = CAT_DEFS.findIndex((c) => c.name === 'return_request');
const C_INCONSISTENT = CAT_DEFS.findIndex((c) => c.name === INCONSISTENT_TEAM.category);

/** An outcome distribution ready for drawing, with the probability of converting to a denial. */
interface OutcomeTable {
	cum: Cumulative;
	/** extraDenialShare / (1 - denial share): lifts the denial share by exactly the extra share. */
	denyLift: number;
}

function outcomeTable(weights: Partial<Record<Outcome, number>>): OutcomeTable {
	const w = OUTCOMES.map((o) => weights[o] ?? 0);
	const total = w.reduce((s, x) => s + x, 0);
	const denied = w[O_DENIED] / total;
	return {
		cum: cumulative(w),
		denyLift: Math.min(1, NEW_ACCOUNT_DENIALS.extraDenialShare / Math.max(1e-9, 1 - denied))
	};
}

const RETURN_IN_WINDOW = outcomeTable({
	approved: 0.6,
	refunded: 0.27,
	partially_approved: 0.05,
	denied: POLICY_VIOLATIONS.inWindowReturnDenied,
	withdrawn: 0.05
});
const RETURN_OUT_OF_WINDOW = outcomeTable({
	denied: 0.78,
	approved: POLICY_VIOLATIONS.outOfWindowReturnApproved,
	withdrawn: 0.07
});
/** Per category; the two that reference-data.ts leaves empty come from the policy and the planted effect. */
const CAT_OUTCOMES = CAT_DEFS.map((c) =>
	c.name === 'return_request'
		? RETURN_IN_WINDOW
		: outcomeTable(c.name === INCONSISTENT_TEAM.category ? INCONSISTENT_TEAM.baseline : c.outcomes)
);
const INCONSISTENT_OUTCOMES = outcomeTable(INCONSISTENT_TEAM.outcomes);
const CAT_ROOT_CUM = CAT_DEFS.map((c) => cumulative(c.rootCause));
const CLAIM_CATEGORY = CAT_DEFS.map((c) => (NEW_ACCOUNT_DENIALS.categories as readonly string[]).includes(c.name));
const CAT_REFUND = CAT_DEFS.map((c) => OUTCOMES.map((o) => (c.refunds?.[o] === 'full' ? 2 : c.refunds?.[o] === 'partial' ? 1 : 0)));
const CAT_RETURNS = CAT_DEFS.map((c) => OUTCOMES.map((o) => c.returns?.includes(o) ?? false));
const CAT_HAS_RETURNS = CAT_DEFS.map((c) => (c.returns?.length ?? 0) > 0);


const CSAT_BASE = OUTCOMES.map(
	(o) =>
		({
			approved: 4.9,
			partially_approved: 3.9,
			denied: 2.4,
			replaced: 4.8,
			refunded: 4.9,
			info_provided: 4.6,
			escalated: 3.2,
			withdrawn: 4.0
		})[o]
);

/** Case arrivals by UTC hour (customers span many time zones, so the curve is shallow). */
const HOUR_CUM = cumulative([
	0.55, 0.5, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9, 1, 1.05, 1.1, 1.15, 1.2, 1.25, 1.25, 1.2, 1.15,
	1.1, 1, 0.9, 0.8, 0.7, 0.6
]);

// ---------------------------------------------------------------------------------------------

const NEG_WEIGHTS = NEGATIVE_THEMES.map((t) => t.weight);
const NEG_CUM_BASE = cumulative(NEG_WEIGHTS);
/** The rising theme's share multiplied, the surplus taken from the generic theme (last). */
const NEG_CUM_RISEN = cumulative(
	NEG_WEIGHTS.map((w, i) =>
		i === 0
			? w * RISING_THEME.multiplier
			: i === NEG_WEIGHTS.length - 1
				? w - NEG_WEIGHTS[0] * (RISING_THEME.multiplier - 1)
				: w
	)
);
/** Positive themes; "easy return" only follows cases where goods went back. */
const POS_CUM_RETURNS = cumulative(POSITIVE_THEMES.map((t) => t.weight));
const POS_CUM = cumulative(POSITIVE_THEMES.map((t) => (t.theme === 'easy_return' ? 0 : t.weight)));
const SUG_CUM = cumulative(SUGGESTION_THEMES.map((t) => t.weight));

/** USD -> minor units of a currency (whole-unit currencies rounded to whole units). */
function toMinor(usd: number, rate: number, whole: boolean): number {
	return whole ? Math.round(usd * rate) * 100 : Math.round(usd * rate * 100);
}

// ---------------------------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------------------------

const DAY = 86400;
const DEFAULT_DELIVERED_DAYS: [number, number] = [5, 1];
/** Cases generated between backpressure checks. */
const CHUNK_ROWS = 4096;
/** Customers whose account is younger than this are the "new account" pool. */
const NEW_DAYS = NEW_ACCOUNT_DENIALS.maxTenureDays;
/** Share of cases from accounts younger than NEW_DAYS (they contact support more often). */
const NEW_CUSTOMER_SHARE = 0.22;
/** Customer-since dates reach this many years before the case span. */
const CUSTOMER_HISTORY_YEARS = 5;
const REPEAT_CONTACT_SHARE = 0.06;
const SURVEY_RESPONSE_RATE = 0.56;
const COMPLAINT_RATE = 0.035;
const UNLINKED_COMPLAINT_RATE = 0.01;
const SUGGESTION_RATE = 0.012;
const PII_RATE = 0.06;

function defaultEnd(): Date {
	const now = new Date();
	return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

function validate(opts: DemoOptions): { cases: number; seed: number; endSec: number; days: number } {
	const { cases, seed } = opts;
	if (!Number.isSafeInteger(cases) || cases < 0) throw new RangeError(`cases must be a non-negative integer, got ${cases}`);
	if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
	const days = opts.days ?? 365;
	if (!Number.isSafeInteger(days) || days < 1 || days > 3650) throw new RangeError(`days must be an integer from 1 to 3650, got ${days}`);
	const end = opts.end ?? defaultEnd();
	const endMs = end.getTime();
	if (!Number.isFinite(endMs)) throw new RangeError('end must be a valid date');
	return { cases, seed: Math.trunc(seed) | 0, endSec: Math.floor(endMs / 1000), days };
}

/** Upper bound of the bytes of a row without its free-text field. */
const ROW_RESERVE = 512;

/**
 * Writes `dir/demo-cases.csv` and `dir/demo-feedback.csv` (creating `dir`), and with `messages`
 * `dir/demo-messages.csv`. Streams in chunks with backpressure, so memory stays bounded whatever
 * `opts.cases` is.
 */
export async function writeDemoFiles(
	dir: string,
	opts: DemoOptions,
	onProgress?: (done: number, total: number) => void
): Promise<DemoResult> {
	const { cases: n, seed, endSec, days } = validate(opts);
	const planted = !opts.nullMode;

	const rng = new Rng(seed);
	const seedHash = hash32(seed ^ 0x5bd1e995);

	// --- time layout: cases spread over `days` days before end, weekends quieter, mild growth.
	const startSec = endSec - days * DAY;
	const dayCum = new Float64Array(days);
	{
		let acc = 0;
		for (let d = 0; d < days; d++) {
			const dow = (Math.floor((startSec + d * DAY) / DAY) + 4) % 7; // 0 = Sunday
			acc += (dow === 0 ? 0.65 : dow === 6 ? 0.75 : 1) * (1 + (0.2 * d) / days);
			dayCum[d] = acc;
		}
		for (let d = 0; d < days; d++) dayCum[d] /= acc;
	}
	const endDay = Math.floor((endSec - 1) / DAY);
	const riseFrom = endSec - RISING_THEME.windowDays * DAY;

	// --- customers: index k signed up on sinceDay(k), uniformly over ~6 years up to the end.
	const nCustomers = Math.max(50, Math.round(n * 0.4));
	const custFirstDay = Math.floor(startSec / DAY) - CUSTOMER_HISTORY_YEARS * 365;
	const custSpan = endDay - custFirstDay + 1;
	const sinceDay = (k: number): number => custFirstDay + Math.floor((k * custSpan) / nCustomers);
	/** Number of customers whose account exists on day d (customer_since <= d). */
	const customersBy = (d: number): number => {
		const v = Math.ceil(((d - custFirstDay + 1) * nCustomers) / custSpan);
		return v < 0 ? 0 : v > nCustomers ? nCustomers : v;
	};
	const custWidth = Math.max(7, String(nCustomers).length);
	const customerCountry = (k: number): number => pickIndex(COUNTRY_CUM, hashUnit(seedHash, k));
	const customerLang = (k: number, country: number): Lang =>
		hashUnit(seedHash ^ 0x27d4eb2d, k) < COUNTRY_LANG_SHARE[country] ? COUNTRY_LANG[country] : 'en';

	// --- agents: fixed ids and teams; per-seed workload weights.
	const agentCum = cumulative(AGENT_IDS.map(() => 0.6 + 0.8 * rng.next()));

	// --- orders: bijective scramble of a counter into 9-digit numbers (ids `ORD-<number>`).
	const orderOffset = hash32(seed ^ 0x1b873593) % 900000000;
	let orderCounter = 0;
	const orderNumber = (o: number): number => 100000000 + ((o * 7919 + orderOffset) % 900000000);

	// --- ring of recent order cases, for repeat contacts about the same order.
	const ringSize = Math.min(65536, Math.max(16, Math.ceil((n * 3) / days)));
	const ringCust = new Int32Array(ringSize);
	const ringOrder = new Float64Array(ringSize);
	const ringCreated = new Float64Array(ringSize).fill(-Infinity);
	const ringCat = new Int16Array(ringSize);
	const ringValue = new Float64Array(ringSize);
	const ringDelivered = new Float64Array(ringSize);
	let ringNext = 0;

	const caseWidth = Math.max(8, String(n).length);
	let feedbackCount = 0;

	// --- text helpers (all draws come from the one stream, in a fixed order)
	const fill = (tpl: string, lang: Lang, order: number): string => {
		if (tpl.indexOf('{') < 0) return tpl;
		if (tpl.indexOf('{p}') >= 0) tpl = tpl.replace('{p}', rng.pick(PRODUCTS[lang]));
		if (tpl.indexOf('{o}') >= 0) tpl = tpl.replace('{o}', order > 0 ? 'ORD-' + orderNumber(order) : '#' + (1000 + rng.int(9000)));
		if (tpl.indexOf('{n}') >= 0) tpl = tpl.replace('{n}', String(2 + rng.int(12)));
		return tpl;
	};
	const subjectFor = (cat: number, lang: Lang, order: number): string => {
		let s = fill(rng.pick(SUBJECTS[CAT_DEFS[cat].name][lang]), lang, order);
		const u = rng.next();
		if (u < 0.1) s = rng.pick(SUBJECT_PREFIX[lang]) + s;
		else if (u < 0.13) s = s.toUpperCase();
		else if (u < 0.16) s = s.toLowerCase();
		return s;
	};
	const digits = (k: number): string => {
		let s = '';
		for (let i = 0; i < k; i++) s += String(rng.int(10));
		return s;
	};
	const contactLine = (lang: Lang): string => {
		if (rng.chance(0.5)) {
			const e =
				rng.pick(FIRST_NAMES[lang]) +
				'.' +
				rng.pick(LAST_NAMES[lang]) +
				(rng.chance(0.5) ? String(rng.int(100)) : '') +
				'@' +
				rng.pick(MAIL_DOMAINS);
			return rng.pick(CONTACT_EMAIL[lang]).replace('{e}', e);
		}
		const t =
			lang === 'pt'
				? '+55 ' + (11 + rng.int(80)) + ' 9' + digits(4) + '-' + digits(4)
				: lang === 'es'
					? '+52 55 ' + digits(4) + ' ' + digits(4)
					: rng.chance(0.5)
						? '+1 (' + (200 + rng.int(700)) + ') 555-' + digits(4)
						: '+44 7700 ' + digits(6);
		return rng.pick(CONTACT_PHONE[lang]).replace('{t}', t);
	};
	/** A comment in `lang` on a theme drawn from `themes` under `cum`. */
	const comment = (themes: readonly ThemeDef[], cum: Cumulative, lang: Lang, order: number, negative: boolean): string => {
		const theme = themes[rng.weighted(cum)];
		let s = fill(rng.pick(theme.text[lang]), lang, order);
		if (rng.chance(0.3)) s = rng.pick(OPENERS[lang]) + s.charAt(0).toLowerCase() + s.slice(1);
		const sep = rng.chance(0.06) ? '\n' : ' ';
		if (negative && rng.chance(0.08)) s += sep + rng.pick(QUOTES[lang]);
		if (rng.chance(0.3)) s += sep + rng.pick(negative ? NEG_CLOSERS[lang] : POS_CLOSERS[lang]);
		if (rng.chance(PII_RATE)) s += (rng.chance(0.3) ? '\n' : ' ') + contactLine(lang);
		return s;
	};
	const negCumAt = (sec: number): Cumulative => (planted && sec >= riseFrom ? NEG_CUM_RISEN : NEG_CUM_BASE);

	await mkdir(dir, { recursive: true });
	const casesPath = join(dir, DEMO_CASES_FILE);
	const feedbackPath = join(dir, DEMO_FEEDBACK_FILE);
	const dayTable = new DayTable(custFirstDay - 1, Math.floor(endSec / DAY) - custFirstDay + 3);
	const caseOut = new CsvSink(casesPath, dayTable);
	const fbOut = new CsvSink(feedbackPath, dayTable);
	const messagesPath = opts.messages ? join(dir, DEMO_MESSAGES_FILE) : undefined;
	const msgOut = messagesPath ? new CsvSink(messagesPath, dayTable) : undefined;
	const threads = msgOut ? new DemoThreadWriter(msgOut, seed, endSec, planted ? riseFrom : null) : undefined;

	/** Feedback row start: id, case id (or empty), submitted_at, kind. */
	const feedbackHead = (caseNo: number, sec: number, kind: string): void => {
		fbOut.reserve(ROW_RESERVE);
		fbOut.id('fb-', ++feedbackCount, caseWidth);
		fbOut.byte(COMMA);
		if (caseNo > 0) fbOut.id('case-', caseNo, caseWidth);
		fbOut.byte(COMMA);
		fbOut.ts(sec);
		fbOut.byte(COMMA);
		fbOut.cell(kind);
	};
	/** Feedback row end after csat: comment, region, customer_id. */
	const feedbackTail = (text: string, region: number, k: number): void => {
		fbOut.byte(COMMA);
		fbOut.text(text);
		fbOut.reserve(ROW_RESERVE);
		fbOut.byte(COMMA);
		if (region >= 0) fbOut.ascii(DEMO_REGIONS[region]);
		fbOut.byte(COMMA);
		if (k >= 0) fbOut.id('cust-', k + 1, custWidth);
		fbOut.byte(NEWLINE);
	};
	/** Complaint or suggestion without a case: from a customer who existed then, or anonymous. */
	const unlinked = (kind: 'complaint' | 'suggestion', sec: number): void => {
		const avail = customersBy(Math.floor(sec / DAY));
		let k = -1;
		let region = -1;
		let lang: Lang = 'en';
		if (avail > 0 && rng.chance(0.8)) {
			k = rng.int(avail);
			const c = customerCountry(k);
			region = COUNTRY_REGION[c];
			lang = customerLang(k, c);
		} else {
			lang = rng.chance(0.2) ? 'pt' : rng.chance(0.15) ? 'es' : 'en';
		}
		const text =
			kind === 'complaint'
				? comment(NEGATIVE_THEMES, negCumAt(sec), lang, 0, true)
				: comment(SUGGESTION_THEMES, SUG_CUM, lang, 0, false);
		feedbackHead(0, sec, kind);
		feedbackTail(text, region, k);
	};

	caseOut.reserve(ROW_RESERVE);
	caseOut.ascii(DEMO_CASE_COLUMNS.join(',') + '\n');
	fbOut.reserve(ROW_RESERVE);
	fbOut.ascii(DEMO_FEEDBACK_COLUMNS.join(',') + '\n');
	let dayPtr = 0;
	const slowRegion = DEMO_REGIONS.indexOf(SLOW_REGION.region);
	const frtFactor = planted ? SLOW_REGION.firstResponseMultiplier : 1;
	const returnWindowSec = DEMO_POLICY.returnWindowDays * DAY;

	try {
		for (let i = 0; i < n; i++) {
			const caseNo = i + 1;
			// ---- when
			const target = (i + 0.5) / n;
			while (dayPtr < days - 1 && dayCum[dayPtr] < target) dayPtr++;
			const hour = rng.weighted(HOUR_CUM);
			const created = startSec + dayPtr * DAY + hour * 3600 + rng.int(3600);
			const createdDay = Math.floor(created / DAY);

			// ---- who and what: either a repeat contact about a recent order, or a fresh case
			let k = -1;
			let cat = -1;
			let order = 0;
			let valueUsd = 0;
			let delivered = -1;
			if (rng.chance(REPEAT_CONTACT_SHARE)) {
				const slot = rng.int(ringSize);
				const gap = created - ringCreated[slot];
				if (gap >= 3600 && gap <= 5 * DAY) {
					k = ringCust[slot];
					cat = ringCat[slot];
					order = ringOrder[slot];
					valueUsd = ringValue[slot];
					delivered = ringDelivered[slot];
				}
			}
			const repeat = k >= 0;
			if (!repeat) {
				const oldPool = customersBy(createdDay - NEW_DAYS);
				const allPool = customersBy(createdDay);
				const wantNew = rng.chance(NEW_CUSTOMER_SHARE);
				const u = rng.next();
				if ((wantNew && allPool > oldPool) || oldPool === 0) k = oldPool + Math.floor(u * (allPool - oldPool));
				else k = Math.floor(u * oldPool);
				cat = rng.weighted(CAT_CUM);
			}
			const def = CAT_DEFS[cat];
			const country = customerCountry(k);
			const region = COUNTRY_REGION[country];
			const cur = COUNTRY_CUR[country];
			const lang = customerLang(k, country);
			const custSinceDay = sinceDay(k);
			const custSinceSec = custSinceDay * DAY;
			const tenureDays = createdDay - custSinceDay;

			if (!repeat && def.stage > 0) {
				order = ++orderCounter;
				valueUsd = Math.max(3, rng.lognormal(60, 1));
				if (def.delivery === 'after') {
					const at = created + Math.round(rng.lognormal(3, 0.6) * DAY);
					delivered = at <= endSec ? at : -1;
				} else {
					const dd = def.deliveredDays ?? DEFAULT_DELIVERED_DAYS;
					let at = created - Math.round(Math.min(180, rng.lognormal(dd[0], dd[1])) * DAY) - rng.int(DAY);
					// An order cannot be delivered before the account existed.
					if (at < custSinceSec + 1800) at = Math.min(custSinceSec + 1800, created - 600);
					delivered = at;
				}
			}

			// ---- handling
			const channel = rng.weighted(CHANNEL_CUM);
			const agent = rng.weighted(agentCum);
			const team = AGENT_TEAM[agent];
			const rootCause = rng.weighted(CAT_ROOT_CUM[cat]);

			// Outcome (decided even when the case is still open, then withheld).
			let table = CAT_OUTCOMES[cat];
			if (cat === C_RETURN && delivered >= 0 && created - delivered > returnWindowSec) table = RETURN_OUT_OF_WINDOW;
			if (planted && cat === C_INCONSISTENT && team === HARBOR_TEAM) table = INCONSISTENT_OUTCOMES;
			let outcome = rng.weighted(table.cum);
			const liftDraw = rng.next();
			const lifted = planted && CLAIM_CATEGORY[cat] && tenureDays < NEW_DAYS && outcome !== O_DENIED && liftDraw < table.denyLift;
			if (lifted) outcome = O_DENIED;

			const escalated = outcome === O_ESCALATED || rng.chance(def.escalation);
			const reopenDraw = rng.next();
			const reopens = reopenDraw < (outcome === O_DENIED ? 0.8 : 0.9) ? 0 : reopenDraw < 0.97 ? 1 : reopenDraw < 0.993 ? 2 : 3;

			// First response and resolution.
			let frt = Math.max(5, Math.round(rng.lognormal(FRT_MEDIAN_MIN[channel] * 60, FRT_SIGMA[channel])));
			if (region === slowRegion) frt = Math.round(frt * frtFactor);
			const noReply = outcome === O_WITHDRAWN && rng.chance(0.3);
			const handle = Math.round(rng.lognormal(def.handleHours * 3600, 0.9) * (escalated ? 1.6 : 1) * (1 + 0.5 * reopens));
			const firstResponse = noReply ? -1 : created + frt;
			let resolved = (noReply ? created : firstResponse) + 60 + handle;
			if (CLAIM_CATEGORY[cat] && rng.chance(POLICY_VIOLATIONS.staleClaim)) resolved = Infinity;
			const isResolved = resolved <= endSec;
			const statusDraw = rng.next();
			let status: string;
			if (isResolved) status = endSec - resolved > 4 * DAY && statusDraw < 0.85 ? 'closed' : 'solved';
			else status = firstResponse >= 0 && firstResponse <= endSec && statusDraw < 0.5 ? 'pending' : 'open';

			// Money.
			const rate = CURRENCY_RATE[cur];
			const whole = CURRENCY_WHOLE[cur];
			const valueMinor = order > 0 ? toMinor(valueUsd, rate, whole) : 0;
			const refundKind = CAT_REFUND[cat][outcome];
			const partialShare = rng.range(0.2, 0.7);
			const refundDelay = rng.chance(POLICY_VIOLATIONS.lateRefund)
				? rng.range(POLICY_VIOLATIONS.lateRefundDays[0], POLICY_VIOLATIONS.lateRefundDays[1])
				: rng.range(POLICY_VIOLATIONS.normalRefundDays[0], POLICY_VIOLATIONS.normalRefundDays[1]);
			const feeCharged = rng.chance(POLICY_VIOLATIONS.returnShippingFee);
			const feeUsd = rng.range(POLICY_VIOLATIONS.returnShippingFeeUsd[0], POLICY_VIOLATIONS.returnShippingFeeUsd[1]);
			const subject = subjectFor(cat, lang, order);

			// ---- the case row
			const o = caseOut;
			o.reserve(ROW_RESERVE);
			o.id('case-', caseNo, caseWidth);
			o.byte(COMMA);
			o.ts(created);
			o.byte(COMMA);
			if (firstResponse >= 0 && firstResponse <= endSec) o.ts(firstResponse);
			o.byte(COMMA);
			if (isResolved) o.ts(resolved);
			o.byte(COMMA);
			o.cell(status);
			o.cell(DEMO_REGIONS[region]);
			o.cell(COUNTRY_CODE[country]);
			o.cell(DEMO_CHANNELS[channel]);
			o.cell(DEMO_STAGES[def.stage]);
			o.cell(def.name);
			o.cell(ROOT_CAUSES[rootCause]);
			o.cell(AGENT_IDS[agent]);
			o.cell(DEMO_TEAMS[team]);
			o.id('cust-', k + 1, custWidth);
			o.byte(COMMA);
			o.date(custSinceDay);
			o.byte(COMMA);
			if (order > 0) {
				o.ascii('ORD-');
				o.uint(orderNumber(order));
			}
			o.byte(COMMA);
			if (order > 0) o.money(valueMinor, whole);
			o.byte(COMMA);
			if (order > 0) o.ascii(CURRENCIES[cur]);
			o.byte(COMMA);
			if (delivered >= 0) o.ts(delivered);
			o.byte(COMMA);
			if (isResolved) o.ascii(OUTCOMES[outcome]);
			o.byte(COMMA);
			// refund_amount, refund_issued_at
			if (isResolved && order > 0 && refundKind > 0) {
				const minor =
					refundKind === 2
						? valueMinor
						: whole
							? Math.round((valueMinor * partialShare) / 100) * 100
							: Math.round(valueMinor * partialShare);
				o.money(minor, whole);
				o.byte(COMMA);
				const at = resolved + Math.round(refundDelay * DAY);
				if (at <= endSec) o.ts(at);
			} else o.byte(COMMA);
			o.byte(COMMA);
			// return_shipping_fee: recorded when goods go back; charged now and then (a violation).
			if (isResolved && order > 0 && CAT_RETURNS[cat][outcome]) o.money(feeCharged ? toMinor(feeUsd, rate, whole) : 0, whole);
			o.byte(COMMA);
			o.uint(isResolved ? reopens : 0);
			o.byte(COMMA);
			o.cell(escalated ? 'true' : 'false');
			o.text(subject);
			o.byte(NEWLINE);
			threads?.write({
				caseId: 'case-' + pad(caseNo, caseWidth),
				created,
				firstResponse,
				resolved,
				lang,
				channel: DEMO_CHANNELS[channel],
				category: def.name,
				outcome: OUTCOMES[outcome],
				agentId: AGENT_IDS[agent],
				subject,
				escalated,
				inconsistentTeam: planted && cat === C_INCONSISTENT && team === HARBOR_TEAM,
				newAccountDenial: lifted
			});

			if (order > 0) {
				ringCust[ringNext] = k;
				ringOrder[ringNext] = order;
				ringCreated[ringNext] = created;
				ringCat[ringNext] = cat;
				ringValue[ringNext] = valueUsd;
				ringDelivered[ringNext] = delivered;
				ringNext = ringNext + 1 === ringSize ? 0 : ringNext + 1;
			}

			// ---- feedback
			if (isResolved && rng.chance(SURVEY_RESPONSE_RATE)) {
				const submitted = resolved + Math.round(rng.exponential(0.8 * DAY)) + 60;
				const resDays = (resolved - created) / DAY;
				const frtHours = firstResponse >= 0 ? frt / 3600 : 0;
				const latent =
					CSAT_BASE[outcome] - 0.35 * Math.log1p(resDays) - 0.12 * Math.log1p(frtHours) - 0.4 * reopens + 0.9 * rng.normal();
				const csat = latent < 1.5 ? 1 : latent < 2.5 ? 2 : latent < 3.5 ? 3 : latent < 4.5 ? 4 : 5;
				const wantComment = rng.chance(csat <= 2 ? 0.5 : 0.3);
				if (submitted <= endSec) {
					let text = '';
					if (wantComment) {
						const negative = csat <= 2 || (csat === 3 ? rng.chance(0.7) : rng.chance(0.08));
						text = negative
							? comment(NEGATIVE_THEMES, negCumAt(submitted), lang, order, true)
							: comment(POSITIVE_THEMES, CAT_HAS_RETURNS[cat] ? POS_CUM_RETURNS : POS_CUM, lang, order, false);
					}
					feedbackHead(caseNo, submitted, 'survey');
					fbOut.uint(csat);
					feedbackTail(text, region, k);
				}
			}
			if (rng.chance(COMPLAINT_RATE)) {
				const submitted = created + 600 + Math.round(rng.exponential(1.5 * DAY));
				if (submitted <= endSec) {
					const text = comment(NEGATIVE_THEMES, negCumAt(submitted), lang, order, true);
					feedbackHead(caseNo, submitted, 'complaint');
					feedbackTail(text, region, k);
				}
			}
			if (rng.chance(UNLINKED_COMPLAINT_RATE)) {
				const at = created + rng.int(2 * DAY);
				if (at <= endSec) unlinked('complaint', at);
			}
			if (rng.chance(SUGGESTION_RATE)) {
				const at = created + rng.int(3 * DAY);
				if (at <= endSec) {
					if (rng.chance(0.8)) unlinked('suggestion', at);
					else {
						const text = comment(SUGGESTION_THEMES, SUG_CUM, lang, order, false);
						feedbackHead(caseNo, at, 'suggestion');
						feedbackTail(text, region, k);
					}
				}
			}

			if (caseNo % CHUNK_ROWS === 0 || caseNo === n) {
				await caseOut.drain();
				await fbOut.drain();
				await msgOut?.drain();
				// Let the streams' finished writes call back, so disk I/O overlaps generation.
				await new Promise<void>((resolve) => setImmediate(resolve));
				onProgress?.(caseNo, n);
			}
		}
	} catch (e) {
		caseOut.destroy();
		fbOut.destroy();
		msgOut?.destroy();
		throw e;
	}

	await Promise.all([caseOut.close(), fbOut.close(), msgOut?.close()]);
	if (n === 0) onProgress?.(0, 0);
	return { casesPath, feedbackPath, cases: n, feedback: feedbackCount, ...(messagesPath && threads ? { messagesPath, messages: threads.count } : {}) };
}
