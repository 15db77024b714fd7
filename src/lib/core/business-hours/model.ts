/**
 * Business hours and holidays per region, as the policy states them (config/policy.json,
 * `business_hours`). Browser-safe: the policy form validates with these functions, and the SQL in
 * business-hours.server.ts is generated from what they return.
 */
import publishedPolicy from '../../../../config/policy.json';

export interface RegionCalendar {
	/** IANA time zone name, e.g. "Europe/Berlin": the hours below are local wall-clock times there. */
	time_zone: string;
	/** Open hours per weekday, e.g. "Mon-Fri 09:00-17:00" or "Mon-Thu 08:00-18:00, Fri 08:00-14:00". */
	week: string;
	/** Whole local days closed, as YYYY-MM-DD. */
	holidays: string[];
}

export interface BusinessCalendars {
	/** The calendar of every region not listed under `regions`. */
	default: RegionCalendar;
	regions: Record<string, RegionCalendar>;
}

/** One open stretch of a weekday: ISO day (1 = Monday ... 7 = Sunday), minutes after local midnight. */
export interface WeekSegment {
	dow: number;
	start: number;
	end: number;
}

/** Open stretches per day at most: a lunch break or two. */
export const MAX_STRETCHES_PER_DAY = 3;

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_WORDS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export const WEEK_FORMAT = 'days and hours such as "Mon-Fri 09:00-17:00" or "Mon-Thu 08:00-18:00, Fri 08:00-14:00" (local time, 24-hour clock, end after start, up to 24:00)';

function minutes(hhmm: string): number | null {
	const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
	if (!m) return null;
	const h = Number(m[1]);
	const min = Number(m[2]);
	if (min > 59 || h > 24 || (h === 24 && min > 0)) return null;
	return h * 60 + min;
}

/** The open stretches of a week, or why the text is not one. A day may have several (a lunch break) but they may not overlap. */
export function parseWeek(text: string): { segments: WeekSegment[]; error: null } | { segments: null; error: string } {
	const segments: WeekSegment[] = [];
	const parts = text.split(',').map((p) => p.trim());
	if (!text.trim()) return { segments: null, error: 'no open hours given' };
	for (const part of parts) {
		const m = /^([A-Za-z]{3})(?:\s*-\s*([A-Za-z]{3}))?\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/.exec(part);
		if (!m) return { segments: null, error: `"${part}" is not days and hours` };
		const from = DAYS.indexOf(m[1].toLowerCase());
		const to = m[2] ? DAYS.indexOf(m[2].toLowerCase()) : from;
		if (from < 0 || to < 0) return { segments: null, error: `"${part}" names no weekday (Mon, Tue, Wed, Thu, Fri, Sat, Sun)` };
		if (to < from) return { segments: null, error: `"${part}" runs backwards; write the days Monday first` };
		const start = minutes(m[3]);
		const end = minutes(m[4]);
		if (start === null || end === null) return { segments: null, error: `"${part}" has a time that is not HH:MM between 00:00 and 24:00` };
		if (end <= start) return { segments: null, error: `"${part}" ends before it starts (hours past midnight go on the next day's entry)` };
		for (let d = from; d <= to; d++) segments.push({ dow: d + 1, start, end });
	}
	segments.sort((a, b) => a.dow - b.dow || a.start - b.start);
	for (let i = 1; i < segments.length; i++) {
		const [a, b] = [segments[i - 1], segments[i]];
		if (a.dow === b.dow && b.start < a.end) return { segments: null, error: `the hours of ${DAY_WORDS[a.dow - 1]} overlap` };
	}
	// The SQL lookup keeps a fixed number of stretches per day (src/lib/core/business-hours/business-hours.server.ts).
	for (let d = 1; d <= 7; d++) if (segments.filter((s) => s.dow === d).length > MAX_STRETCHES_PER_DAY) return { segments: null, error: `${DAY_WORDS[d - 1]} has more than ${MAX_STRETCHES_PER_DAY} stretches` };
	return { segments, error: null };
}

/** Whether the runtime knows the IANA zone; DuckDB's ICU and the browser share the same database of names. */
export function isTimeZone(name: string): boolean {
	if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
	try {
		new Intl.DateTimeFormat('en', { timeZone: name });
		return true;
	} catch {
		return false;
	}
}

/** A real calendar date written YYYY-MM-DD (2024-02-30 is not). */
export function isIsoDate(text: string): boolean {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
	const d = new Date(`${text}T00:00:00Z`);
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

type Doc = Record<string, unknown>;

function readCalendar(value: unknown, fallback: RegionCalendar): RegionCalendar {
	const v = (value && typeof value === 'object' ? value : {}) as Doc;
	return {
		time_zone: typeof v.time_zone === 'string' && isTimeZone(v.time_zone) ? v.time_zone : fallback.time_zone,
		week: typeof v.week === 'string' && parseWeek(v.week).error === null ? v.week : fallback.week,
		holidays: Array.isArray(v.holidays) ? v.holidays.filter((d): d is string => typeof d === 'string' && isIsoDate(d)) : fallback.holidays
	};
}

const PUBLISHED = (publishedPolicy as Doc).business_hours as Doc;

/**
 * The calendars of the policy in force. A stored version older than the `business_hours` keys
 * reads the published ones (config/policy.json), as fairness-groups.server.ts does for its keys.
 */
export function businessCalendars(policy: Doc): BusinessCalendars {
	const stored = (policy.business_hours && typeof policy.business_hours === 'object' ? policy.business_hours : PUBLISHED) as Doc;
	const fallback = readCalendar(PUBLISHED.default, { time_zone: 'UTC', week: 'Mon-Fri 09:00-17:00', holidays: [] });
	const regions = (stored.regions && typeof stored.regions === 'object' ? stored.regions : {}) as Doc;
	return {
		default: readCalendar(stored.default, fallback),
		regions: Object.fromEntries(Object.entries(regions).map(([name, cal]) => [name, readCalendar(cal, fallback)]))
	};
}

/** "north_america" → "North America": how a region key reads in a label. */
export function regionWords(key: string): string {
	return key
		.split(/[_\s]+/)
		.filter(Boolean)
		.map((w) => w[0].toUpperCase() + w.slice(1))
		.join(' ');
}

/** "Mon-Fri 09:00-17:00 Europe/Berlin, 12 holidays": one calendar in a line. */
export function describeCalendar(cal: RegionCalendar): string {
	const n = cal.holidays.length;
	return `${cal.week} ${cal.time_zone}${n ? `, ${n} holiday${n === 1 ? '' : 's'}` : ''}`;
}
