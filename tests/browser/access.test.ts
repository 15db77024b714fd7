import { describe, expect, inject, test } from 'vitest';
import { ROLES, type Role } from '../../src/lib/core/auth/roles';
import { ACCESS_RULES, allows } from '../../src/lib/core/auth/access-rules';
import { listRoutes, sampleUrl } from './route-inventory';
import { account, sessionCookie } from './session';

const baseUrl = inject('baseUrl');
const routes = listRoutes();

async function request(path: string, method: 'GET' | 'POST', cookie?: string): Promise<Response> {
	return fetch(baseUrl + path, {
		method,
		redirect: 'manual',
		headers: {
			// As a browser's own form post, not SvelteKit's enhanced fetch (which gets JSON).
			accept: 'text/html',
			origin: baseUrl,
			...(cookie ? { cookie } : {}),
			...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {})
		},
		body: method === 'POST' ? '' : undefined
	});
}

describe('route inventory', () => {
	test('every route has an access rule, and every rule a route', () => {
		const ids = routes.map((r) => r.id);
		expect(ids.filter((id) => !(id in ACCESS_RULES))).toEqual([]);
		expect(Object.keys(ACCESS_RULES).filter((id) => !ids.includes(id))).toEqual([]);
		for (const route of routes.filter((r) => r.writes)) expect(ACCESS_RULES[route.id].write, `${route.id} accepts writes but its rule has none`).toBeDefined();
		expect(routes.length).toBeGreaterThanOrEqual(20);
	});

	test('anonymous requests are sent to the login page (pages) or answered 401 (data)', async () => {
		for (const route of routes) {
			const rule = ACCESS_RULES[route.id];
			const url = sampleUrl(route.id);
			if (route.reads) {
				const response = await request(url, 'GET');
				if (rule.read === 'public') {
					expect(response.status, `GET ${url}`).toBe(200);
				} else if (route.id.startsWith('/api/') || route.id.endsWith('.csv')) {
					expect(response.status, `GET ${url}`).toBe(401);
				} else {
					expect(response.status, `GET ${url}`).toBe(303);
					expect(response.headers.get('location'), `GET ${url}`).toMatch(/^\/login\?next=/);
				}
			}
			if (route.writes && rule.write !== 'public') {
				const response = await request(url, 'POST');
				expect(response.status, `POST ${url}`).toBe(401);
			}
		}
	});

	for (const role of ROLES) {
		test(`${role}: 403 exactly where the role has no right, and in otherwise`, async () => {
			const { username, password } = account(role as Role);
			const cookie = await sessionCookie(baseUrl, username, password);
			for (const route of routes) {
				const rule = ACCESS_RULES[route.id];
				const url = sampleUrl(route.id);
				if (route.reads && rule.read !== 'public') {
					const response = await request(url, 'GET', cookie);
					if (allows(rule.read, role)) expect([200, 303], `${role} GET ${url}`).toContain(response.status);
					else expect(response.status, `${role} GET ${url}`).toBe(403);
				}
				// Signing out ends the session this loop uses; its rule is checked on its own below.
				if (route.writes && rule.write !== 'public' && route.id !== '/logout') {
					const response = await request(url, 'POST', cookie);
					if (allows(rule.write, role)) expect([401, 403], `${role} POST ${url}`).not.toContain(response.status);
					else expect(response.status, `${role} POST ${url}`).toBe(403);
				}
			}
		});
	}

	test('signing out ends the session', async () => {
		const { username, password } = account('viewer');
		const cookie = await sessionCookie(baseUrl, username, password);
		expect((await request('/', 'GET', cookie)).status).toBe(200);
		const out = await request('/logout', 'POST', cookie);
		expect(out.status).toBe(303);
		expect(out.headers.get('location')).toBe('/login');
		expect((await request('/', 'GET', cookie)).status).toBe(303);
	});

	test('the session cookie is HttpOnly and SameSite=Lax', async () => {
		const response = await fetch(`${baseUrl}/login`, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl },
			body: new URLSearchParams({ username: account('lead').username, password: account('lead').password })
		});
		const cookie = response.headers.getSetCookie().find((c) => c.startsWith('caselens_session=')) ?? '';
		expect(cookie).toMatch(/HttpOnly/i);
		expect(cookie).toMatch(/SameSite=Lax/i);
		expect(cookie).toMatch(/Expires=/i);
	});

	test('a form post from another origin is refused (CSRF check on)', async () => {
		const response = await fetch(`${baseUrl}/login`, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
			body: new URLSearchParams({ username: 'admin', password: 'x' })
		});
		expect(response.status).toBe(403);
	});

	test('pages carry a script-limiting Content-Security-Policy and security headers', async () => {
		const response = await request('/login', 'GET');
		const csp = response.headers.get('content-security-policy') ?? '';
		expect(csp).toMatch(/script-src 'self'/);
		expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
		expect(csp).toMatch(/frame-ancestors 'none'/);
		expect(response.headers.get('x-content-type-options')).toBe('nosniff');
		expect(response.headers.get('x-frame-options')).toBe('DENY');
	});
});
