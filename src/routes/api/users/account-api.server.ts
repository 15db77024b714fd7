import { json } from '@sveltejs/kit';
import { errorResponse } from '$lib/core/http-errors.server';

/** Answers that may carry a password are never kept by a cache on the way. */
const NO_STORE = { 'cache-control': 'no-store' };

export function answer(body: unknown, status = 200): Response {
	return json(body, { status, headers: NO_STORE });
}

/** Runs the change; a refusal (a bad body, a taken name, a short password) is answered as a Problem with no-store. */
export async function accountAnswer(change: () => Promise<Response>): Promise<Response> {
	try {
		return await change();
	} catch (error) {
		return errorResponse(error, NO_STORE);
	}
}
