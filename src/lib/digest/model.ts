import { error } from '@sveltejs/kit';
import { formatChange, formatCount, formatDateTime, formatHours, formatPoints, formatPValue, formatRatio, formatShare } from '../core/format';
import { describeNotTestable, NOT_TESTABLE_SHORT, type NotTestable } from '../metrics/model';
import { filtersToParams, parseFilters, type Filters, type PeriodAnchor } from '../metrics/filters/model';

/**
 * The weekly digest (README.md, "Weekly digest"): one ISO week against the week before, for a
 * mail tool or a cron job. Browser-safe: the week arithmetic, the request parser shared by the
 * page, the downloads and the CLI, the digest's shape, and the one view (tables of text) that
 * the page, the Markdown and the HTML all render, so the three cannot drift apart.
 */

const DAY = 86_400_000;

/** An ISO 8601 week: Monday 00:00 UTC to the next Monday 00:00 UTC. */
export interface IsoWeek {
	/** "2026-W47". */
	id: string;
	year: number;
	week: number;
	/** Monday, YYYY-MM-DD (inclusive). */
	from: string;
	/** Sunday, YYYY-MM-DD (inclusive). */
	to: string;
	/** Monday 00:00 UTC, ISO timestamp. */
	start: string;
	/** The next Monday 00:00 UTC (exclusive), ISO timestamp. */
	end: string;
}

const WEEK_ID = /^(\d{4})-W(\d{2})$/;

function day(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

/** Monday 00:00 UTC of ISO week 1: the week holding 4 January. */
function week1Monday(year: number): number {
	const jan4 = Date.UTC(year, 0, 4);
	return jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
}

function weekFromMonday(monday: number): IsoWeek {
	// The ISO year is the one of the week's Thursday.
	const year = new Date(monday + 3 * DAY).getUTCFullYear();
	const week = 1 + Math.round((monday - week1Monday(year)) / (7 * DAY));
	return { id: `${year}-W${String(week).padStart(2, '0')}`, year, week, from: day(monday), to: day(monday + 6 * DAY), start: new Date(monday).toISOString(), end: new Date(monday + 7 * DAY).toISOString() };
}

/** The ISO week an instant falls in (UTC). */
export function isoWeekOf(at: Date): IsoWeek {
	const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
	return weekFromMonday(midnight - ((new Date(midnight).getUTCDay() + 6) % 7) * DAY);
}

/** "2026-W47" as a week, or null when it is not one (W00, W54, or W53 of a year with 52 weeks). */
export function parseIsoWeek(text: string): IsoWeek | null {
	const m = WEEK_ID.exec(text.trim());
	if (!m) return null;
	const year = Number(m[1]);
	const week = Number(m[2]);
	if (week < 1 || year < 1000) return null;
	const found = weekFromMonday(week1Monday(year) + (week - 1) * 7 * DAY);
	return found.year === year && found.week === week ? found : null;
}

export function shiftWeek(week: IsoWeek, weeks: number): IsoWeek {
	return weekFromMonday(Date.parse(week.start) + weeks * 7 * DAY);
}

/**
 * The last ISO week that is over at `at`: the week before the one `at` falls in (a week ends at
 * the next Monday 00:00, which already belongs to the next week).
 */
export function lastCompleteWeek(at: Date): IsoWeek {
	return shiftWeek(isoWeekOf(at), -1);
}

/** "2026-W47 (2026-11-16 to 2026-11-22)". */
export function weekLabel(week: IsoWeek): string {
	return `${week.id} (${week.from} to ${week.to})`;
}

/** What a digest request asks for. */
export interface DigestOptions {
	/** null = the last complete week at the anchor. */
	week: string | null;
	/** What "the last complete week" counts back from: the archive's snapshot (default) or the wall clock. */
	anchor: PeriodAnchor;
	/** The global filters without a period (the week is the period): dimensions and imports. */
	filters: Filters;
}

export const WEEK_FORMAT_HINT = 'an ISO week written YYYY-Www, such as 2026-W47';

/**
 * The request from URL parameters (page, downloads and CLI alike), or 400 naming a bad week, as
 * an impossible date is in parseFilters. A period parameter is dropped: the week is the period.
 */
export function digestOptions(params: URLSearchParams): DigestOptions {
	const raw = (params.get('week') ?? '').trim();
	if (raw && !parseIsoWeek(raw)) error(400, `"week" must be ${WEEK_FORMAT_HINT} that exists; got "${raw.slice(0, 40)}".`);
	const rest = new URLSearchParams(params);
	for (const key of ['week', 'range', 'from', 'to', 'anchor']) rest.delete(key);
	const { dims, batch } = parseFilters(rest);
	return { week: raw ? (parseIsoWeek(raw) as IsoWeek).id : null, anchor: params.get('anchor') === 'today' ? 'today' : 'archive', filters: { range: 'all', dims, ...(batch ? { batch } : {}) } };
}

/** The URL parameters of a digest of `week` with the same filters: the week picker's links and the downloads. */
export function digestParams(options: DigestOptions, week: string | null): URLSearchParams {
	const params = filtersToParams(options.filters);
	if (options.anchor === 'today') params.set('anchor', 'today');
	if (week) params.set('week', week);
	return params;
}

/** The filters narrowed to one week: the custom range every report is called with. */
export function weekFilters(filters: Filters, week: IsoWeek): Filters {
	return { ...filters, range: 'custom', from: week.from, to: week.to, anchor: undefined };
}

/** One number of one week, or why the data cannot support it. */
export interface WeekValue {
	value: number | null;
	/** What the number is made of: "870 of 954", "512 rated". */
	detail: string | null;
	/** Set whenever value is null. */
	not_testable: NotTestable | null;
}

export type ValueUnit = 'count' | 'hours' | 'share';

/** One measure, this week against last week. */
export interface Comparison {
	id: string;
	label: string;
	unit: ValueUnit;
	this_week: WeekValue;
	last_week: WeekValue;
}

export interface DigestFlag {
	key: string;
	sentence: string;
}

/** Flags raised this week that last week did not have, and the reverse. */
export interface FlagChange {
	/** Set when either week's report could not test anything: "new" would then mean nothing. */
	not_testable: NotTestable | null;
	new: DigestFlag[];
	gone: DigestFlag[];
	/** Flagged in both weeks. */
	still: DigestFlag[];
}

export interface RisingTheme {
	theme: string;
	this_week: number;
	last_week: number;
	this_share: number | null;
	last_share: number | null;
	trend_ratio: number | null;
	q_value: number | null;
}

export interface ThemeChange {
	not_testable: NotTestable | null;
	/** Feedback comments in each week (the themes' denominators). */
	documents_this_week: number;
	documents_last_week: number;
	rising: RisingTheme[];
}

export interface Digest {
	week: IsoWeek;
	previous: IsoWeek;
	/** The last complete week at the anchor: the picker offers no later week. */
	latest: IsoWeek;
	/** The archive's snapshot (ISO), or null for an empty archive. */
	snapshot: string | null;
	/** The filters besides the week, in words ("all cases" when none). */
	scope: string;
	generated_at: string;
	policy_version: number;
	speed: Comparison[];
	compliance: Comparison[];
	satisfaction: Comparison[];
	fairness: FlagChange;
	consistency: FlagChange;
	themes: ThemeChange;
	definitions: string[];
}

/** One cell of the digest's tables; `untested` cells show "not testable", greyed where styling exists. */
export interface DigestCell {
	text: string;
	/** What the number is made of, printed after it in brackets (on its own line on the page). */
	detail?: string;
	untested?: boolean;
}

/** A cell as one line of text: "12.3% (45 of 367)". */
export function cellText(c: DigestCell): string {
	return c.detail ? `${c.text} (${c.detail})` : c.text;
}

export interface DigestTable {
	head: string[];
	rows: DigestCell[][];
	/** Right-aligned columns (numbers). */
	numeric: number[];
}

export interface DigestList {
	title: string;
	items: string[];
	/** Shown when there are no items. */
	empty: string;
}

export interface DigestSection {
	id: string;
	title: string;
	lead: string | null;
	table: DigestTable | null;
	lists: DigestList[];
	/** The whole section cannot be told from the data (describeNotTestable). */
	not_testable: string | null;
	/** Numbered notes the table's "not testable [n]" cells point to. */
	notes: string[];
}

export interface DigestView {
	title: string;
	/** Lines under the title: weeks, scope, snapshot. */
	meta: string[];
	sections: DigestSection[];
	definitions: string[];
}

function valueText(unit: ValueUnit, v: number): string {
	if (unit === 'count') return formatCount(v);
	return unit === 'hours' ? formatHours(v) : formatShare(v);
}

function changeText(unit: ValueUnit, now: number, before: number): string {
	if (unit === 'share') return formatPoints(now - before);
	const relative = before ? formatChange(now / before - 1) : null;
	if (unit === 'hours') return relative ?? '–';
	const diff = now - before;
	return `${diff >= 0 ? '+' : '−'}${formatCount(Math.abs(diff))}${relative ? ` (${relative})` : ''}`;
}

/** Numbers "not testable [n]" notes, one per distinct text. */
class Notes {
	readonly list: string[] = [];

	ref(text: string): number {
		const at = this.list.indexOf(text);
		if (at >= 0) return at + 1;
		this.list.push(text);
		return this.list.length;
	}
}

function comparisonTable(rows: Comparison[], d: Digest, notes: Notes, first: string): DigestTable {
	// The column names the week, so both weeks share a note when the data lacks the same thing.
	const cell = (v: WeekValue, unit: ValueUnit): DigestCell => {
		if (v.value === null || v.not_testable) {
			const why = v.not_testable ? describeNotTestable(v.not_testable) : `${NOT_TESTABLE_SHORT}.`;
			return { text: `${NOT_TESTABLE_SHORT} [${notes.ref(why)}]`, untested: true };
		}
		return v.detail ? { text: valueText(unit, v.value), detail: v.detail } : { text: valueText(unit, v.value) };
	};
	return {
		head: [first, d.week.id, d.previous.id, 'change'],
		numeric: [1, 2, 3],
		rows: rows.map((c) => {
			const now = cell(c.this_week, c.unit);
			const before = cell(c.last_week, c.unit);
			const change: DigestCell = now.untested || before.untested ? { text: NOT_TESTABLE_SHORT, untested: true } : { text: changeText(c.unit, c.this_week.value as number, c.last_week.value as number) };
			return [{ text: c.label }, now, before, change];
		})
	};
}

function flagSection(id: string, title: string, f: FlagChange, d: Digest): DigestSection {
	const base = { id, title, table: null, notes: [] };
	if (f.not_testable) return { ...base, lead: null, lists: [], not_testable: describeNotTestable(f.not_testable) };
	const now = f.new.length + f.still.length;
	const before = f.gone.length + f.still.length;
	if (!now && !before) return { ...base, lead: `No flag in ${d.week.id} or ${d.previous.id}.`, lists: [], not_testable: null };
	const lists: DigestList[] = [
		{ title: `New in ${d.week.id} (${f.new.length})`, items: f.new.map((x) => x.sentence), empty: 'None.' },
		{ title: `Gone since ${d.previous.id} (${f.gone.length})`, items: f.gone.map((x) => x.sentence), empty: 'None.' }
	];
	if (f.still.length) lists.push({ title: `Flagged in both weeks (${f.still.length})`, items: f.still.map((x) => x.sentence), empty: '' });
	return { ...base, lead: `${now} flagged in ${d.week.id}, ${before} in ${d.previous.id}.`, not_testable: null, lists };
}

/** The digest as titled tables and lists of plain text; each renderer escapes for its own format. */
export function digestView(d: Digest): DigestView {
	const speedNotes = new Notes();
	const complianceNotes = new Notes();
	const csatNotes = new Notes();
	const t = d.themes;
	const themes: DigestSection = {
		id: 'themes',
		title: 'Rising friction themes',
		lead: t.not_testable ? null : `Themes of feedback comments whose share rose from ${d.previous.id} (${formatCount(t.documents_last_week)} comments) to ${d.week.id} (${formatCount(t.documents_this_week)} comments), q < 0.05.`,
		table:
			t.not_testable || !t.rising.length
				? null
				: {
						head: ['theme', d.week.id, d.previous.id, 'trend', 'q'],
						numeric: [1, 2, 3, 4],
						rows: t.rising.map((r) => [
							{ text: r.theme },
							{ text: formatCount(r.this_week), detail: formatShare(r.this_share) },
							{ text: formatCount(r.last_week), detail: formatShare(r.last_share) },
							{ text: formatRatio(r.trend_ratio) },
							{ text: formatPValue(r.q_value) }
						])
					},
		lists: t.not_testable || t.rising.length ? [] : [{ title: '', items: [], empty: 'No theme rose significantly against last week.' }],
		not_testable: t.not_testable ? describeNotTestable(t.not_testable) : null,
		notes: []
	};
	const sections: DigestSection[] = [
		{ id: 'speed', title: 'Volume and speed', lead: null, table: comparisonTable(d.speed, d, speedNotes, 'measure'), lists: [], not_testable: null, notes: speedNotes.list },
		{ id: 'compliance', title: 'Policy compliance', lead: `Share of eligible cases opened that week that break each rule (policy version ${d.policy_version}).`, table: comparisonTable(d.compliance, d, complianceNotes, 'rule'), lists: [], not_testable: null, notes: complianceNotes.list },
		{ id: 'satisfaction', title: 'Satisfaction', lead: 'Feedback answers submitted that week.', table: comparisonTable(d.satisfaction, d, csatNotes, 'measure'), lists: [], not_testable: null, notes: csatNotes.list },
		flagSection('fairness', 'Fairness flags', d.fairness, d),
		flagSection('consistency', 'Consistency flags', d.consistency, d),
		themes
	];
	return {
		title: `Weekly digest ${d.week.id}`,
		meta: [
			`${weekLabel(d.week)}, Monday 00:00 to Sunday 24:00 UTC, against ${weekLabel(d.previous)}.`,
			`Scope: ${d.scope}. Archive snapshot ${d.snapshot ? formatDateTime(d.snapshot) : 'none (the archive holds no case)'}; generated ${formatDateTime(d.generated_at)}.`
		],
		sections,
		definitions: d.definitions
	};
}
