/**
 * The policy is a JSON document (config/policy.json seeds version 1). The edit form shows it as
 * flat fields named by their dotted path, typed by the current value; what each field means (its
 * label, unit, allowed range and help) is declared once in POLICY_FIELDS, which the form shows and
 * policyFromForm checks against.
 */
import { isIsoDate, isTimeZone, parseWeek, regionWords, WEEK_FORMAT } from '../business-hours/model';
import publishedPolicy from '../../../../config/policy.json';

export type PolicyValue = number | boolean | string | number[] | string[];
export type PolicyDocument = { [key: string]: PolicyValue | PolicyDocument };

export interface PolicyField {
	path: string;
	/** `dates`: a list of YYYY-MM-DD days, shown and submitted like the number lists, comma-separated. */
	kind: 'number' | 'boolean' | 'text' | 'numbers' | 'dates';
	value: PolicyValue;
}

/** What one policy field means, for people: the form shows it, the validation enforces it. */
export interface PolicyFieldInfo {
	label: string;
	/** The form's heading this field is shown under. */
	group: 'Returns, refunds and claims' | 'Fairness and consistency' | 'Speed targets' | 'Business hours and holidays';
	/** What the number counts, after the value ("days", "percentage points"); for a switch, what on means. */
	unit: string;
	help: string;
	/** Numbers and lists of numbers: the allowed range of the value, or of each number in the list. */
	min?: number;
	max?: number;
	/** Counts of days, hours or cases: fractions make no sense there. */
	integer?: boolean;
	/** Text: the shape the value must have, and that shape in words for the message. */
	pattern?: RegExp;
	patternText?: string;
	/** Text that a pattern cannot check (a time zone the runtime knows, hours that do not overlap): why it is refused, or null. */
	check?: (text: string) => string | null;
	/** A list of dates rather than numbers; it may be empty. */
	dates?: boolean;
}

const COMPLIANCE = 'Returns, refunds and claims';
const FAIRNESS = 'Fairness and consistency';
const TARGETS = 'Speed targets';
const HOURS = 'Business hours and holidays';

const BASIS_TEXT = 'calendar (every hour counts) or business_hours (only the open hours of the case\'s region count)';

function calendarFields(prefix: string, name: string): Record<string, PolicyFieldInfo> {
	return {
		[`${prefix}.time_zone`]: {
			label: `${name}: time zone`,
			group: HOURS,
			unit: 'IANA time zone',
			patternText: 'a time zone name such as Europe/Berlin, America/New_York or UTC',
			check: (text) => (isTimeZone(text) ? null : 'a time zone name such as Europe/Berlin, America/New_York or UTC'),
			help: `The open hours and holidays of ${name.toLowerCase() === 'other regions' ? 'regions not listed below' : name} are local times in this zone; daylight-saving changes are followed, so a 09:00-17:00 day is 8 business hours on those days too.`
		},
		[`${prefix}.week`]: {
			label: `${name}: open hours`,
			group: HOURS,
			unit: 'days and local times',
			patternText: WEEK_FORMAT,
			check: (text) => {
				const week = parseWeek(text);
				return week.error === null ? null : `${WEEK_FORMAT}: ${week.error}`;
			},
			help: 'Business hours count only inside these hours; days not named are closed. Several stretches of one day (a lunch break) are separated by commas.'
		},
		[`${prefix}.holidays`]: {
			label: `${name}: holidays`,
			group: HOURS,
			unit: 'dates (YYYY-MM-DD)',
			dates: true,
			patternText: 'dates written YYYY-MM-DD, separated by commas (may be empty)',
			help: 'Whole local days closed; add the coming year before it starts, since a day not listed counts as an open day.'
		}
	};
}

/** Calendar fields for every region the published policy lists: the regions are keys, so their fields are named after them. */
const REGION_CALENDAR_FIELDS: Record<string, PolicyFieldInfo> = Object.fromEntries(
	Object.keys((publishedPolicy.business_hours as { regions: Record<string, unknown> }).regions).flatMap((r) => Object.entries(calendarFields(`business_hours.regions.${r}`, regionWords(r))))
);

/** Channels with a target of their own in the published policy. */
const CHANNEL_TARGET_FIELDS: Record<string, PolicyFieldInfo> = Object.fromEntries(
	Object.entries((publishedPolicy.targets as { channels: Record<string, Record<string, number>> }).channels).flatMap(([channel, targets]) =>
		Object.keys(targets).map((key) => [`targets.channels.${channel}.${key}`, channelTarget(channel, key)])
	)
);

function channelTarget(channel: string, key: string): PolicyFieldInfo {
	const first = key.startsWith('first_response');
	return {
		label: `${first ? 'First-response' : 'Resolution'} target, ${regionWords(channel)}`,
		group: TARGETS,
		unit: 'hours',
		min: 0,
		max: first ? 720 : 2160,
		help: `Replaces the ${first ? 'first-response' : 'resolution'} target for ${channel} cases, on the same basis.`
	};
}

/**
 * Every key of config/policy.json, by dotted path (tests/unit/policy-fields.test.ts fails for a key
 * without an entry). The ranges keep a typing slip from silently switching a check off or
 * flagging everything; the readers are src/lib/metrics/compliance/compliance-rules.server.ts,
 * src/lib/metrics/fairness/fairness-groups.server.ts, src/lib/metrics/speed/speed.server.ts and
 * src/lib/core/business-hours/model.ts.
 */
export const POLICY_FIELDS: Record<string, PolicyFieldInfo> = {
	return_window_days: {
		label: 'Return window',
		group: COMPLIANCE,
		unit: 'days',
		min: 0,
		max: 365,
		integer: true,
		help: 'A return requested within this many full days of delivery and then denied is a violation.'
	},
	refund_min_days: {
		label: 'Refund promise, from',
		group: COMPLIANCE,
		unit: 'days',
		min: 0,
		max: 90,
		integer: true,
		help: 'The first day of the promised refund band, shown beside late refunds; not larger than "Refund promise, to".'
	},
	refund_max_days: {
		label: 'Refund promise, to',
		group: COMPLIANCE,
		unit: 'days',
		min: 0,
		max: 90,
		integer: true,
		help: 'A refund paid more than this many days after the decision is late; exactly this many days is on time.'
	},
	free_returns: {
		label: 'Free returns',
		group: COMPLIANCE,
		unit: 'on or off',
		help: 'When on, any return shipping fee above 0 is a violation; when off, fees are listed but not flagged.'
	},
	free_shipping: {
		label: 'Free shipping',
		group: COMPLIANCE,
		unit: 'on or off',
		help: 'Part of the published promise, kept with each version; no check reads it yet.'
	},
	claim_outcome_limit_days: {
		label: 'Claim outcome limit',
		group: COMPLIANCE,
		unit: 'days',
		min: 1,
		max: 365,
		integer: true,
		help: 'A post-purchase claim still without an outcome this many days after it was opened is stale.'
	},
	reporting_currency: {
		label: 'Reporting currency',
		group: FAIRNESS,
		unit: 'currency code',
		pattern: /^[A-Z]{3}$/,
		patternText: 'a three-letter currency code such as USD, EUR or BRL',
		help: 'The currency of order values and of the order-value band bounds.'
	},
	order_value_bands: {
		label: 'Order-value band bounds',
		group: FAIRNESS,
		unit: 'in the reporting currency',
		min: 0,
		max: 1_000_000_000,
		help: 'Where the order-value bands split: 50, 200, 1000 gives under 50, 50 to 200, 200 to 1,000 and at least 1,000.'
	},
	tenure_band_days: {
		label: 'Account-tenure band bounds',
		group: FAIRNESS,
		unit: 'days',
		min: 0,
		max: 36_500,
		integer: true,
		help: 'Where the account-age bands split: 90, 365, 1095 gives under 90 days, 90 days to 1 year, 1 to 3 years and at least 3 years.'
	},
	'fairness.min_group_size': {
		label: 'Smallest group tested',
		group: FAIRNESS,
		unit: 'cases',
		min: 1,
		max: 100_000,
		integer: true,
		help: 'A region, band, team or agent with fewer cases is shown grey and never flagged, on the fairness and consistency pages.'
	},
	'fairness.rate_threshold_pp': {
		label: 'Favourable-outcome gap that matters',
		group: FAIRNESS,
		unit: 'percentage points',
		min: 0,
		max: 100,
		help: 'A group is flagged only when its adjusted rate of favourable claim outcomes differs from the rest by more than this.'
	},
	'fairness.time_threshold_ratio': {
		label: 'Resolution-time gap that matters',
		group: FAIRNESS,
		unit: 'ratio (0.2 = 20%)',
		min: 0,
		max: 10,
		help: 'A group is flagged only when its adjusted resolution time is longer or shorter than the rest by more than this share.'
	},
	'fairness.csat_threshold': {
		label: 'CSAT gap that matters',
		group: FAIRNESS,
		unit: 'share (0.1 = 10 points)',
		min: 0,
		max: 1,
		help: 'A group is flagged only when its adjusted share of 4-5 ratings differs from the rest by more than this (0.1 = 10 percentage points).'
	},
	'consistency.tvd_threshold': {
		label: 'Outcome-mix distance that matters',
		group: FAIRNESS,
		unit: 'distance (0 to 1)',
		min: 0,
		max: 1,
		help: 'A region, team, agent or channel is flagged only when its outcome mix within a category differs from the rest by more than this total variation distance (0 = the same mix, 1 = no outcome in common).'
	},
	'targets.first_response_hours': {
		label: 'First-response target',
		group: TARGETS,
		unit: 'hours',
		min: 0,
		max: 720,
		help: 'The target line on the speed page for the time to the first public agent reply, and the limit of the share within target; channels listed below have their own.'
	},
	'targets.resolution_hours': {
		label: 'Resolution target',
		group: TARGETS,
		unit: 'hours',
		min: 0,
		max: 2160,
		help: 'The target line on the speed page for the time to the final resolution, and the limit of the share within target; channels listed below have their own.'
	},
	'targets.first_response_basis': {
		label: 'First-response target measured in',
		group: TARGETS,
		unit: 'calendar or business_hours',
		pattern: /^(calendar|business_hours)$/,
		patternText: BASIS_TEXT,
		help: 'Which of the two shares within target the speed page leads with; both are shown.'
	},
	'targets.resolution_basis': {
		label: 'Resolution target measured in',
		group: TARGETS,
		unit: 'calendar or business_hours',
		pattern: /^(calendar|business_hours)$/,
		patternText: BASIS_TEXT,
		help: 'Which of the two shares within target the speed page leads with; both are shown.'
	},
	...CHANNEL_TARGET_FIELDS,
	...calendarFields('business_hours.default', 'Other regions'),
	...REGION_CALENDAR_FIELDS
};

/** The field's entry, or a bare one naming the key when a stored version has a key the table lacks. */
export function policyFieldInfo(path: string): PolicyFieldInfo {
	const known = POLICY_FIELDS[path];
	if (known) return known;
	// A region or channel a stored version lists but the published policy does not.
	const region = /^business_hours\.regions\.([^.]+)\.(time_zone|week|holidays)$/.exec(path);
	if (region) return calendarFields(`business_hours.regions.${region[1]}`, regionWords(region[1]))[path];
	const channel = /^targets\.channels\.([^.]+)\.((?:first_response|resolution)_hours)$/.exec(path);
	if (channel) return channelTarget(channel[1], channel[2]);
	return { label: path, group: COMPLIANCE, unit: '', help: '', min: 0 };
}

/** "a whole number between 0 and 365 days"; a unit that explains itself in brackets is left out. */
export function policyRange(info: PolicyFieldInfo): string {
	const unit = info.unit && !/[(),]/.test(info.unit) ? ` ${info.unit}` : '';
	const whole = info.integer ? 'a whole number ' : '';
	if (info.min !== undefined && info.max !== undefined) return `${whole}between ${info.min} and ${info.max.toLocaleString('en')}${unit}`;
	if (info.min !== undefined) return `${whole ? `${whole}of ` : ''}at least ${info.min}${unit}`;
	return whole.trim();
}

export function flattenPolicy(doc: PolicyDocument, prefix = ''): PolicyField[] {
	return Object.entries(doc).flatMap(([key, value]): PolicyField[] => {
		const path = prefix ? `${prefix}.${key}` : key;
		if (Array.isArray(value)) return [{ path, kind: value.some((v) => typeof v === 'string') || policyFieldInfo(path).dates ? 'dates' : 'numbers', value }];
		if (typeof value === 'object') return flattenPolicy(value, path);
		return [{ path, kind: typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'text', value }];
	});
}

/** "Return window (return_window_days)": how messages name a field, in words and by its key. */
export function policyFieldName(path: string): string {
	const info = POLICY_FIELDS[path];
	return info ? `${info.label} (${path})` : path;
}

function outOfRange(info: PolicyFieldInfo, n: number): boolean {
	return !Number.isFinite(n) || (info.min !== undefined && n < info.min) || (info.max !== undefined && n > info.max) || (info.integer === true && !Number.isInteger(n));
}

/** Reads submitted form values back into a document shaped like `current`; errors name the field and its allowed range. */
export function policyFromForm(current: PolicyDocument, form: Map<string, string>): { policy: PolicyDocument; errors: string[] } {
	const errors: string[] = [];
	const build = (doc: PolicyDocument, prefix: string): PolicyDocument =>
		Object.fromEntries(
			Object.entries(doc).map(([key, value]) => {
				const path = prefix ? `${prefix}.${key}` : key;
				if (typeof value === 'object' && !Array.isArray(value)) return [key, build(value, path)];
				const raw = form.get(path);
				if (typeof value === 'boolean') return [key, raw === 'on' || raw === 'true'];
				const info = policyFieldInfo(path);
				const name = policyFieldName(path);
				if (raw === undefined) {
					errors.push(`${name} is missing.`);
					return [key, value];
				}
				if (typeof value === 'number') {
					const n = Number(raw);
					if (raw.trim() === '' || outOfRange(info, n)) errors.push(`${name} must be ${policyRange(info)}, got "${raw}".`);
					return [key, n];
				}
				if (Array.isArray(value) && (info.dates || value.some((v) => typeof v === 'string'))) {
					const days = raw
						.split(',')
						.map((x) => x.trim())
						.filter((x) => x !== '');
					const bad = days.filter((d) => !isIsoDate(d));
					if (bad.length) errors.push(`${name} must be ${info.patternText ?? 'dates written YYYY-MM-DD, separated by commas'}; "${bad[0]}" is not a date.`);
					return [key, days];
				}
				if (Array.isArray(value)) {
					const list = raw.split(',').map((x) => (x.trim() === '' ? NaN : Number(x.trim())));
					if (list.some((n) => outOfRange(info, n))) errors.push(`${name} must be numbers separated by commas, each ${policyRange(info)}, got "${raw}".`);
					else if (list.some((n, i) => i > 0 && n <= list[i - 1])) errors.push(`${name} must be increasing, got "${raw}".`);
					return [key, list];
				}
				const text = raw.trim();
				if (text === '') errors.push(`${name} must not be empty.`);
				else if (info.pattern && !info.pattern.test(text)) errors.push(`${name} must be ${info.patternText ?? info.pattern.source}, got "${raw}".`);
				else if (info.check?.(text)) errors.push(`${name} must be ${info.check(text)}, got "${raw}".`);
				return [key, text];
			})
		);
	const policy = build(current, '');
	const min = policy.refund_min_days;
	const max = policy.refund_max_days;
	if (typeof min === 'number' && typeof max === 'number' && min > max) errors.push(`${policyFieldName('refund_min_days')} must not be larger than ${policyFieldName('refund_max_days')}.`);
	return { policy, errors };
}
