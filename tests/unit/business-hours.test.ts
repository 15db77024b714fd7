import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import policy from '../../config/policy.json';
import { openDatabase, type OpenDatabase } from '../../src/lib/core/db/database.server';
import { businessCalendars, parseWeek, type BusinessCalendars } from '../../src/lib/core/business-hours/model';
import { businessHoursBetween, businessHoursByOverlap } from '../../src/lib/core/business-hours/business-hours.server';
import { flattenPolicy, policyFromForm, type PolicyDocument } from '../../src/lib/core/policy/model';

let open: OpenDatabase;

// Regions of the checks below. The DST days (31 March / 27 October 2024 in Europe, 10 March /
// 3 November 2024 in the US) are Sundays, so the calendars ending in 7 are open every day.
const calendars: BusinessCalendars = {
	default: { time_zone: 'UTC', week: 'Mon-Fri 09:00-17:00', holidays: [] },
	regions: {
		europe: { time_zone: 'Europe/Berlin', week: 'Mon-Fri 09:00-17:00', holidays: ['2024-05-01'] },
		berlin7: { time_zone: 'Europe/Berlin', week: 'Mon-Sun 09:00-17:00', holidays: [] },
		north_america: { time_zone: 'America/New_York', week: 'Mon-Fri 09:00-17:00', holidays: [] },
		ny7: { time_zone: 'America/New_York', week: 'Mon-Sun 09:00-17:00', holidays: [] },
		oceania: { time_zone: 'Australia/Sydney', week: 'Mon-Fri 09:00-17:00', holidays: [] },
		lunch: { time_zone: 'UTC', week: 'Mon-Fri 09:00-12:00, Mon-Fri 13:00-17:00', holidays: [] }
	}
};

const utc = (s: string) => new Date(`${s}Z`);

/** [what, region, opened (UTC), answered (UTC), business hours worked out by hand]. */
const CASES: [string, string, string, string, number][] = [
	// Tue 11 June 2024, CEST = UTC+2: 10:00 to 13:30 local, all inside 09:00-17:00 → 3.5.
	['within one day', 'europe', '2024-06-11T08:00:00', '2024-06-11T11:30:00', 3.5],
	// Fri 14 June 15:00 local → Mon 17 June 11:00 local: Fri 15-17 = 2, Sat and Sun closed, Mon 9-11 = 2 → 4.
	['across a weekend', 'europe', '2024-06-14T13:00:00', '2024-06-17T09:00:00', 4],
	// Tue 30 April 16:00 local → Thu 2 May 10:00 local: Tue 16-17 = 1, Wed 1 May holiday = 0, Thu 9-10 = 1 → 2.
	['across a holiday', 'europe', '2024-04-30T14:00:00', '2024-05-02T08:00:00', 2],
	// Sun 31 March 2024, clocks go 02:00 → 03:00 (CEST = UTC+2 from then): 08:00 → 18:00 local = 06:00 → 16:00 UTC;
	// open 09:00-17:00 local = 07:00-15:00 UTC → 8, although the UTC day is 23 hours long.
	['spring forward, Berlin', 'berlin7', '2024-03-31T06:00:00', '2024-03-31T16:00:00', 8],
	// Sat 30 March 16:00 CET (UTC+1, 15:00 UTC) → Sun 31 March 10:00 CEST (UTC+2, 08:00 UTC): Sat 16-17 = 1, Sun 9-10 = 1 → 2
	// (17 hours passed in UTC, 18 on the wall clock).
	['across the spring-forward night, Berlin', 'berlin7', '2024-03-30T15:00:00', '2024-03-31T08:00:00', 2],
	// Sun 27 October 2024, clocks go 03:00 → 02:00 (CET = UTC+1 from then): 08:00 → 18:00 local = 07:00 → 17:00 UTC;
	// open 09:00-17:00 local = 08:00-16:00 UTC → 8, although the UTC day is 25 hours long.
	['fall back, Berlin', 'berlin7', '2024-10-27T07:00:00', '2024-10-27T17:00:00', 8],
	// Sun 10 March 2024, New York 02:00 EST → 03:00 EDT (UTC-4): 08:00 → 18:00 local = 12:00 → 22:00 UTC;
	// open 09:00-17:00 EDT = 13:00-21:00 UTC → 8.
	['spring forward, New York', 'ny7', '2024-03-10T12:00:00', '2024-03-10T22:00:00', 8],
	// Sun 3 November 2024, New York 02:00 EDT → 01:00 EST (UTC-5): 08:00 → 18:00 local = 13:00 → 23:00 UTC;
	// open 09:00-17:00 EST = 14:00-22:00 UTC → 8.
	['fall back, New York', 'ny7', '2024-11-03T13:00:00', '2024-11-03T23:00:00', 8],
	// Fri 8 March 16:00 EST (21:00 UTC) → Mon 11 March 10:00 EDT (14:00 UTC), the clocks changed on the closed Sunday:
	// Fri 16-17 = 1, Mon 9-10 = 1 → 2 (65 hours passed in UTC).
	['a weekend with the US change', 'north_america', '2024-03-08T21:00:00', '2024-03-11T14:00:00', 2],
	// Tue 11 June 06:00 local (04:00 UTC), answered 10:15 local (08:15 UTC): the clock starts at 09:00 → 1.25.
	['opened outside hours', 'europe', '2024-06-11T04:00:00', '2024-06-11T08:15:00', 1.25],
	// Tue 11 June 18:30 local (16:30 UTC) → Wed 12 June 07:45 local (05:45 UTC): closed the whole time → 0.
	['answered before opening hours', 'europe', '2024-06-11T16:30:00', '2024-06-12T05:45:00', 0],
	// "mars" is not in the list, so the default calendar (UTC, Mon-Fri 09:00-17:00) applies:
	// Mon 10 June 08:00 → 12:00 UTC, open from 09:00 → 3.
	['a region without a calendar (default)', 'mars', '2024-06-10T08:00:00', '2024-06-10T12:00:00', 3],
	// Sydney (AEST = UTC+10): Tue 11 June 08:00 → 13:00 local = Mon 10 June 22:00 UTC → Tue 03:00 UTC; the open
	// stretch 09:00-17:00 local = 23:00 Mon - 07:00 Tue UTC crosses UTC midnight; 09:00-13:00 → 4.
	['a day that crosses UTC midnight, Sydney', 'oceania', '2024-06-10T22:00:00', '2024-06-11T03:00:00', 4],
	// Lunch 12:00-13:00 closed: Mon 10 June 11:00 → 14:00 UTC = 11-12 (1) + 13-14 (1) → 2.
	['a lunch break', 'lunch', '2024-06-10T11:00:00', '2024-06-10T14:00:00', 2],
	// Mon 10 June 09:00 → Mon 17 June 09:00 in Berlin time (07:00 UTC): five open days of 8 hours → 40.
	['a full week', 'europe', '2024-06-10T07:00:00', '2024-06-17T07:00:00', 40]
];

beforeAll(async () => {
	open = await openDatabase(':memory:');
});

afterAll(async () => {
	await open?.close();
});

describe('business hours between two instants, in SQL', () => {
	test.each(CASES)('%s', async (_what, region, from, to, expected) => {
		const [hours] = await businessHoursBetween(open.db, calendars, [{ region, from: utc(from), to: utc(to) }]);
		expect(hours).toBeCloseTo(expected, 9);
	});

	test('the lookup the reports use agrees with summing each open stretch’s overlap', async () => {
		const pairs = CASES.map(([, region, from, to]) => ({ region, from: utc(from), to: utc(to) }));
		// Plus a spread of instants over a year, in every region, some across many days.
		for (let i = 0; i < 200; i++) {
			const from = Date.UTC(2024, 0, 1) + ((i * 7_919_993_111) % (360 * 86_400_000));
			const region = ['europe', 'berlin7', 'north_america', 'ny7', 'oceania', 'lunch', 'mars'][i % 7];
			pairs.push({ region, from: new Date(from), to: new Date(from + ((i * 104_729_000) % (20 * 86_400_000))) });
		}
		const [clock, overlap] = await Promise.all([businessHoursBetween(open.db, calendars, pairs), businessHoursByOverlap(open.db, calendars, pairs)]);
		for (let i = 0; i < pairs.length; i++) expect(clock[i], JSON.stringify(pairs[i])).toBeCloseTo(overlap[i], 6);
	});

	test('the published policy gives every listed region its own calendar, and the rest the default', () => {
		const cal = businessCalendars(policy as unknown as Record<string, unknown>);
		expect(cal.regions.europe.time_zone).toBe('Europe/Berlin');
		expect(cal.default.time_zone).toBe('UTC');
		// A stored policy older than the business_hours keys reads the published ones.
		expect(businessCalendars({ targets: {} })).toEqual(cal);
	});
});

describe('weekly hours and their validation', () => {
	test('days and hours are read into open stretches', () => {
		expect(parseWeek('Mon-Fri 09:00-17:00').segments?.length).toBe(5);
		expect(parseWeek('Sat 10:00-24:00').segments).toEqual([{ dow: 6, start: 600, end: 1440 }]);
		expect(parseWeek('Mon 09:00-12:00, Mon 11:00-13:00').error).toBe('the hours of Monday overlap');
		expect(parseWeek('Fri-Mon 09:00-17:00').error).toContain('runs backwards');
		expect(parseWeek('Mon 22:00-06:00').error).toContain('ends before it starts');
		expect(parseWeek('weekdays').error).toContain('is not days and hours');
	});

	const doc = (({ $comment: _c, ...rest }) => rest)(policy) as unknown as PolicyDocument;
	const form = (changes: Record<string, string>) => {
		const values = new Map<string, string>();
		for (const f of flattenPolicy(doc)) {
			if (f.kind === 'boolean') {
				if (f.value === true) values.set(f.path, 'on');
			} else values.set(f.path, Array.isArray(f.value) ? f.value.join(', ') : String(f.value));
		}
		for (const [k, v] of Object.entries(changes)) values.set(k, v);
		return values;
	};

	test('the policy form refuses an unknown time zone, unreadable hours, an impossible holiday and an unknown basis', () => {
		const { errors } = policyFromForm(
			doc,
			form({
				'business_hours.regions.europe.time_zone': 'Europe/Atlantis',
				'business_hours.default.week': 'weekdays',
				'business_hours.regions.latam.holidays': '2026-02-30',
				'targets.first_response_basis': 'wall clock'
			})
		);
		expect(errors).toEqual([
			'First-response target measured in (targets.first_response_basis) must be calendar (every hour counts) or business_hours (only the open hours of the case\'s region count), got "wall clock".',
			expect.stringMatching(/^Other regions: open hours \(business_hours\.default\.week\) must be days and hours .*"weekdays" is not days and hours, got "weekdays"\.$/),
			'Latam: holidays (business_hours.regions.latam.holidays) must be dates written YYYY-MM-DD, separated by commas (may be empty); "2026-02-30" is not a date.',
			'Europe: time zone (business_hours.regions.europe.time_zone) must be a time zone name such as Europe/Berlin, America/New_York or UTC, got "Europe/Atlantis".'
		]);
	});

	test('holidays may be emptied, and come back as a list of dates', () => {
		const { policy: read, errors } = policyFromForm(doc, form({ 'business_hours.regions.europe.holidays': '', 'business_hours.default.holidays': '2026-12-24, 2026-12-31' }));
		expect(errors).toEqual([]);
		const hours = read.business_hours as PolicyDocument;
		expect((hours.regions as PolicyDocument).europe).toMatchObject({ holidays: [] });
		expect(hours.default).toMatchObject({ holidays: ['2026-12-24', '2026-12-31'] });
	});
});
