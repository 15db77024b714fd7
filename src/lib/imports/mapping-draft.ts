import { columnsFor, type ImportKind } from '$lib/imports/canonical-columns';
import { guessMapping, type ColumnMapping } from '$lib/imports/column-mapping';

/** The hand-mapping form's state: per canonical column a header, a strptime format and a default. */
export type MappingDraft = Record<string, { header: string; format: string; fallback: string }>;

export function draftFromHeaders(kind: ImportKind, headers: string[]): MappingDraft {
	const guess = guessMapping(kind, headers);
	const draft: MappingDraft = {};
	for (const column of columnsFor(kind)) {
		const source = guess.columns[column.name];
		draft[column.name] = { header: typeof source === 'string' ? source : '', format: '', fallback: '' };
	}
	if (kind === 'cases') {
		draft.region.fallback ||= 'unknown';
		draft.category.fallback ||= 'uncategorized';
	}
	return draft;
}

export function mappingFromDraft(name: string, kind: ImportKind, draft: MappingDraft): ColumnMapping {
	const columns: ColumnMapping['columns'] = {};
	for (const [column, entry] of Object.entries(draft)) {
		if (!entry.header && !entry.fallback) continue;
		columns[column] = {
			...(entry.header ? { from: entry.header } : {}),
			...(entry.format ? { format: entry.format } : {}),
			...(entry.fallback ? { default: entry.fallback } : {})
		};
	}
	return { name: name || 'custom', kind, columns };
}

/** Required canonical columns with neither a header nor a default: the upload cannot succeed. */
export function unmappedRequired(kind: ImportKind, draft: MappingDraft): string[] {
	return columnsFor(kind)
		.filter((c) => c.required && !draft[c.name]?.header && !draft[c.name]?.fallback)
		.map((c) => c.name);
}
