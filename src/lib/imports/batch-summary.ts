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
	replaced: number;
	duplicate_of: number | null;
	derived: Record<string, { how: string; derived: number; defaulted: number }>;
	top_reasons: { reason: string; count: number }[];
	warnings: string[];
}
