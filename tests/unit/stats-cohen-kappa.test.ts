import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { cohensKappa, passFailKappa } from '../../src/lib/core/stats/cohen-kappa';

interface KappaCase {
	name: string;
	table: number[][];
	kappa: number | null;
	var_kappa: number | null;
	std_kappa: number | null;
	kappa_low: number | null;
	kappa_upp: number | null;
	alpha: number;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/stats/cohen-kappa.json', import.meta.url), 'utf8')) as { cases: KappaCase[] };

function close(actual: number | null, expected: number | null, tolerance = 1e-9): void {
	if (expected === null) expect(actual).toBeNull();
	else {
		expect(actual).not.toBeNull();
		expect(Math.abs((actual as number) - expected)).toBeLessThan(tolerance);
	}
}

describe("Cohen's kappa", () => {
	test('the fixture covers 2 x 2, 3 x 3, perfect agreement and constant raters', () => {
		const names = fixture.cases.map((c) => c.name);
		expect(names.length).toBeGreaterThanOrEqual(15);
		for (const needle of ['2x2-perfect', '3x3-perfect', '2x2-rater-a-constant', '2x2-rater-b-constant', '2x2-both-constant', '3x3-fleiss']) expect(names).toContain(needle);
	});

	test.each(fixture.cases.map((c) => [c.name, c] as const))('%s: kappa, variance, SE and interval match statsmodels cohens_kappa to 1e-9', (_name, c) => {
		// statsmodels' alpha is one-sided (0.025 for the 95% interval); ours is two-sided.
		expect(c.alpha).toBe(0.025);
		const r = cohensKappa(c.table, 2 * c.alpha);
		close(r.kappa, c.kappa);
		close(r.variance, c.var_kappa);
		// Where the variance is exactly 0 but rounds to +-2e-16, statsmodels' sqrt gives NaN or 1.4e-8:
		// the variance is compared above; those tables are exactly the ones flagged as not computable.
		if (c.var_kappa !== null && c.var_kappa > 1e-12) {
			close(r.se, c.std_kappa);
			close(r.ci_low, c.kappa_low);
			close(r.ci_high, c.kappa_upp);
		} else if (c.var_kappa !== null && c.var_kappa !== 0) {
			expect(r.not_computable).not.toBeNull();
		}
	});

	test('a constant rater makes kappa not computable, with which rater', () => {
		expect(cohensKappa([[10, 3], [0, 0]]).not_computable).toBe('rater_a_constant');
		expect(cohensKappa([[10, 0], [4, 0]]).not_computable).toBe('rater_b_constant');
		const both = cohensKappa([[10, 0], [0, 0]]);
		expect(both.not_computable).toBe('both_constant');
		expect(both.kappa).toBeNull();
		expect(cohensKappa([[0, 0], [0, 0]]).not_computable).toBe('no_cases');
		expect(cohensKappa([[20, 5], [10, 15]]).not_computable).toBeNull();
		// Perfect agreement with both categories used is computable: kappa 1, SE 0.
		const perfect = cohensKappa([[12, 0], [0, 8]]);
		expect([perfect.kappa, perfect.se, perfect.not_computable]).toEqual([1, 0, null]);
	});

	test('the pass/fail form is the 2 x 2 table', () => {
		expect(passFailKappa({ pass_pass: 20, pass_fail: 5, fail_pass: 10, fail_fail: 15 })).toEqual(cohensKappa([[20, 5], [10, 15]]));
	});

	test('refuses a table that is not square or holds a negative count', () => {
		expect(() => cohensKappa([[1, 2, 3], [4, 5, 6]])).toThrow(RangeError);
		expect(() => cohensKappa([[1, -2], [3, 4]])).toThrow(RangeError);
	});
});
