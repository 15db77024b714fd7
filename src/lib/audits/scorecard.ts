/**
 * Scorecard templates and the review score. Browser-safe and pure: the review page shows the
 * same formula the server applies.
 *
 *   score = 100 * sum_c w_c * (r_c - min_c) / (max_c - min_c) / sum_c w_c, over the rated categories
 *   score = 0 when any critical item fails.
 *
 * A category may allow "not applicable" (`na_allowed`): a category marked N/A leaves the sums, so
 * the weights of the categories that were rated renormalise to their own total. A category or
 * critical item may list root causes (`root_causes`): when it fails (a category rated below
 * `passFrom`, a critical item ticked), the reviewer picks one of them before submitting.
 *
 * An item may declare an automatic check (`auto_check`, an id of src/lib/audits/auto-checks/model.ts):
 * the check then runs on every case and the Automatic checks page measures how well it agrees with
 * the reviewers. For that comparison a category rating passes from `pass_from` up (default: the
 * middle of the scale rounded up, "3 · meets standard" on 1-5); a critical item passes when it is
 * not failed. Declaring a check changes no score, so versions with and without one stay comparable.
 */
import { AUTO_CHECK_IDS } from './auto-checks/model';
import { strictObject, v, check } from '../core/validate';

export interface RatingScale {
	min: number;
	max: number;
	/** One label per point from min to max. */
	labels: string[];
}

export interface ScorecardCategory {
	id: string;
	label: string;
	weight: number;
	scale: RatingScale;
	help: string;
	/** An automatic check the rating is compared with (an AutoCheckId; stored text, checked by scorecardSchema). */
	auto_check?: string;
	/** The lowest rating that counts as a pass against the automatic check, and below which a root cause is asked. */
	pass_from?: number;
	/** The reviewer may mark the category not applicable; it then leaves the score. */
	na_allowed?: boolean;
	/** Why the category failed, one chosen per failed review; none listed = none asked. */
	root_causes?: string[];
}

export interface CriticalItem {
	id: string;
	label: string;
	help: string;
	/** An automatic check whose fail means this item fails (an AutoCheckId). */
	auto_check?: string;
	/** Why the item failed, one chosen per failure; none listed = none asked. */
	root_causes?: string[];
}

export interface ScorecardBody {
	categories: ScorecardCategory[];
	critical_items: CriticalItem[];
}

/**
 * What a reviewer enters: a rating per category (null = not yet rated, or N/A), each critical item
 * (true = failed), the categories marked N/A and a root cause per failed item. `na` and
 * `root_causes` are optional so reviews saved before them read as none.
 */
export interface ReviewScores {
	ratings: Record<string, number | null>;
	critical: Record<string, boolean>;
	na?: string[];
	root_causes?: Record<string, string>;
}

const FIVE: RatingScale = { min: 1, max: 5, labels: ['1 · unacceptable', '2 · below standard', '3 · meets standard', '4 · good', '5 · exemplary'] };

export const DEFAULT_TEMPLATE_NAME = 'default';

export const DEFAULT_SCORECARD: ScorecardBody = {
	categories: [
		{ id: 'agent_conduct', label: 'Agent conduct', weight: 20, scale: FIVE, help: 'Courteous, clear and respectful; owns the case; no blame shifting. 3 = polite and clear; 5 = also anticipates the next question.' },
		{ id: 'policy_accuracy', label: 'Policy accuracy', weight: 30, scale: FIVE, help: 'What the customer was told and decided matches the published policy (return window, refund time, free returns). Check the compliance findings beside the case.', auto_check: 'policy_compliance', pass_from: 3 },
		{ id: 'procedural_consistency', label: 'Procedural consistency', weight: 20, scale: FIVE, help: 'The standard steps for this category were followed in order (verification, evidence, decision, confirmation), as any other agent would.' },
		{ id: 'fairness_of_conclusion', label: 'Fairness of conclusion', weight: 20, scale: FIVE, help: 'The outcome is the one a similar case gets elsewhere: same problem, same resolution, whatever the region, order value or customer.' },
		{
			id: 'response_speed',
			label: 'Response speed',
			weight: 10,
			scale: { min: 1, max: 3, labels: ['1 · missed the target', '2 · within target', '3 · well within target'] },
			help: "First response and resolution against the policy targets shown beside the case; waiting on the customer does not count against the agent.",
			auto_check: 'first_response_within_target',
			pass_from: 2
		}
	],
	critical_items: [
		{ id: 'privacy_breach', label: 'Personal data disclosed', help: "Another customer's data, or this customer's data to someone not entitled to it. Fails the review." },
		{ id: 'policy_misinformation', label: 'Policy misstated to the customer’s loss', help: 'The customer was told something contrary to the policy that changed the outcome, e.g. an in-window return refused. Fails the review.', auto_check: 'in_window_return_honoured' },
		{ id: 'abusive_conduct', label: 'Abusive or discriminatory conduct', help: 'Insulting, threatening or discriminatory language. Fails the review.' }
	]
};

export interface ScoreResult {
	/** 0-100, or null while a rating is missing (or every category is N/A). */
	score: number | null;
	complete: boolean;
	missing: string[];
	critical_failed: string[];
	/** Categories left out as not applicable. */
	na: string[];
}

/** Whether the reviewer marked the category N/A; only a category that allows it can be. */
export function isNa(c: ScorecardCategory, scores: ReviewScores): boolean {
	return c.na_allowed === true && (scores.na ?? []).includes(c.id);
}

export function reviewScore(body: ScorecardBody, scores: ReviewScores): ScoreResult {
	const na = body.categories.filter((c) => isNa(c, scores)).map((c) => c.id);
	const rated = body.categories.filter((c) => !na.includes(c.id));
	const missing = rated.filter((c) => typeof scores.ratings[c.id] !== 'number').map((c) => c.id);
	const criticalFailed = body.critical_items.filter((i) => scores.critical[i.id] === true).map((i) => i.id);
	if (criticalFailed.length) return { score: 0, complete: missing.length === 0, missing, critical_failed: criticalFailed, na };
	if (missing.length || rated.length === 0) return { score: null, complete: false, missing, critical_failed: [], na };
	let weighted = 0;
	let weights = 0;
	for (const c of rated) {
		const r = scores.ratings[c.id] as number;
		weighted += (c.weight * (r - c.scale.min)) / (c.scale.max - c.scale.min);
		weights += c.weight;
	}
	return { score: (100 * weighted) / weights, complete: true, missing: [], critical_failed: [], na };
}

/** The formula with this template's weights, for the review page. */
export function scoreFormula(body: ScorecardBody): string {
	const total = body.categories.reduce((a, c) => a + c.weight, 0);
	const terms = body.categories.map((c) => `${c.weight} × (${c.label.toLowerCase()} − ${c.scale.min}) / ${c.scale.max - c.scale.min}`);
	const na = body.categories.some((c) => c.na_allowed) ? '; a category marked N/A leaves both sums, so the rated weights renormalise to their own total' : '';
	return `score = 100 × [${terms.join(' + ')}] / ${total}${na}; 0 if any critical item fails`;
}

export const NA_RULE = 'N/A: a category marked not applicable is left out of the score; the weights of the categories that were rated are renormalised over their own total (e.g. with weights 20, 30 and 50 and the 50 marked N/A, the other two count 40% and 60%). In results, an N/A review does not count in that category’s n.';

/** The lowest passing rating of a category, against an automatic check. */
export function passFrom(c: ScorecardCategory): number {
	return c.pass_from ?? Math.ceil((c.scale.min + c.scale.max) / 2);
}

/** What counts as a human pass of an item, in words: "rated 3 · meets standard or higher", "not failed". */
export function humanPassRule(item: ScorecardCategory | CriticalItem): string {
	if (!('scale' in item)) return 'not failed';
	const from = passFrom(item);
	return `rated ${item.scale.labels[from - item.scale.min] ?? from} or higher`;
}

/**
 * Whether the reviewer passed an item: a category rated at least passFrom, a critical item not
 * failed; null when the category is not rated (nothing to compare).
 */
export function humanPasses(item: ScorecardCategory | CriticalItem, scores: ReviewScores): boolean | null {
	if (!('scale' in item)) return scores.critical[item.id] !== true;
	const r = scores.ratings[item.id];
	return typeof r === 'number' ? r >= passFrom(item) : null;
}

/** A category rated below its passFrom, or a critical item ticked: the items a root cause is asked for. */
export function failedItems(body: ScorecardBody, scores: ReviewScores): string[] {
	const categories = body.categories.filter((c) => !isNa(c, scores) && humanPasses(c, scores) === false).map((c) => c.id);
	return [...categories, ...body.critical_items.filter((i) => scores.critical[i.id] === true).map((i) => i.id)];
}

/**
 * Ratings, critical items, N/A marks and root causes from a submitted form (fields rating.<id>,
 * critical.<id>, na.<id>, root_cause.<id>); ratings outside the scale are refused. A category marked
 * N/A keeps no rating, so a rating chosen before the mark does not count.
 */
export function scoresFromForm(body: ScorecardBody, form: { get(name: string): unknown }): { scores: ReviewScores; errors: string[] } {
	const errors: string[] = [];
	const ratings: Record<string, number | null> = {};
	const na: string[] = [];
	const rootCauses: Record<string, string> = {};
	for (const c of body.categories) {
		if (form.get(`na.${c.id}`) === 'na') {
			na.push(c.id);
			ratings[c.id] = null;
			continue;
		}
		const raw = form.get(`rating.${c.id}`);
		if (raw === null || raw === undefined || raw === '') {
			ratings[c.id] = null;
			continue;
		}
		const v = Number(raw);
		if (!Number.isInteger(v) || v < c.scale.min || v > c.scale.max) {
			errors.push(`${c.label}: choose a rating from ${c.scale.min} to ${c.scale.max}.`);
			ratings[c.id] = null;
		} else ratings[c.id] = v;
	}
	const critical: Record<string, boolean> = {};
	for (const i of body.critical_items) critical[i.id] = form.get(`critical.${i.id}`) === 'fail';
	for (const item of [...body.categories, ...body.critical_items]) {
		const cause = form.get(`root_cause.${item.id}`);
		if (typeof cause === 'string' && cause !== '') rootCauses[item.id] = cause;
	}
	return { scores: { ratings, critical, na, root_causes: rootCauses }, errors };
}

/**
 * What a review may store, or the first problem in words. N/A only where the category allows it;
 * a root cause only from the item's list. On submit, every failed item with a list needs one.
 * Root causes of items that did not fail are dropped (the rating changed after one was picked).
 */
export function checkReviewScores(body: ScorecardBody, scores: ReviewScores, submit: boolean): { ok: true; scores: ReviewScores } | { ok: false; problem: string } {
	for (const id of scores.na ?? []) {
		const c = body.categories.find((x) => x.id === id);
		if (!c) return { ok: false, problem: `"${id}" is not a category of this scorecard, so it cannot be marked N/A.` };
		if (!c.na_allowed) return { ok: false, problem: `${c.label} cannot be marked N/A: this scorecard version requires a rating for it.` };
	}
	const failed = failedItems(body, scores);
	const causes: Record<string, string> = {};
	for (const item of [...body.categories, ...body.critical_items]) {
		const cause = scores.root_causes?.[item.id];
		const list = item.root_causes ?? [];
		if (cause !== undefined && failed.includes(item.id)) {
			if (!list.includes(cause)) return { ok: false, problem: list.length ? `${item.label}: "${cause}" is not one of its root causes (${list.join(', ')}).` : `${item.label} lists no root causes, so none can be chosen.` };
			causes[item.id] = cause;
		} else if (submit && failed.includes(item.id) && list.length) return { ok: false, problem: `${item.label} failed: choose its root cause (${list.join(', ')}) before submitting.` };
	}
	for (const id of Object.keys(scores.root_causes ?? {})) {
		if (![...body.categories, ...body.critical_items].some((i) => i.id === id)) return { ok: false, problem: `"${id}" is not an item of this scorecard, so it takes no root cause.` };
	}
	// An N/A category keeps no rating, whatever was sent: results read a missing rating as "not in this category's n".
	const na = scores.na ?? [];
	const ratings = Object.fromEntries(Object.entries(scores.ratings).map(([id, r]) => [id, na.includes(id) ? null : r]));
	return { ok: true, scores: { ...scores, ratings, na, root_causes: causes } };
}

export function parseScorecard(json: string): ScorecardBody {
	const body = JSON.parse(json) as ScorecardBody;
	return { categories: body.categories ?? [], critical_items: body.critical_items ?? [] };
}

// ---- Scorecard definitions as input: one schema for the JSON editor and the form builder ----

const ID_RULE = 'must be lower-case letters, digits and underscores, starting with a letter (at most 40)';
const itemId = v.pipe(v.string('must be text'), v.regex(/^[a-z][a-z0-9_]{0,39}$/, ID_RULE));
const itemLabel = v.pipe(v.string('must be text'), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(200, 'must be at most 200 characters'));
const helpText = v.optional(v.pipe(v.string('must be text'), v.maxLength(2000, 'must be at most 2000 characters')), '');
const rootCauseList = v.optional(
	v.pipe(
		v.array(v.pipe(v.string('must be text'), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(120, 'must be at most 120 characters')), 'must be a list of texts'),
		v.maxLength(40, 'must list at most 40 root causes'),
		v.check((list) => new Set(list).size === list.length, 'must not list a root cause twice')
	)
);
const autoCheck = v.optional(v.picklist(AUTO_CHECK_IDS, `must be one of ${AUTO_CHECK_IDS.join(', ')}`));
const wholeNumber = v.pipe(v.number('must be a whole number'), v.integer('must be a whole number'));

const scaleSchema = v.pipe(
	strictObject({ min: wholeNumber, max: wholeNumber, labels: v.array(v.pipe(v.string('must be text'), v.trim(), v.minLength(1, 'must not be empty')), 'must be a list of texts') }),
	v.check((s) => s.max > s.min && s.max - s.min <= 10, 'must run from min up to a larger max, at most 10 points apart'),
	v.forward(
		v.check((s) => s.labels.length === s.max - s.min + 1, 'must give one label per point from min to max'),
		['labels']
	)
);

const categorySchema = v.pipe(
	strictObject({
		id: itemId,
		label: itemLabel,
		weight: v.pipe(v.number('must be a positive number'), v.check((n) => Number.isFinite(n) && n > 0, 'must be a positive number')),
		scale: scaleSchema,
		help: helpText,
		auto_check: autoCheck,
		pass_from: v.optional(wholeNumber),
		na_allowed: v.optional(v.boolean('must be true or false')),
		root_causes: rootCauseList
	}),
	v.forward(
		v.check((c) => c.pass_from === undefined || (c.pass_from > c.scale.min && c.pass_from <= c.scale.max), 'must lie above the lowest rating and at most the highest (some rating must fail and some pass)'),
		['pass_from']
	)
);

const criticalSchema = strictObject({ id: itemId, label: itemLabel, help: helpText, auto_check: autoCheck, root_causes: rootCauseList });

/** A scorecard definition; ids are unique across categories and critical items (a review stores its answers by id). */
export const scorecardSchema = v.pipe(
	strictObject({
		categories: v.pipe(v.array(categorySchema, 'must be a list'), v.minLength(1, 'must hold at least one category'), v.maxLength(40, 'must hold at most 40 categories')),
		critical_items: v.optional(v.pipe(v.array(criticalSchema, 'must be a list'), v.maxLength(40, 'must hold at most 40 items')), [])
	}),
	v.check((b) => duplicateId(b) === null, (issue) => `The id "${duplicateId(issue.input as ScorecardBody)}" is used twice; every category and critical item needs its own id`)
);

function duplicateId(body: ScorecardBody): string | null {
	const seen = new Set<string>();
	for (const item of [...body.categories, ...body.critical_items]) {
		if (seen.has(item.id)) return item.id;
		seen.add(item.id);
	}
	return null;
}

/** A definition checked by scorecardSchema, or the sentence naming its first wrong field ("categories[1].weight must be a positive number"). */
export function checkScorecard(input: unknown): { ok: true; body: ScorecardBody } | { ok: false; problem: string } {
	const result = check(scorecardSchema, input);
	if (!result.ok) return { ok: false, problem: result.problem };
	// Drop empty optional lists so a definition reads the same from the form and from JSON.
	const tidy = <T extends { root_causes?: string[] }>(item: T): T => {
		if (item.root_causes && item.root_causes.length === 0) {
			const { root_causes: _drop, ...rest } = item;
			return rest as T;
		}
		return item;
	};
	return { ok: true, body: { categories: result.value.categories.map(tidy), critical_items: result.value.critical_items.map(tidy) } };
}

/** What the builder's fields hold; the form and FormData both offer these. */
export interface FieldSource {
	get(name: string): unknown;
	getAll(name: string): unknown[];
	keys(): Iterable<string>;
}

/** Field names of the builder form (src/routes/audits/scorecards/+page.svelte): category.<k>.<field>, critical.<k>.<field>. */
export function fieldName(kind: 'category' | 'critical', index: number, field: string): string {
	return `${kind}.${index}.${field}`;
}

function indices(form: FieldSource, kind: 'category' | 'critical'): number[] {
	const found = new Set<number>();
	const pattern = new RegExp(`^${kind}\\.(\\d{1,3})\\.id$`);
	for (const key of form.keys()) {
		const m = pattern.exec(key);
		if (m) found.add(Number(m[1]));
	}
	return [...found].sort((a, b) => a - b);
}

function text(form: FieldSource, name: string): string {
	const raw = form.get(name);
	return typeof raw === 'string' ? raw : '';
}

/** A number field: empty is absent ("is required" or the default), text that is no number stays text so the refusal shows it. */
function numberField(form: FieldSource, name: string): number | string | undefined {
	const raw = text(form, name).trim();
	if (raw === '') return undefined;
	const n = Number(raw);
	return Number.isFinite(n) ? n : raw;
}

/** One root cause a line; blank lines are ignored. */
export function rootCauseLines(value: string): string[] {
	return value
		.split(/\r?\n/)
		.map((l) => l.trim())
		.filter(Boolean);
}

/**
 * The builder form as a definition, unchecked (checkScorecard checks it like JSON). Optional
 * fields appear only when set, so a definition saved from the form equals the same one as JSON.
 */
export function scorecardFromForm(form: FieldSource): unknown {
	const optional = (key: string, value: unknown) => (value === undefined || value === '' || (Array.isArray(value) && value.length === 0) ? {} : { [key]: value });
	// What categories and critical items share, in the order a definition lists them.
	const item = (f: (field: string) => string) => ({ id: text(form, f('id')).trim(), label: text(form, f('label')) });
	const tail = (f: (field: string) => string) => ({ ...optional('auto_check', text(form, f('auto_check'))) });
	const causes = (f: (field: string) => string) => optional('root_causes', rootCauseLines(text(form, f('root_causes'))));
	const categories = indices(form, 'category').map((k) => {
		const f = (field: string) => fieldName('category', k, field);
		return {
			...item(f),
			weight: numberField(form, f('weight')),
			scale: { min: numberField(form, f('scale_min')), max: numberField(form, f('scale_max')), labels: form.getAll(f('scale_label')).map(String) },
			help: text(form, f('help')),
			...tail(f),
			...optional('pass_from', numberField(form, f('pass_from'))),
			...(form.get(f('na_allowed')) === 'on' ? { na_allowed: true } : {}),
			...causes(f)
		};
	});
	const critical_items = indices(form, 'critical').map((k) => {
		const f = (field: string) => fieldName('critical', k, field);
		return { ...item(f), help: text(form, f('help')), ...tail(f), ...causes(f) };
	});
	return { categories, critical_items };
}
