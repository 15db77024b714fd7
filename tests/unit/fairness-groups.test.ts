import { describe, expect, it } from 'vitest';
import { categoryOfCaseType, consistencyCasesHref, fairnessCasesHref } from '../../src/lib/cases/drill-links';
import { describeDrill, parseDrill, parseFilters } from '../../src/lib/metrics/filters/model';
import { fairnessSettings, orderValueBands, tenureBands } from '../../src/lib/metrics/fairness/fairness-groups.server';
import { flagDecision } from '../../src/lib/metrics/fairness/fairness.server';
import policy from '../../config/policy.json';

describe('bands from the policy', () => {
	it('tenure bands read like the issue: under 90 days, 90 days to 1 year, 1 to 3 years, at least 3 years', () => {
		expect(tenureBands([90, 365, 1095])).toEqual([
			{ key: '<90d', label: 'under 90 days', low: 0, high: 90 },
			{ key: '90d-1y', label: '90 days to 1 year', low: 90, high: 365 },
			{ key: '1y-3y', label: '1 to 3 years', low: 365, high: 1095 },
			{ key: '3y+', label: 'at least 3 years', low: 1095, high: null }
		]);
	});

	it('order-value bands carry the reporting currency; unsorted or repeated bounds are tidied', () => {
		expect(orderValueBands([1000, 50, 200, 50], 'EUR').map((b) => [b.key, b.label])).toEqual([
			['<50', 'under 50 EUR'],
			['50-200', '50 to 200 EUR'],
			['200-1,000', '200 to 1,000 EUR'],
			['1,000+', 'at least 1,000 EUR']
		]);
		expect(orderValueBands([], 'USD')).toEqual([{ key: 'all', label: 'all', low: 0, high: null }]);
	});

	it('settings come from the stored policy, and keys an older version lacks from config/policy.json', () => {
		const stored = { ...policy, fairness: { ...policy.fairness, rate_threshold_pp: 7 } } as Record<string, unknown>;
		delete stored.consistency;
		const s = fairnessSettings(stored);
		expect(s.rate_threshold_pp).toBe(7);
		expect(s.tvd_threshold).toBe(policy.consistency.tvd_threshold);
		expect(s.tenure_band_days).toEqual([90, 365, 1095]);
		expect(() => fairnessSettings({ ...stored, return_window_days: 'sixty' })).toThrow(/return_window_days/);
	});
});

describe('flag decision', () => {
	const s = fairnessSettings(policy as Record<string, unknown>);
	it('needs enough cases, a difference beyond the threshold and q < 0.05, and says which is missing', () => {
		expect(flagDecision({ measure: 'favourable_rate', n: 29, diff: -0.2, q_value: 0.001 }, s)).toMatch(/fewer than 30 claims/);
		expect(flagDecision({ measure: 'favourable_rate', n: 500, diff: -0.05, q_value: 0.001 }, s)).toMatch(/within the practical threshold \(5 percentage points\)/);
		expect(flagDecision({ measure: 'favourable_rate', n: 500, diff: -0.051, q_value: 0.05 }, s)).toMatch(/not significant/);
		expect(flagDecision({ measure: 'favourable_rate', n: 500, diff: -0.051, q_value: 0.049 }, s)).toBeNull();
		expect(flagDecision({ measure: 'resolution_time', n: 500, diff: 0.19, q_value: 0.001 }, s)).toMatch(/20%/);
		expect(flagDecision({ measure: 'resolution_time', n: 500, diff: -0.21, q_value: 0.001 }, s)).toBeNull();
		expect(flagDecision({ measure: 'csat', n: 500, diff: null, q_value: null }, s)).toBe('no comparison possible');
	});
});

describe('drill-down parameters and links', () => {
	it('parses only known parameters and populations', () => {
		expect(parseDrill(new URLSearchParams('tenure=<90d&population=claims&root_cause=carrier&foo=1'))).toEqual({ tenure: '<90d', population: 'claims', root_cause: 'carrier' });
		expect(parseDrill(new URLSearchParams('population=everyone'))).toEqual({});
		expect(describeDrill({ population: 'rated', order_value: '50-200' })).toEqual(['with a rated survey answer', 'order value 50-200']);
	});

	it('links narrow the page filters to the group, with a global filter where the group is one', () => {
		const filters = parseFilters(new URLSearchParams('range=90d&channel=chat'));
		const tenure = new URL(fairnessCasesHref(filters, 'tenure', '<90d', 'favourable_rate', 'return_request (in window)'), 'http://x');
		expect(Object.fromEntries(tenure.searchParams)).toEqual({ range: '90d', channel: 'chat', category: 'return_request', tenure: '<90d', population: 'claims' });
		const region = new URL(fairnessCasesHref(filters, 'region', 'latam', 'resolution_time'), 'http://x');
		expect(region.searchParams.get('region')).toBe('latam');
		expect(region.searchParams.get('population')).toBe('resolved');
		const cell = new URL(consistencyCasesHref(filters, { category: null, root_cause: 'carrier' }, 'agent', 'agent-007', 'denied'), 'http://x');
		expect(Object.fromEntries(cell.searchParams)).toEqual({ range: '90d', channel: 'chat', agent: 'agent-007', root_cause: 'carrier', outcome: 'denied', population: 'decided' });
		expect(categoryOfCaseType('wrong_item')).toBe('wrong_item');
	});
});
