import { AppError } from '../core/errors';

/** A refusal the user can act on; `status` is the HTTP status a route answers with. */
export class AuditError extends AppError {
	constructor(status: 400 | 403 | 404 | 409, message: string, hint = '') {
		super(status === 404 ? 'not_found' : status === 409 ? 'conflict' : status === 403 ? 'forbidden' : 'refused', message, hint, status);
		this.name = 'AuditError';
	}
}
