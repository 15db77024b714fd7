import { json } from '@sveltejs/kit';
import { AccountError } from '$lib/core/auth/users.server';

/** Answers that may carry a password are never kept by a cache on the way. */
const NO_STORE = { 'cache-control': 'no-store' };

/** The API's error shape (as hooks.server.ts refuses): `error` repeats the message for older clients. */
export function refusal(status: number, code: string, message: string, hint: string): Response {
	return json({ code, message, hint, error: message }, { status, headers: NO_STORE });
}

export function answer(body: unknown, status = 200): Response {
	return json(body, { status, headers: NO_STORE });
}

type FieldSpec = Record<string, { required: boolean; max: number }>;
type Fields<S extends FieldSpec> = { [K in keyof S as S[K]['required'] extends true ? K : never]: string } & { [K in keyof S as S[K]['required'] extends true ? never : K]?: string };

/**
 * The JSON object a route takes, checked field by field before any service sees it: only the
 * named fields, each a string of bounded length (null counts as absent for an optional one). The
 * whole body is already bounded by the request guard (src/lib/core/request-guard.server.ts).
 */
export async function readFields<S extends FieldSpec>(request: Request, spec: S): Promise<Fields<S> | Response> {
	const hint = `Send a JSON object with the fields ${Object.keys(spec).join(', ')} and Content-Type: application/json.`;
	if (!(request.headers.get('content-type') ?? '').includes('application/json')) return refusal(415, 'unsupported_media_type', 'The request body must be JSON.', hint);
	let body: unknown;
	try {
		body = JSON.parse(await request.text());
	} catch {
		return refusal(400, 'bad_json', 'The request body is not valid JSON.', hint);
	}
	if (typeof body !== 'object' || body === null || Array.isArray(body)) return refusal(400, 'bad_request', 'The request body must be a JSON object.', hint);
	const unknown = Object.keys(body).filter((key) => !Object.hasOwn(spec, key));
	if (unknown.length) return refusal(400, 'bad_request', `Unknown field${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}.`, hint);
	const fields: Record<string, string> = {};
	for (const [name, { required, max }] of Object.entries(spec)) {
		const value = (body as Record<string, unknown>)[name];
		if (value === undefined || value === null) {
			if (required) return refusal(400, 'bad_request', `The field ${name} is required.`, hint);
			continue;
		}
		if (typeof value !== 'string') return refusal(400, 'bad_request', `The field ${name} must be a string.`, hint);
		if (value.length > max) return refusal(400, 'bad_request', `The field ${name} is longer than ${max} characters.`, hint);
		fields[name] = value;
	}
	return fields as Fields<S>;
}

/** A refusal from the account service (a taken name, a short password) is the client's to fix. */
export async function accountChange(change: () => Promise<Response>): Promise<Response> {
	try {
		return await change();
	} catch (error) {
		if (error instanceof AccountError) return refusal(400, 'account_refused', error.message, 'Nothing was changed.');
		throw error;
	}
}
