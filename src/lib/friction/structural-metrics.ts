/** Structural friction measures and the dimensions they are broken down by. Browser-safe. */
export const STRUCTURAL_METRICS = ['reopen', 'repeat_contact', 'escalation'] as const;
export type StructuralMetric = (typeof STRUCTURAL_METRICS)[number];
export const STRUCTURAL_DIMENSIONS = ['category', 'region'] as const;
export type StructuralDimension = (typeof STRUCTURAL_DIMENSIONS)[number];

export const STRUCTURAL_LABELS: Record<StructuralMetric, string> = {
	reopen: 'Reopen rate',
	repeat_contact: 'Repeat contact',
	escalation: 'Escalation rate'
};

export function isStructuralMetric(value: string): value is StructuralMetric {
	return (STRUCTURAL_METRICS as readonly string[]).includes(value);
}

export function isStructuralDimension(value: string): value is StructuralDimension {
	return (STRUCTURAL_DIMENSIONS as readonly string[]).includes(value);
}
