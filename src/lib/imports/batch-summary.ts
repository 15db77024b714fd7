import type { MessagesOutcome } from '../conversations/model';

/** What one column of an import did not take as-is from the file, counted over accepted rows. */
export interface ColumnProvenance {
	how: string;
	derived: number;
	defaulted: number;
	/** Placeholder values (1900-01-01 and the like) read as empty. */
	emptied: number;
	/** Values dropped from a kept row because they contradict it (a resolution before creation). */
	dropped: number;
}

/** A rule that rejected rows, with how many and a few of the values it met. */
export interface RejectionGroup {
	reason: string;
	count: number;
	examples: string[];
}

export type UnknownValues = Record<string, { value: string; count: number }[]>;

/** What the upload page and the batch page show about one import (browser-safe shape). */
export interface BatchSummaryView {
	batch_id: number | null;
	kind: string;
	file_name: string;
	format: string | null;
	encoding: string | null;
	delimiter: string | null;
	mapping: string | null;
	rows_read: number;
	accepted: number;
	rejected: number;
	duplicates_in_file: number;
	/** Accepted rows folded into a later row of the same id (an event log's earlier updates). */
	merged: number;
	replaced: number;
	duplicate_of: number | null;
	derived: Record<string, ColumnProvenance>;
	/** Values outside a column's list (channel, status, ...), kept as written, most frequent first. */
	unknown_values: UnknownValues;
	/** Cells holding only U+00A0 no-break spaces, read as empty, per source header. */
	blank_cells: Record<string, number>;
	/** Rejection rules (values elided), most frequent first, each with a few example values. */
	top_reasons: RejectionGroup[];
	warnings: string[];
	/** The satisfaction ratings of the same file, loaded as feedback in the same import. */
	feedback?: BatchSummaryView;
	/** A messages import (kind "messages"): its format, threads, roles and the first-response check. */
	messages?: MessagesOutcome;
}
