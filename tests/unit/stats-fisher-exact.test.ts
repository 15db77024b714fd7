import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { fisherExactTwoSided } from '../../src/lib/core/stats/fisher-exact';

const fixture = JSON.parse(readFileSync('tests/fixtures/stats/fisher-exact.json', 'utf8')) as { cases: { table: [[number, number], [number, number]]; p_value: number }[] };

describe('Fisher exact test (two-sided) against scipy.stats.fisher_exact', () => {
	for (const c of fixture.cases) {
		test(JSON.stringify(c.table), () => {
			expect(fisherExactTwoSided(c.table)).toBeCloseTo(c.p_value, 10);
			expect(Math.abs(fisherExactTwoSided(c.table) - c.p_value)).toBeLessThanOrEqual(1e-9 * Math.max(1, c.p_value));
		});
	}
});
