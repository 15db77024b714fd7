import { AppError, type ProblemStatus } from '../core/errors';

/**
 * An import problem the user can fix. `message` names the problem, `hint` says what to do;
 * both are shown verbatim by the upload page and the CLI, so they must read as plain sentences.
 */
export class IngestError extends AppError {
	declare readonly code: IngestErrorCode;

	constructor(code: IngestErrorCode, message: string, hint: string) {
		super(code, message, hint, STATUS[code] ?? 400);
		this.name = 'IngestError';
	}
}

// Too large is the client's to shrink: its own status, so a proxy or client can tell it apart.
const STATUS: Partial<Record<IngestErrorCode, ProblemStatus>> = { file_too_large: 413 };

export type IngestErrorCode =
	| 'empty_file'
	| 'header_only'
	| 'binary_file'
	| 'invalid_encoding'
	| 'line_too_long'
	| 'too_many_columns'
	| 'ambiguous_dates'
	| 'file_too_large'
	| 'unreadable_file'
	| 'unknown_format'
	| 'malformed_file'
	| 'missing_column'
	| 'wrong_kind'
	| 'bad_mapping'
	| 'bad_request';
