import { describe, expect, it } from 'vitest';
import policy from '../../config/policy.json';
import { flattenPolicy, POLICY_FIELDS, policyFromForm, type PolicyDocument } from '../../src/lib/core/policy/model';

const { $comment: _comment, ...published } = policy;
const doc = published as PolicyDocument;
const fields = flattenPolicy(doc);

/** The form as the page submits it: every field at its published value, switches as "on". */
function form(changes: Record<string, string> = {}): Map<string, string> {
	const values = new Map<string, string>();
	for (const f of fields) {
		if (f.kind === 'boolean') {
			if (f.value === true) values.set(f.path, 'on');
		} else values.set(f.path, Array.isArray(f.value) ? f.value.join(', ') : String(f.value));
	}
	for (const [key, value] of Object.entries(changes)) values.set(key, value);
	return values;
}

describe('policy fields', () => {
	it('every key of config/policy.json has a label, a unit, a group and a line of help', () => {
		const missing = fields.filter((f) => !POLICY_FIELDS[f.path]).map((f) => f.path);
		expect(missing, 'add these keys to POLICY_FIELDS in src/lib/core/policy/model.ts').toEqual([]);
		for (const f of fields) {
			const info = POLICY_FIELDS[f.path];
			expect(info.label.trim(), f.path).not.toBe('');
			expect(info.unit.trim(), f.path).not.toBe('');
			expect(info.help.trim(), f.path).not.toBe('');
			expect(info.label, `${f.path}: the label is words, not the key`).not.toContain('_');
			if (f.kind === 'number' || f.kind === 'numbers') {
				expect(info.min, `${f.path} has a lower bound`).toBeTypeOf('number');
				expect(info.max, `${f.path} has an upper bound`).toBeTypeOf('number');
			}
		}
	});

	it('the table describes no key the policy does not have', () => {
		const keys = new Set(fields.map((f) => f.path));
		expect(Object.keys(POLICY_FIELDS).filter((k) => !keys.has(k))).toEqual([]);
	});

	it('the published policy passes its own ranges, and comes back unchanged', () => {
		const { policy: read, errors } = policyFromForm(doc, form());
		expect(errors).toEqual([]);
		expect(read).toEqual(doc);
	});

	it.each([
		['return_window_days', '400', 'Return window (return_window_days) must be a whole number between 0 and 365 days, got "400".'],
		['return_window_days', '30.5', 'Return window (return_window_days) must be a whole number between 0 and 365 days, got "30.5".'],
		['fairness.rate_threshold_pp', '150', 'Favourable-outcome gap that matters (fairness.rate_threshold_pp) must be between 0 and 100 percentage points, got "150".'],
		['fairness.csat_threshold', '10', 'CSAT gap that matters (fairness.csat_threshold) must be between 0 and 1, got "10".'],
		['targets.first_response_hours', '-1', 'First-response target (targets.first_response_hours) must be between 0 and 720 hours, got "-1".'],
		['fairness.min_group_size', 'many', 'Smallest group tested (fairness.min_group_size) must be a whole number between 1 and 100,000 cases, got "many".'],
		['claim_outcome_limit_days', '', 'Claim outcome limit (claim_outcome_limit_days) must be a whole number between 1 and 365 days, got "".'],
		['tenure_band_days', '90, 365, 99999', 'Account-tenure band bounds (tenure_band_days) must be numbers separated by commas, each a whole number between 0 and 36,500 days, got "90, 365, 99999".'],
		['order_value_bands', '50, 20', 'Order-value band bounds (order_value_bands) must be increasing, got "50, 20".'],
		['reporting_currency', 'dollars', 'Reporting currency (reporting_currency) must be a three-letter currency code such as USD, EUR or BRL, got "dollars".']
	])('%s = "%s" is refused with the field named and its allowed range', (key, value, message) => {
		expect(policyFromForm(doc, form({ [key]: value })).errors).toEqual([message]);
	});

	it('values at the ends of a range are accepted', () => {
		const { policy: read, errors } = policyFromForm(doc, form({ return_window_days: '365', 'fairness.csat_threshold': '0', refund_min_days: '0' }));
		expect(errors).toEqual([]);
		expect(read.return_window_days).toBe(365);
	});

	it('a refund band that starts after it ends is refused, naming both fields', () => {
		expect(policyFromForm(doc, form({ refund_min_days: '12' })).errors).toEqual(['Refund promise, from (refund_min_days) must not be larger than Refund promise, to (refund_max_days).']);
	});

	it('a key a stored version has but the table lacks is still read, as a number of at least 0', () => {
		const older = { ...doc, legacy_days: 3 } as PolicyDocument;
		expect(policyFromForm(older, form({ legacy_days: '-2' })).errors).toEqual(['legacy_days must be at least 0, got "-2".']);
	});
});
