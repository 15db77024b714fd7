import { sql, type Kysely } from 'kysely';
import type { Database } from '../../core/db/schema';
import { passFailKappa } from '../../core/stats/cohen-kappa';
import type { Filters } from '../../metrics/filters/model';
import { caseFilterSql } from '../../metrics/filters/case-filter-sql.server';
import { resolveToday } from '../../metrics/filters/period.server';
import { humanPassRule, humanPasses, parseScorecard, type CriticalItem, type ScorecardBody, type ScorecardCategory } from '../scorecard';
import { parseScores } from '../reviews.server';
import { currentTemplate } from '../templates.server';
import { AUTO_CHECKS, isAutoCheckId, MIN_PAIRS_FOR_TRUST, trustLevel, whyNotComputable, type AgreementReport, type AutoCheckId, type Disagreement, type ItemAgreement } from './model';
import { checkContext, perCaseChecksSql } from './checks-sql.server';

/**
 * How far each automatic check can be trusted: on sampled cases that a reviewer scored, the
 * reviewer's verdict on the item (pass/fail as the scorecard defines it, src/lib/audits/scorecard.ts)
 * against the check's result on the same case, as Cohen's kappa (src/lib/core/stats/cohen-kappa.ts).
 * Reads reviews, which the data version does not cover, so nothing here is cached.
 */
export const AGREEMENT_METHOD = `Cohen's kappa between the reviewer's verdict on the item and the automatic check on the same case, over submitted reviews of sampled cases the check answers for (calibration reviews left out). It is unweighted: it describes the reviewed cases, and a risk-weighted sample holds more flagged cases than the population. 95% interval: kappa ± 1.96 × the asymptotic standard error of Fleiss, Cohen & Everitt (1969), the variance statsmodels reports as std_kappa (checked against it), shown cut at -1 and 1; it is rough with few cases. Trust: kappa 0.8 or more trustworthy, 0.6 to 0.8 mostly, below 0.6 not yet (review by hand); fewer than ${MIN_PAIRS_FOR_TRUST} cases too few to judge. Where the reviewers or the check give one verdict throughout, kappa says nothing and is shown as not computable.`;

interface ReviewRow {
	review_id: number;
	sample_id: number;
	case_id: string;
	reviewer: string;
	submitted_at: Date | null;
	ratings: string | null;
	critical: string | null;
	body: string | null;
	agent_id: string | null;
	team: string | null;
	region: string;
}

type Item = (ScorecardCategory & { kind: 'category' }) | (CriticalItem & { kind: 'critical' });

function itemsOf(body: ScorecardBody): Item[] {
	return [...body.categories.map((c) => ({ ...c, kind: 'category' as const })), ...body.critical_items.map((i) => ({ ...i, kind: 'critical' as const }))];
}

function sameScale(a: Item, b: Item): boolean {
	if (a.kind !== b.kind) return false;
	if (a.kind === 'critical' || b.kind === 'critical') return true;
	return a.scale.min === b.scale.min && a.scale.max === b.scale.max && (a.pass_from ?? null) === (b.pass_from ?? null);
}

/**
 * The check an item of a review's version is compared with: its own declaration, or, for a version
 * that declares none (one saved before checks existed), the current version's for the same item
 * when its scale and pass threshold are the same (the rating then means the same).
 */
function checkOf(item: Item, current: Map<string, Item>): { check: AutoCheckId; item: Item } | null {
	if (item.auto_check !== undefined) return isAutoCheckId(item.auto_check) ? { check: item.auto_check, item } : null;
	const now = current.get(item.id);
	if (now && isAutoCheckId(now.auto_check) && sameScale(item, now)) return { check: now.auto_check, item };
	return null;
}

interface Pair {
	review: ReviewRow;
	item: Item;
	check: AutoCheckId;
	human: boolean;
	automatic: boolean | null;
}

async function pairs(db: Kysely<Database>, filters: Filters, today: Date) {
	const where = caseFilterSql(filters, today);
	const reviewed = sql<boolean>`(${where} AND c.case_id IN (SELECT r.case_id FROM audit_reviews r WHERE r.kind = 'sample' AND r.status = 'submitted'))`;
	const [{ rows }, current, ctx] = await Promise.all([
		sql<ReviewRow>`SELECT r.review_id, r.sample_id, r.case_id, r.reviewer, r.submitted_at, r.ratings, r.critical, t.body, c.agent_id, c.team, c.region
			FROM audit_reviews r JOIN cases c ON c.case_id = r.case_id LEFT JOIN scorecard_templates t ON t.template_id = r.template_id
			WHERE r.kind = 'sample' AND r.status = 'submitted' AND ${where}
			ORDER BY r.review_id`.execute(db),
		currentTemplate(db),
		checkContext(db, today)
	]);
	const currentItems = new Map(itemsOf(current.body).map((i) => [i.id, i]));
	const bodies = new Map<string, ScorecardBody>();
	const declared: { review: ReviewRow; item: Item; check: AutoCheckId }[] = [];
	for (const review of rows) {
		const text = review.body ?? JSON.stringify(current.body);
		let body = bodies.get(text);
		if (!body) bodies.set(text, (body = parseScorecard(text)));
		for (const item of itemsOf(body)) {
			const found = checkOf(item, currentItems);
			if (found) declared.push({ review, item, check: found.check });
		}
	}
	const checks = [...new Set(declared.map((d) => d.check))];
	const results = new Map<string, Record<string, unknown>>();
	if (checks.some((id) => !ctx.notTestable[id])) {
		const { rows: perCase } = await (await perCaseChecksSql(db, ctx, checks, reviewed)).execute(db);
		for (const row of perCase) results.set(row.case_id, row);
	}
	const out: Pair[] = [];
	for (const d of declared) {
		const human = humanPasses(d.item, parseScores(d.review));
		if (human === null) continue;
		const value = results.get(d.review.case_id)?.[d.check];
		out.push({ ...d, human, automatic: typeof value === 'boolean' ? value : null });
	}
	return { pairs: out, reviews: rows.length, ctx, current: currentItems };
}

const key = (item: string, check: string) => `${item}\u0000${check}`;

/** Per scorecard item with an automatic check: the pairs, kappa with its interval, and the trust label. */
export async function autoCheckAgreement(db: Kysely<Database>, options: { filters: Filters; today?: Date }): Promise<AgreementReport> {
	const today = options.today ?? (await resolveToday(db, options.filters));
	const { pairs: all, reviews, ctx, current } = await pairs(db, options.filters, today);
	const groups = new Map<string, Pair[]>();
	// The current version's items come first and in its order, even before any review rates them.
	for (const item of current.values()) if (isAutoCheckId(item.auto_check)) groups.set(key(item.id, item.auto_check), []);
	for (const p of all) {
		const k = key(p.item.id, p.check);
		const list = groups.get(k);
		if (list) list.push(p);
		else groups.set(k, [p]);
	}
	const items = [...groups.entries()].map(([k, list]): ItemAgreement => {
		const [itemId, check] = k.split('\u0000') as [string, AutoCheckId];
		const item = current.get(itemId) ?? list[list.length - 1]?.item;
		const paired = list.filter((p) => p.automatic !== null);
		const count = (h: boolean, a: boolean) => paired.filter((p) => p.human === h && p.automatic === a).length;
		const cells = { pass_pass: count(true, true), pass_fail: count(true, false), fail_pass: count(false, true), fail_fail: count(false, false) };
		const kappa = passFailKappa(cells);
		return {
			item: itemId,
			item_label: item?.label ?? itemId,
			kind: item?.kind ?? 'category',
			check,
			check_label: AUTO_CHECKS[check].label,
			human_pass: item ? humanPassRule(item) : '',
			n: paired.length,
			...cells,
			not_applicable: list.length - paired.length,
			kappa,
			trust: trustLevel(kappa),
			why_not: whyNotComputable(kappa.not_computable, paired.length),
			not_testable: ctx.notTestable[check]
		};
	});
	return { items, reviews, method: AGREEMENT_METHOD };
}

/** The reviews where the reviewer and the check disagree on `item`, newest first. */
export async function autoCheckDisagreements(db: Kysely<Database>, options: { filters: Filters; today?: Date; item: string; check: string }): Promise<Disagreement[]> {
	const today = options.today ?? (await resolveToday(db, options.filters));
	const { pairs: all } = await pairs(db, options.filters, today);
	return all
		.filter((p) => p.item.id === options.item && p.check === options.check && p.automatic !== null && p.automatic !== p.human)
		.map((p): Disagreement => {
			const scores = parseScores(p.review);
			const rating = scores.ratings[p.item.id];
			const label = p.item.kind === 'category' && typeof rating === 'number' ? (p.item.scale.labels[rating - p.item.scale.min] ?? String(rating)) : p.human ? 'not failed' : 'failed';
			return {
				review_id: p.review.review_id,
				sample_id: p.review.sample_id,
				case_id: p.review.case_id,
				reviewer: p.review.reviewer,
				submitted_at: p.review.submitted_at,
				agent_id: p.review.agent_id,
				team: p.review.team,
				region: p.review.region,
				human: p.human ? 'pass' : 'fail',
				human_value: label,
				automatic: p.automatic ? 'pass' : 'fail'
			};
		})
		.sort((a, b) => b.review_id - a.review_id);
}
