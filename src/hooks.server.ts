import { error, json, redirect, type Handle, type ServerInit } from '@sveltejs/kit';
import { decide } from '$lib/core/auth/guard.server';
import { SESSION_COOKIE, sessionUser } from '$lib/core/auth/sessions.server';
import { getDatabase } from '$lib/core/db/database.server';
import { serverEntry, startServer } from '$lib/core/startup.server';

export const init: ServerInit = async () => {
	await startServer();
};

const SECURITY_HEADERS: Record<string, string> = {
	'x-content-type-options': 'nosniff',
	'x-frame-options': 'DENY',
	'referrer-policy': 'same-origin',
	'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
	'cross-origin-opener-policy': 'same-origin'
};

export const handle: Handle = async ({ event, resolve }) => {
	const { db } = await getDatabase();
	const token = serverEntry()?.token;
	if (token && event.request.headers.get('authorization') === `Bearer ${token}`) {
		// The local CLI, which proved it can read the database folder (server-registry.ts).
		event.locals.user = { userId: 0, username: 'cli', displayName: 'Command line', role: 'admin' };
	} else {
		event.locals.user = await sessionUser(db, event.cookies.get(SESSION_COOKIE));
	}

	const verdict = decide(event);
	if (!verdict.allow) {
		const wantsJson = event.route.id?.startsWith('/api/') || event.url.pathname.endsWith('.csv') || (event.request.headers.get('accept') ?? '').includes('application/json');
		if (verdict.status === 401 && !wantsJson && event.request.method === 'GET' && !event.isDataRequest) {
			redirect(303, `/login?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
		}
		if (wantsJson && !event.isDataRequest) return json({ error: verdict.reason, code: verdict.status === 401 ? 'unauthenticated' : 'forbidden' }, { status: verdict.status });
		error(verdict.status, { message: verdict.reason });
	}

	const response = await resolve(event);
	for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
	return response;
};
