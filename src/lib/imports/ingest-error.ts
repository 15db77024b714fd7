/**
 * An import problem the user can fix. `message` names the problem, `hint` says what to do;
 * both are shown verbatim by the upload page and the CLI, so they must read as plain sentences.
 */
export class IngestError extends Error {
	readonly code: IngestErrorCode;
	readonly hint: string;

	constructor(code: IngestErrorCode, message: string, hint: string) {
		super(message);
		this.name = 'IngestError';
		this.code = code;
		this.hint = hint;
	}
}

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
	| 'bad_request'
	| 'database_locked'
	| 'database_unwritable';
