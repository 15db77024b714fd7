import type { RequestEvent } from '@sveltejs/kit';
import { ACCESS_RULES, allows, isWrite } from './access-rules';

export type Verdict = { allow: true } | { allow: false; status: 401 | 403 | 404; reason: string };

/** The access decision for one request, from the route's rule and the signed-in user's role. */
export function decide(event: Pick<RequestEvent, 'route' | 'request' | 'locals'>): Verdict {
	const routeId = event.route.id;
	// No route matched: SvelteKit answers 404 itself; there is nothing to protect.
	if (routeId === null) return { allow: true };
	const rule = ACCESS_RULES[routeId];
	if (!rule) return { allow: false, status: 403, reason: `No access rule is defined for ${routeId}; it is closed until one is.` };
	const access = isWrite(event.request.method) ? rule.write : rule.read;
	if (access === undefined) return { allow: false, status: 403, reason: 'This address does not accept changes.' };
	const role = event.locals.user?.role;
	if (allows(access, role)) return { allow: true };
	if (!event.locals.user) return { allow: false, status: 401, reason: 'Sign in first.' };
	return { allow: false, status: 403, reason: `Your role (${role}) does not give access to this page.` };
}

/** Pages the user's role can open, for the navigation (hiding is a courtesy; the guard decides). */
export function readableRoutes(role: string | undefined, routes: string[]): string[] {
	return routes.filter((r) => allows(ACCESS_RULES[r]?.read, role as never));
}
