/**
 * The policy is a JSON document (config/policy.json seeds version 1). The edit form shows it as
 * flat fields named by their dotted path, typed by the current value, so a new policy number
 * needs no form code.
 */
export type PolicyValue = number | boolean | string | number[];
export type PolicyDocument = { [key: string]: PolicyValue | PolicyDocument };

export interface PolicyField {
	path: string;
	kind: 'number' | 'boolean' | 'text' | 'numbers';
	value: PolicyValue;
}

export function flattenPolicy(doc: PolicyDocument, prefix = ''): PolicyField[] {
	return Object.entries(doc).flatMap(([key, value]): PolicyField[] => {
		const path = prefix ? `${prefix}.${key}` : key;
		if (Array.isArray(value)) return [{ path, kind: 'numbers', value }];
		if (typeof value === 'object') return flattenPolicy(value, path);
		return [{ path, kind: typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'text', value }];
	});
}

/** Reads submitted form values back into a document shaped like `current`; errors name the field. */
export function policyFromForm(current: PolicyDocument, form: Map<string, string>): { policy: PolicyDocument; errors: string[] } {
	const errors: string[] = [];
	const build = (doc: PolicyDocument, prefix: string): PolicyDocument =>
		Object.fromEntries(
			Object.entries(doc).map(([key, value]) => {
				const path = prefix ? `${prefix}.${key}` : key;
				if (typeof value === 'object' && !Array.isArray(value)) return [key, build(value, path)];
				const raw = form.get(path);
				if (typeof value === 'boolean') return [key, raw === 'on' || raw === 'true'];
				if (raw === undefined) {
					errors.push(`${path} is missing.`);
					return [key, value];
				}
				if (typeof value === 'number') {
					const n = Number(raw);
					if (raw.trim() === '' || !Number.isFinite(n) || n < 0) errors.push(`${path} must be a number of at least 0, got "${raw}".`);
					return [key, n];
				}
				if (Array.isArray(value)) {
					const list = raw.split(',').map((x) => Number(x.trim()));
					if (list.some((n) => !Number.isFinite(n) || n < 0)) errors.push(`${path} must be numbers separated by commas, got "${raw}".`);
					else if (list.some((n, i) => i > 0 && n <= list[i - 1])) errors.push(`${path} must be increasing, got "${raw}".`);
					return [key, list];
				}
				if (raw.trim() === '') errors.push(`${path} must not be empty.`);
				return [key, raw.trim()];
			})
		);
	const policy = build(current, '');
	const min = policy.refund_min_days;
	const max = policy.refund_max_days;
	if (typeof min === 'number' && typeof max === 'number' && min > max) errors.push('refund_min_days must not be larger than refund_max_days.');
	return { policy, errors };
}
