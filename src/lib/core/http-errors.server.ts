import { json } from '@sveltejs/kit';
import { IngestError, type IngestErrorCode } from '../imports/ingest-error';

const STATUS: Partial<Record<IngestErrorCode, number>> = {
	file_too_large: 413,
	database_locked: 503,
	database_unwritable: 503
};

/** An API error body: what went wrong and what to do, never a stack trace. */
export function errorResponse(error: unknown): Response {
	if (error instanceof IngestError) {
		return json({ error: error.message, hint: error.hint, code: error.code }, { status: STATUS[error.code] ?? 400 });
	}
	console.error(error);
	return json({ error: 'The server could not complete the import.', hint: 'Nothing was changed. The server log has the details.', code: 'internal' }, { status: 500 });
}
