/**
 * The one shape every refusal takes, on a page, in an API answer and on the command line:
 * `code` for programs, `message` naming the problem, `hint` saying what to do. Browser-safe, so
 * pages read the same type the server sends.
 */
export interface Problem {
	code: string;
	message: string;
	hint: string;
}

export type ProblemStatus = 400 | 403 | 404 | 409 | 413 | 415 | 422 | 423 | 429 | 503;

/**
 * A problem the user can fix (or has to wait out), with the HTTP status a route answers with.
 * Feature errors (imports, audits, accounts, friction items, the policy) extend it, so one
 * function turns any of them into an answer (src/lib/core/http-errors.server.ts).
 */
export class AppError extends Error {
	constructor(
		readonly code: string,
		message: string,
		readonly hint: string = '',
		readonly status: ProblemStatus = 400
	) {
		super(message);
		this.name = 'AppError';
	}

	get problem(): Problem {
		return { code: this.code, message: this.message, hint: this.hint };
	}
}

/** True for an AppError of the given code, whichever feature threw it. */
export function hasCode(error: unknown, code: string): error is AppError {
	return error instanceof AppError && error.code === code;
}

/** A Problem read back from JSON (an API answer, a streamed line), or null when it is not one. */
export function asProblem(value: unknown): Problem | null {
	if (typeof value !== 'object' || value === null) return null;
	const { code, message, hint } = value as Record<string, unknown>;
	if (typeof code !== 'string' || typeof message !== 'string') return null;
	return { code, message, hint: typeof hint === 'string' ? hint : '' };
}
