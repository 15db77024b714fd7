/** A refusal the user can act on; `status` is the HTTP status a route answers with. */
export class AuditError extends Error {
	constructor(
		readonly status: 400 | 403 | 404 | 409,
		message: string
	) {
		super(message);
		this.name = 'AuditError';
	}
}
