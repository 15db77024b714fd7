import { describe, expect, test } from 'vitest';
import { checkReviewScores, failedItems, reviewScore, scoreFormula, scoresFromForm, type ScorecardBody } from '../../src/lib/audits/scorecard';

/** N/A, failed items and root causes in src/lib/audits/scorecard.ts, on numbers worked by hand. */
const CARD: ScorecardBody = {
	categories: [
		{ id: 'a', label: 'A', weight: 20, scale: { min: 1, max: 5, labels: ['1', '2', '3', '4', '5'] }, help: '' },
		{ id: 'b', label: 'B', weight: 30, scale: { min: 1, max: 5, labels: ['1', '2', '3', '4', '5'] }, help: '', na_allowed: true },
		{ id: 'c', label: 'C', weight: 50, scale: { min: 0, max: 2, labels: ['0', '1', '2'] }, help: '', na_allowed: true, pass_from: 2, root_causes: ['x', 'y'] }
	],
	critical_items: [{ id: 'k', label: 'K', help: '', root_causes: ['p'] }]
};

describe('N/A', () => {
	test('an N/A category leaves both sums', () => {
		// Without N/A: (20·2/4 + 30·4/4 + 50·1/2) / 100 · 100 = 10 + 30 + 25 = 65.
		expect(reviewScore(CARD, { ratings: { a: 3, b: 5, c: 1 }, critical: {} }).score).toBeCloseTo(65, 10);
		// b N/A: (10 + 25) / 70 · 100 = 50.
		expect(reviewScore(CARD, { ratings: { a: 3, b: 5, c: 1 }, critical: {}, na: ['b'] }).score).toBeCloseTo(50, 10);
		// b and c N/A: a alone, 2/4 = 50 as well; a N/A is ignored (A does not allow it) and leaves a missing.
		expect(reviewScore(CARD, { ratings: { a: 3 }, critical: {}, na: ['b', 'c'] }).score).toBeCloseTo(50, 10);
		expect(reviewScore(CARD, { ratings: {}, critical: {}, na: ['a', 'b', 'c'] })).toMatchObject({ score: null, complete: false, missing: ['a'] });
	});

	test('every category N/A: no score, not complete, nothing missing', () => {
		const body: ScorecardBody = { categories: CARD.categories.slice(1), critical_items: [] };
		expect(reviewScore(body, { ratings: {}, critical: {}, na: ['b', 'c'] })).toMatchObject({ score: null, complete: false, missing: [], na: ['b', 'c'] });
	});

	test('the formula says the weights renormalise', () => {
		expect(scoreFormula(CARD)).toContain('rated weights renormalise');
	});
});

describe('failed items and root causes', () => {
	test('a category fails below pass_from, a critical item when ticked; N/A never fails', () => {
		expect(failedItems(CARD, { ratings: { a: 2, b: 3, c: 1 }, critical: { k: true } })).toEqual(['a', 'c', 'k']);
		expect(failedItems(CARD, { ratings: { a: 3, b: 1, c: 1 }, critical: {}, na: ['b', 'c'] })).toEqual([]);
	});

	test('checks: N/A where allowed, causes from the list, required on submit only, dropped when passed', () => {
		const ratings = { a: 3, b: 3, c: 0 };
		expect(checkReviewScores(CARD, { ratings, critical: {} }, false).ok).toBe(true);
		expect(checkReviewScores(CARD, { ratings, critical: {} }, true)).toEqual({ ok: false, problem: 'C failed: choose its root cause (x, y) before submitting.' });
		expect(checkReviewScores(CARD, { ratings, critical: {}, na: ['a'] }, false)).toEqual({ ok: false, problem: 'A cannot be marked N/A: this scorecard version requires a rating for it.' });
		expect(checkReviewScores(CARD, { ratings, critical: {}, root_causes: { c: 'z' } }, false)).toEqual({ ok: false, problem: 'C: "z" is not one of its root causes (x, y).' });
		expect(checkReviewScores(CARD, { ratings: { a: 3, b: 3, c: 2 }, critical: {}, root_causes: { c: 'x' } }, true)).toEqual({ ok: true, scores: { ratings: { a: 3, b: 3, c: 2 }, critical: {}, na: [], root_causes: {} } });
		expect(checkReviewScores(CARD, { ratings: { a: 1, b: 3, c: 2 }, critical: {}, root_causes: { a: 'x' } }, false)).toEqual({ ok: false, problem: 'A lists no root causes, so none can be chosen.' });
	});

	test('the review form: N/A drops a rating chosen before, root causes are read per item', () => {
		const form = new Map<string, string>([
			['rating.a', '4'],
			['rating.b', '2'],
			['na.b', 'na'],
			['rating.c', '0'],
			['root_cause.c', 'y'],
			['critical.k', 'fail'],
			['root_cause.k', 'p']
		]);
		const { scores, errors } = scoresFromForm(CARD, form);
		expect(errors).toEqual([]);
		expect(scores).toEqual({ ratings: { a: 4, b: null, c: 0 }, critical: { k: true }, na: ['b'], root_causes: { c: 'y', k: 'p' } });
	});
});
