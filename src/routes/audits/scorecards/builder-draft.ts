import type { ScorecardBody } from '$lib/audits/scorecard';

/**
 * The builder's editable copy of a definition: every field as the text of its input, so a half-typed
 * number stays as typed. The form posts the fields and the server reads them with scorecardFromForm
 * (src/lib/audits/scorecard.ts); nothing here is trusted.
 */
export interface CategoryDraft {
	id: string;
	label: string;
	weight: string;
	min: string;
	max: string;
	labels: string[];
	help: string;
	na_allowed: boolean;
	root_causes: string;
	auto_check: string;
	pass_from: string;
}

export interface CriticalDraft {
	id: string;
	label: string;
	help: string;
	auto_check: string;
	root_causes: string;
}

export interface ScorecardDraft {
	categories: CategoryDraft[];
	critical_items: CriticalDraft[];
}

export function draftOf(body: ScorecardBody): ScorecardDraft {
	return {
		categories: body.categories.map((c) => ({
			id: c.id,
			label: c.label,
			weight: String(c.weight),
			min: String(c.scale.min),
			max: String(c.scale.max),
			labels: [...c.scale.labels],
			help: c.help,
			na_allowed: c.na_allowed === true,
			root_causes: (c.root_causes ?? []).join('\n'),
			auto_check: c.auto_check ?? '',
			pass_from: c.pass_from === undefined ? '' : String(c.pass_from)
		})),
		critical_items: body.critical_items.map((i) => ({ id: i.id, label: i.label, help: i.help, auto_check: i.auto_check ?? '', root_causes: (i.root_causes ?? []).join('\n') }))
	};
}

export function newCategory(): CategoryDraft {
	return { id: '', label: '', weight: '10', min: '1', max: '5', labels: ['1', '2', '3', '4', '5'], help: '', na_allowed: false, root_causes: '', auto_check: '', pass_from: '' };
}

export function newCritical(): CriticalDraft {
	return { id: '', label: '', help: '', auto_check: '', root_causes: '' };
}

/**
 * Labels for the scale min..max: kept where a point stays, its number where a point is new. A scale
 * that is not two whole numbers at most 10 apart keeps its labels until it is (the server names it).
 */
export function resizedLabels(c: CategoryDraft): string[] {
	const min = Number(c.min);
	const max = Number(c.max);
	if (!Number.isInteger(min) || !Number.isInteger(max) || max <= min || max - min > 10) return c.labels;
	return Array.from({ length: max - min + 1 }, (_, k) => c.labels[k] ?? String(min + k));
}

/** An id from a label, for a new item whose id is still empty: "Tone of voice" -> tone_of_voice. */
export function idFromLabel(label: string): string {
	const id = label
		.toLowerCase()
		.normalize('NFKD')
		.replace(/[^a-z0-9]+/g, '_')
		.replace(/^[^a-z]+|_+$/g, '')
		.slice(0, 40);
	return id;
}
