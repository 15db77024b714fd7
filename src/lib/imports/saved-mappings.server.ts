import type { Kysely } from 'kysely';
import type { ColumnMapping } from './column-mapping';
import type { ImportKind } from './canonical-columns';
import type { Database } from '../core/db/schema';
import { IngestError } from './ingest-error';

export interface SavedMapping {
	name: string;
	kind: ImportKind;
	mapping: ColumnMapping;
	created_by: string;
	created_at: Date;
}

const NAME = /^[\w][\w .-]{0,79}$/;

export async function listSavedMappings(db: Kysely<Database>): Promise<SavedMapping[]> {
	const rows = await db.selectFrom('saved_mappings').selectAll().orderBy('name').execute();
	return rows.map((r) => ({ name: r.name, kind: r.kind as ImportKind, mapping: JSON.parse(r.body) as ColumnMapping, created_by: r.created_by, created_at: r.created_at }));
}

export async function findSavedMapping(db: Kysely<Database>, name: string): Promise<ColumnMapping | undefined> {
	const row = await db.selectFrom('saved_mappings').select('body').where('name', '=', name).executeTakeFirst();
	return row ? (JSON.parse(row.body) as ColumnMapping) : undefined;
}

/** Saving under an existing name replaces that mapping (the batch keeps the copy it used). */
export async function saveMapping(db: Kysely<Database>, mapping: ColumnMapping, kind: ImportKind, createdBy: string): Promise<void> {
	if (!NAME.test(mapping.name)) {
		throw new IngestError('bad_mapping', `"${mapping.name}" is not a usable mapping name.`, 'Use up to 80 letters, digits, spaces, dots, dashes or underscores.');
	}
	if (typeof mapping.columns !== 'object' || mapping.columns === null) {
		throw new IngestError('bad_mapping', 'The mapping has no "columns" object.', 'Map at least the required columns before saving.');
	}
	const body = JSON.stringify({ ...mapping, kind });
	await db.transaction().execute(async (trx) => {
		await trx.deleteFrom('saved_mappings').where('name', '=', mapping.name).execute();
		await trx.insertInto('saved_mappings').values({ name: mapping.name, kind, body, created_by: createdBy, created_at: new Date() }).execute();
	});
}
