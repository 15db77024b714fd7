import { sql, type Kysely } from 'kysely';
import type { Database, ImportBatchesTable } from '../core/db/schema';
import type { BatchSummary } from './ingest-file.server';
import { MESSAGE_FORMATS, type MessageFormat, type MessagesOutcome } from '../conversations/model';

export type BatchRow = Omit<ImportBatchesTable, 'started_at' | 'finished_at' | 'mapping'> & { started_at: Date; finished_at: Date | null };

export interface BatchDetail extends BatchRow {
	mapping_json: unknown;
	columns: BatchSummary['derived'];
	merged: number;
	unknown_values: BatchSummary['unknown_values'];
	blank_cells: BatchSummary['blank_cells'];
	top_reasons: BatchSummary['top_reasons'];
	warnings: string[];
	timings_ms: Record<string, number>;
	/** A messages batch's format, threads and first-response check (conversations/import-messages.server.ts). */
	messages?: MessagesOutcome;
}

const EMPTY_COMPARISON: MessagesOutcome['first_response'] = { compared: 0, same: 0, differ: 0, different_time: 0, only_case: 0, only_messages: 0, examples: [] };

/** A messages batch's own part of `derived`; batches written before a field existed lack it, and read as none. */
function messagesOutcome(stored: Partial<MessagesOutcome> | undefined, mappingName: string | null): MessagesOutcome {
	const named = (MESSAGE_FORMATS as readonly string[]).includes(mappingName ?? '') ? (mappingName as MessageFormat) : 'canonical';
	return {
		format: stored?.format ?? named,
		detected: stored?.detected ?? false,
		cases: stored?.cases ?? 0,
		replaced_cases: stored?.replaced_cases ?? 0,
		roles: stored?.roles ?? {},
		internal_notes: stored?.internal_notes ?? 0,
		unknown_cases: stored?.unknown_cases ?? 0,
		sample_cases: stored?.sample_cases ?? [],
		first_response: { ...EMPTY_COMPARISON, ...stored?.first_response }
	};
}

const LISTED = [
	'batch_id', 'kind', 'status', 'file_name', 'archive_path', 'size_bytes', 'sha256', 'format', 'encoding', 'delimiter',
	'mapping_name', 'rows_read', 'accepted', 'rejected', 'duplicates_in_file', 'replaced', 'derived', 'timings',
	'duplicate_of', 'error', 'imported_by', 'source', 'started_at', 'finished_at'
] as const;

export async function listBatches(db: Kysely<Database>, limit = 200): Promise<BatchRow[]> {
	return db.selectFrom('import_batches').select(LISTED).orderBy('batch_id', 'desc').limit(limit).execute();
}

export async function getBatch(db: Kysely<Database>, batchId: number): Promise<BatchDetail | undefined> {
	const row = await db.selectFrom('import_batches').select([...LISTED, 'mapping']).where('batch_id', '=', batchId).executeTakeFirst();
	if (!row) return undefined;
	// Batches imported before a field existed lack it: the defaults below read as "nothing of that kind".
	const derived = row.derived ? (JSON.parse(row.derived) as Partial<{ columns: BatchSummary['derived']; merged: number; unknown_values: BatchSummary['unknown_values']; blank_cells: BatchSummary['blank_cells']; top_reasons: BatchSummary['top_reasons']; warnings: string[]; messages: Partial<MessagesOutcome> }>) : undefined;
	const { mapping, ...rest } = row;
	return {
		...rest,
		mapping_json: mapping ? JSON.parse(mapping) : null,
		columns: derived?.columns ?? {},
		merged: derived?.merged ?? 0,
		unknown_values: derived?.unknown_values ?? {},
		blank_cells: derived?.blank_cells ?? {},
		top_reasons: (derived?.top_reasons ?? []).map((r) => ({ ...r, examples: r.examples ?? [] })),
		warnings: derived?.warnings ?? [],
		timings_ms: row.timings ? (JSON.parse(row.timings) as Record<string, number>) : {},
		...(row.kind === 'messages' ? { messages: messagesOutcome(derived?.messages, row.mapping_name) } : {})
	};
}

export interface RejectedPage {
	rows: { line: number; reason: string; raw: string | null }[];
	total: number;
}

/** One page of a batch's rejected rows, optionally only those whose reason contains `search`. */
export async function listRejected(db: Kysely<Database>, batchId: number, options: { offset: number; limit: number; search?: string }): Promise<RejectedPage> {
	let query = db.selectFrom('rejected_rows').where('batch_id', '=', batchId);
	if (options.search) query = query.where(sql<boolean>`contains(lower(reason), lower(${options.search}))`);
	const [rows, total] = await Promise.all([
		query.select(['line', 'reason', 'raw']).orderBy('line').offset(options.offset).limit(options.limit).execute(),
		query.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()
	]);
	return { rows, total: total.n };
}

/** Streams every rejected row of a batch, for the CSV download. */
export function streamRejected(db: Kysely<Database>, batchId: number) {
	return db.selectFrom('rejected_rows').select(['line', 'reason', 'raw']).where('batch_id', '=', batchId).orderBy('line').stream(5000);
}
