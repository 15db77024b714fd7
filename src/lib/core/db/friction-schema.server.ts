import type { ColumnType, Generated } from 'kysely';

/** Table types for friction tracking (migration 0004-friction); listed in Database in schema.ts. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** DATE columns come back as 'YYYY-MM-DD' strings (see kysely-duckdb/values.ts). */
type DateText = ColumnType<string | null, string | null, string | null>;

export interface FrictionItemsTable {
	item_id: Generated<number>;
	kind: string;
	subject: string;
	source: string | null;
	title: string;
	scope: Generated<string>;
	owner: string | null;
	status: string;
	fix_date: DateText;
	created_by: string;
	created_at: Timestamp;
	updated_at: Timestamp;
}

export interface FrictionItemEventsTable {
	event_id: Generated<number>;
	item_id: number;
	at: Timestamp;
	actor: string;
	kind: string;
	from_value: string | null;
	to_value: string | null;
	note: string | null;
}
