import { columnsFor, idColumn, type ImportKind } from './canonical-columns';
import { closestHeader, guessMapping, normaliseSource, type ColumnMapping } from './column-mapping';
import { detectPreset, isPresetName, presetMapping, PRESETS, type PresetName } from './presets';
import { IngestError } from './ingest-error';

export interface MappingChoice {
	mapping: ColumnMapping;
	/** 'preset:zendesk', 'file:my-mapping', 'auto' ... for the batch summary. */
	origin: string;
	/** The preset, when one was named or detected. */
	preset?: PresetName;
}

/**
 * Columns the database needs but the user cannot be expected to have, filled as the presets do.
 * Feedback `kind` is optional in the contract but NOT NULL in the table: without a default, one
 * file without a kind column failed its whole import on the constraint.
 */
const CONTRACT_DEFAULTS: Record<ImportKind, readonly (readonly [string, string])[]> = {
	cases: [['region', 'unknown'], ['category', 'uncategorized']],
	feedback: [['kind', 'survey']]
};

function withContractDefaults(kind: ImportKind, mapping: ColumnMapping): ColumnMapping {
	const columns = { ...mapping.columns };
	for (const [name, fallback] of CONTRACT_DEFAULTS[kind]) {
		const spec = columns[name];
		if (spec === undefined) columns[name] = { default: fallback };
		else if (typeof spec === 'string') columns[name] = { from: spec, default: fallback };
		// An empty required column rejects its row; an empty optional one would hit NOT NULL instead.
		else if (spec.default === undefined && !columnsFor(kind).find((c) => c.name === name)?.required) columns[name] = { ...spec, default: fallback };
	}
	return { ...mapping, columns };
}

export function chooseMapping(
	kind: ImportKind,
	headers: readonly string[],
	request: { preset?: string; mapping?: ColumnMapping }
): MappingChoice {
	if (request.mapping) {
		if (request.mapping.kind && request.mapping.kind !== kind) {
			throw new IngestError(
				'wrong_kind',
				`The mapping "${request.mapping.name}" is for ${request.mapping.kind}, but the import is for ${kind}.`,
				`Import with --kind ${request.mapping.kind}, or use a mapping written for ${kind}.`
			);
		}
		return { mapping: withContractDefaults(kind, request.mapping), origin: `mapping:${request.mapping.name}` };
	}
	if (request.preset && request.preset !== 'auto') {
		if (!isPresetName(request.preset)) {
			throw new IngestError(
				'bad_mapping',
				`There is no preset called "${request.preset}".`,
				`Use one of: ${Object.keys(PRESETS).join(', ')}, or give a mapping file with --mapping.`
			);
		}
		return { mapping: presetMapping(request.preset, kind), origin: `preset:${request.preset}`, preset: request.preset };
	}
	const detected: PresetName | undefined = detectPreset(headers);
	if (detected) return { mapping: presetMapping(detected, kind), origin: `preset:${detected} (detected)`, preset: detected };
	return { mapping: withContractDefaults(kind, guessMapping(kind, headers)), origin: 'auto (header names)' };
}

/** Refuses a feedback file imported as cases (and the reverse) before any row is judged. */
export function checkKind(kind: ImportKind, headers: readonly string[], mapping: ColumnMapping): void {
	const other: ImportKind = kind === 'cases' ? 'feedback' : 'cases';
	const present = new Set(headers.map((h) => h.trim().toLowerCase()));
	const ownId = idColumn(kind);
	const otherId = idColumn(other);
	const mapsOwnId = sourceHeaders(mapping, ownId).some((h) => present.has(h.toLowerCase()));
	if (!mapsOwnId && present.has(otherId)) {
		const otherRequired = columnsFor(other).filter((c) => c.required && present.has(c.name)).map((c) => c.name);
		throw new IngestError(
			'wrong_kind',
			`This looks like a ${other} file (it has ${otherRequired.join(', ')}) but it was imported as ${kind}: there is no ${ownId} column.`,
			`Import it with --kind ${other} (or choose "${other}" on the upload page).`
		);
	}
}

function sourceHeaders(mapping: ColumnMapping, column: string): string[] {
	const spec = mapping.columns[column];
	if (spec === undefined) return [];
	const n = normaliseSource(spec);
	return [...n.from, ...(n.otherwise?.from ?? [])];
}

/** Every required column needs a header that exists or a default; otherwise say which and what is close. */
export function checkRequired(kind: ImportKind, headers: readonly string[], mapping: ColumnMapping): void {
	const present = new Set(headers.map((h) => h.trim().toLowerCase()));
	for (const column of columnsFor(kind).filter((c) => c.required)) {
		const spec = mapping.columns[column.name];
		const hasDefault = spec !== undefined && typeof spec !== 'string' && spec.default !== undefined;
		const found = sourceHeaders(mapping, column.name).some((h) => present.has(h.toLowerCase()));
		if (found || hasDefault) continue;
		const wanted = sourceHeaders(mapping, column.name)[0] ?? column.name;
		const near = closestHeader(wanted, headers, column.aliases);
		const mapIt = `map it with a mapping file: {"columns": {"${column.name}": "${near}"}}.`;
		// A file that already says created_at, read through a preset that looks for its own tool's name.
		const ownNames = near?.trim().toLowerCase() === column.name && wanted !== column.name;
		throw new IngestError(
			'missing_column',
			`Required column "${column.name}" is missing${wanted !== column.name ? ` (looked for "${wanted}")` : ''}; ${near ? `the closest header in the file is "${near}"` : 'no header in the file looks like it'}.`,
			!near
				? `Add a "${column.name}" column, or map one of the file's headers (${headers.slice(0, 12).map((h) => `"${h}"`).join(', ')}) to it with a mapping file.`
				: ownNames
					? `The file uses Caselens' own column names: import it with the canonical preset (or without a preset), or ${mapIt}`
					: `Rename "${near}" to "${wanted}" in the file, or ${mapIt}`
		);
	}
}
