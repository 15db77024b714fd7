import type { Page } from 'playwright-core';
import type { Role } from '../../src/lib/core/auth/roles';
import { DEMO_ACCOUNTS } from '../../src/lib/demo/demo-accounts.server';

export function account(role: Role) {
	const found = DEMO_ACCOUNTS.find((a) => a.role === role);
	if (!found) throw new Error(`no demo account for ${role}`);
	return found;
}

/** Signs in through the login form, as a person would. */
export async function loginAs(page: Page, baseUrl: string, role: Role): Promise<void> {
	const { username, password } = account(role);
	// Wait for the page's scripts: hydration resets the inputs, and a form typed into before it
	// was sent empty (the browser's "required" check then stopped it, and the test waited 60 s).
	await page.goto(`${baseUrl}/login`, { waitUntil: 'networkidle' });
	const name = page.getByLabel('User name');
	const secret = page.getByLabel('Password');
	for (let tries = 0; tries < 3 && ((await name.inputValue()) !== username || (await secret.inputValue()) !== password); tries++) {
		await name.fill(username);
		await secret.fill(password);
	}
	await page.getByRole('button', { name: 'Sign in' }).click();
	// Either the app opens, or the form says why not (which is then the error to report).
	const error = page.getByTestId('login-error');
	await Promise.race([page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 60_000 }), error.waitFor({ timeout: 60_000 })]);
	if (new URL(page.url()).pathname.startsWith('/login')) throw new Error(`login as ${username} failed: ${await error.innerText()}`);
}

/** A session cookie obtained by posting the login form, for plain HTTP requests. */
export async function sessionCookie(baseUrl: string, username: string, password: string): Promise<string> {
	const response = await fetch(`${baseUrl}/login`, {
		method: 'POST',
		redirect: 'manual',
		headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl },
		body: new URLSearchParams({ username, password, next: '/' })
	});
	const cookie = response.headers.getSetCookie().find((c) => c.startsWith('caselens_session='));
	if (!cookie) throw new Error(`login as ${username} failed with ${response.status}`);
	return cookie.split(';')[0];
}
