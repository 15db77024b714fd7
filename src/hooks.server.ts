import { error, json, redirect, type Handle, type RequestEvent, type ServerInit } from '@sveltejs/kit';
import { guardRequest, type Refusal } from '$lib/core/request-guard.server';
import type { Problem } from '$lib/core/errors';
import { decide } from '$lib/core/auth/guard.server';
import { SESSION_COOKIE, sessionUser } from '$lib/core/auth/sessions.server';
import { getDatabase } from '$lib/core/db/database.server';
import { serverEntry, startServer } from '$lib/core/startup.server';
import { warmUp } from '$lib/core/warm-up.server';

export const init: ServerInit = async () => {
	await startServer();
	warmUp();
};

const SECURITY_HEADERS: Record<string, string> = {
	'x-content-type-options': 'nosniff',
	'x-frame-options': 'DENY',
	'referrer-policy': 'same-origin',
	'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
	'cross-origin-opener-policy': 'same-origin'
};

function refuse(refusal: Refusal, event: RequestEvent): Response {
	const wantsHtml = (event.request.headers.get('accept') ?? '').includes('text/html') && !event.isDataRequest;
	// A refused body may still be arriving: close the connection rather than reuse it.
	const headers = refusal.status === 413 ? { connection: 'close' } : undefined;
	if (wantsHtml) return new Response(`${refusal.message} ${refusal.hint}`, { status: refusal.status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
	return json({ code: refusal.code, message: refusal.message, hint: refusal.hint } satisfies Problem, { status: refusal.status, headers });
}

export const handle: Handle = async ({ event, resolve }) => {
	const token = serverEntry()?.token;
	const viaCli = Boolean(token) && event.request.headers.get('authorization') === `Bearer ${token}`;
	const guarded = await guardRequest(event.request, event.url, event.route.id, viaCli);
	if (!(guarded instanceof Request)) return refuse(guarded, event);
	event.request = guarded;
	const { db } = await getDatabase();
	if (viaCli) {
		// The local CLI, which proved it can read the database folder (server-registry.ts): the same
		// trust as running the command with the server stopped, so every record names it as the local
		// command does, cli:<system user> (src/cli/server-handoff.ts sends the name).
		const systemUser = (event.request.headers.get('x-caselens-actor') ?? '').replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 64);
		event.locals.user = { userId: 0, username: `cli:${systemUser || 'unknown'}`, displayName: 'Command line', role: 'admin' };
	} else {
		event.locals.user = await sessionUser(db, event.cookies.get(SESSION_COOKIE));
	}

	const verdict = decide(event);
	if (!verdict.allow) {
		const wantsJson = event.route.id?.startsWith('/api/') || event.url.pathname.endsWith('.csv') || (event.request.headers.get('accept') ?? '').includes('application/json');
		if (verdict.status === 401 && !wantsJson && event.request.method === 'GET' && !event.isDataRequest) {
			redirect(303, `/login?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
		}
		if (wantsJson && !event.isDataRequest) {
			const hint = verdict.status === 401 ? 'Sign in first (the API takes the session cookie of a signed-in browser).' : 'Ask an administrator for a role that may do this (Admin → Users).';
			return json({ code: verdict.status === 401 ? 'unauthenticated' : 'forbidden', message: verdict.reason, hint } satisfies Problem, { status: verdict.status });
		}
		// A signed-in reader refused a page gets the refusal inside the app with a way back
		// (src/routes/denied), not SvelteKit's bare fallback page.
		if (verdict.status === 403 && !wantsJson && event.request.method === 'GET' && !event.isDataRequest && event.locals.user) {
			const shown = await event.fetch(`/denied?path=${encodeURIComponent(event.url.pathname)}`, { headers: { accept: 'text/html' } });
			return new Response(shown.body, { status: 403, headers: shown.headers });
		}
		error(verdict.status, { message: verdict.reason });
	}

	const response = await resolve(event);
	for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
	return response;
};
