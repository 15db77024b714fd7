import { fail, json, type ActionFailure } from '@sveltejs/kit';
import { AppError, type Problem } from './errors';

const INTERNAL: Problem = { code: 'internal', message: 'The server could not complete the request.', hint: 'Nothing was changed. The server log has the details.' };

/** Any thrown value as the status and Problem a route answers with; an unexpected one is logged, never shown. */
export function problemOf(error: unknown): { status: number; problem: Problem } {
	if (error instanceof AppError) return { status: error.status, problem: error.problem };
	console.error(error);
	return { status: 500, problem: INTERNAL };
}

/** An API error body: what went wrong and what to do, never a stack trace. */
export function errorResponse(error: unknown, headers?: Record<string, string>): Response {
	const { status, problem } = problemOf(error);
	return json(problem, { status, headers });
}

/** A refused form action: the page shows `form.problem` (src/lib/core/ui/ProblemNote.svelte); `extra` keeps what the user typed. */
export function failWith<T extends Record<string, unknown> = Record<never, never>>(error: unknown, extra?: T): ActionFailure<{ problem: Problem } & T> {
	const { status, problem } = problemOf(error);
	return fail(status, { problem, ...(extra ?? ({} as T)) });
}
