/**
 * Scorecard templates and the review score. Browser-safe and pure: the review page shows the
 * same formula the server applies.
 *
 *   score = 100 * sum_c w_c * (r_c - min_c) / (max_c - min_c) / sum_c w_c
 *   score = 0 when any critical item fails.
 *
 * An item may declare an automatic check (`auto_check`, an id of src/lib/audits/auto-checks/model.ts):
 * the check then runs on every case and the Automatic checks page measures how well it agrees with
 * the reviewers. For that comparison a category rating passes from `pass_from` up (default: the
 * middle of the scale rounded up, "3 · meets standard" on 1-5); a critical item passes when it is
 * not failed. Declaring a check changes no score, so versions with and without one stay comparable.
 */
import { AUTO_CHECKS, isAutoCheckId } from './auto-checks/model';

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
	/** An automatic check the rating is compared with (an AutoCheckId; stored text, checked by templateProblems). */
	auto_check?: string;
	/** The lowest rating that counts as a pass against the automatic check. */
	pass_from?: number;
}

export interface CriticalItem {
	id: string;
	label: string;
	help: string;
	/** An automatic check whose fail means this item fails (an AutoCheckId). */
	auto_check?: string;
}

export interface ScorecardBody {
	categories: ScorecardCategory[];
	critical_items: CriticalItem[];
}

/** What a reviewer enters: a rating per category (null = not yet rated) and each critical item (true = failed). */
export interface ReviewScores {
	ratings: Record<string, number | null>;
	critical: Record<string, boolean>;
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
	/** 0-100, or null while a rating is missing. */
	score: number | null;
	complete: boolean;
	missing: string[];
	critical_failed: string[];
}

export function reviewScore(body: ScorecardBody, scores: ReviewScores): ScoreResult {
	const missing = body.categories.filter((c) => typeof scores.ratings[c.id] !== 'number').map((c) => c.id);
	const criticalFailed = body.critical_items.filter((i) => scores.critical[i.id] === true).map((i) => i.id);
	if (criticalFailed.length) return { score: 0, complete: missing.length === 0, missing, critical_failed: criticalFailed };
	if (missing.length) return { score: null, complete: false, missing, critical_failed: [] };
	let weighted = 0;
	let weights = 0;
	for (const c of body.categories) {
		const r = scores.ratings[c.id] as number;
		weighted += (c.weight * (r - c.scale.min)) / (c.scale.max - c.scale.min);
		weights += c.weight;
	}
	return { score: (100 * weighted) / weights, complete: true, missing: [], critical_failed: [] };
}

/** The formula with this template's weights, for the review page. */
export function scoreFormula(body: ScorecardBody): string {
	const total = body.categories.reduce((a, c) => a + c.weight, 0);
	const terms = body.categories.map((c) => `${c.weight} × (${c.label.toLowerCase()} − ${c.scale.min}) / ${c.scale.max - c.scale.min}`);
	return `score = 100 × [${terms.join(' + ')}] / ${total}; 0 if any critical item fails`;
}

/** Problems with a template body, in words; empty when it can be used. */
export function templateProblems(body: ScorecardBody): string[] {
	const problems: string[] = [];
	if (!body.categories.length) problems.push('A scorecard needs at least one category.');
	const ids = new Set<string>();
	for (const c of [...body.categories, ...body.critical_items]) {
		if (!/^[a-z][a-z0-9_]{0,39}$/.test(c.id)) problems.push(`"${c.id}" is not a usable id (lower-case letters, digits, underscores).`);
		if (ids.has(c.id)) problems.push(`The id "${c.id}" is used twice.`);
		ids.add(c.id);
		if (!c.label.trim()) problems.push(`"${c.id}" needs a label.`);
	}
	for (const c of body.categories) {
		if (!(c.weight > 0 && Number.isFinite(c.weight))) problems.push(`${c.label}: the weight must be a positive number.`);
		if (!(Number.isInteger(c.scale.min) && Number.isInteger(c.scale.max) && c.scale.max > c.scale.min && c.scale.max - c.scale.min <= 10)) problems.push(`${c.label}: the scale must run between two whole numbers, at most 10 points apart.`);
		else if (c.scale.labels.length !== c.scale.max - c.scale.min + 1) problems.push(`${c.label}: give one label per point (${c.scale.max - c.scale.min + 1}).`);
		else if (c.pass_from !== undefined && !(Number.isInteger(c.pass_from) && c.pass_from > c.scale.min && c.pass_from <= c.scale.max)) problems.push(`${c.label}: "pass_from" must be a whole number from ${c.scale.min + 1} to ${c.scale.max} (some rating must fail and some pass).`);
	}
	for (const c of [...body.categories, ...body.critical_items]) {
		if (c.auto_check !== undefined && !isAutoCheckId(c.auto_check)) problems.push(`${c.label}: "${c.auto_check}" is not an automatic check; use one of ${Object.keys(AUTO_CHECKS).join(', ')}.`);
	}
	return problems;
}

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

/** Ratings and critical items from a submitted form (fields rating.<id> and critical.<id>); values outside the scale are refused. */
export function scoresFromForm(body: ScorecardBody, form: { get(name: string): unknown }): { scores: ReviewScores; errors: string[] } {
	const errors: string[] = [];
	const ratings: Record<string, number | null> = {};
	for (const c of body.categories) {
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
	return { scores: { ratings, critical }, errors };
}

export function parseScorecard(json: string): ScorecardBody {
	const body = JSON.parse(json) as ScorecardBody;
	return { categories: body.categories ?? [], critical_items: body.critical_items ?? [] };
}
