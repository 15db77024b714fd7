import { describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { useBrowser, screenshot, watchErrors } from './chromium';
import { account, loginAs, sessionCookie } from './session';

const baseUrl = inject('baseUrl');
const browser = useBrowser();
/** The browser server's database is shared by every browser test file: names are per run. */
const run = Date.now().toString(36);

/** Signs in through the form as any account; answers the error the form shows, or null. */
async function signIn(page: Page, username: string, password: string): Promise<string | null> {
	await page.goto(`${baseUrl}/login`, { waitUntil: 'networkidle' });
	await page.getByLabel('User name').fill(username);
	await page.getByLabel('Password').fill(password);
	await Promise.all([page.waitForResponse((r) => r.url().includes('/login') && r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in' }).click()]);
	const error = page.getByTestId('login-error');
	await Promise.race([page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 30_000 }), error.waitFor({ timeout: 30_000 })]);
	return new URL(page.url()).pathname.startsWith('/login') ? error.innerText() : null;
}

/** An admin page on /admin/users at a width, with clipboard access for the copy button. */
async function adminPage(b: Browser, width: number): Promise<{ page: Page; errors: string[] }> {
	const context = await b.newContext({ viewport: { width, height: 900 } });
	await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
	const page = await context.newPage();
	const errors = watchErrors(page);
	await loginAs(page, baseUrl, 'admin');
	await page.goto(`${baseUrl}/admin/users`, { waitUntil: 'networkidle' });
	return { page, errors };
}

/** Fills and sends the add form; answers the one-time password the page shows. */
async function addUser(page: Page, username: string, displayName: string, role: string): Promise<string> {
	const [name, display, roles] = [page.getByLabel('User name'), page.getByLabel('Display name'), page.getByLabel('Role', { exact: true })];
	// Hydration may still reset what was typed into a freshly loaded page (as in session.ts).
	for (let tries = 0; tries < 3 && ((await name.inputValue()) !== username || (await display.inputValue()) !== displayName || (await roles.inputValue()) !== role); tries++) {
		await name.fill(username);
		await display.fill(displayName);
		await roles.selectOption(role);
	}
	await page.getByRole('button', { name: 'Add user' }).click();
	const shown = page.getByTestId('new-password');
	await shown.waitFor();
	return shown.innerText();
}

const row = (page: Page, username: string) => page.locator(`tr[data-user="${username}"]`);

/** Submits one of a row's forms and waits until the page says it was done. */
async function rowAction(page: Page, username: string, button: string): Promise<string> {
	const done = page.getByTestId('users-done');
	const before = (await done.count()) ? await done.innerText() : '';
	await row(page, username).getByRole('button', { name: button }).click();
	await expect.poll(async () => ((await done.count()) ? done.innerText() : '')).not.toBe(before);
	return done.innerText();
}

const noHorizontalScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe('Admin → Users', () => {
	test('an admin adds a user, sees its password once, changes its role, deactivates, reactivates and resets it', async () => {
		const b = browser();
		const { page, errors } = await adminPage(b, 1280);
		const username = `added-${run}`;

		// A bad user name is refused next to the field, and the form keeps what was typed.
		for (let tries = 0; tries < 3 && (await page.getByLabel('User name').inputValue()) !== 'Not A Name!'; tries++) await page.getByLabel('User name').fill('Not A Name!');
		await page.getByRole('button', { name: 'Add user' }).click();
		await expect.poll(() => page.getByTestId('add-error').innerText()).toMatch(/is not a usable user name/);
		expect(await page.getByLabel('User name').getAttribute('aria-invalid')).toBe('true');
		expect(await page.getByLabel('User name').inputValue()).toBe('Not A Name!');

		const password = await addUser(page, username, 'Added In Browser', 'lead');
		expect(password.length).toBeGreaterThanOrEqual(12);
		expect(await page.getByTestId('one-time-password').innerText()).toContain(`Added ${username} (lead).`);
		await page.getByTestId('one-time-password').getByRole('button', { name: 'Copy' }).click();
		await expect.poll(() => page.getByTestId('one-time-password').getByRole('button').innerText()).toBe('Copied');
		expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(password);
		// The form is empty again, with the least powerful role chosen, ready for the next account.
		expect(await page.getByLabel('User name').inputValue()).toBe('');
		expect(await page.getByLabel('Role', { exact: true }).inputValue()).toBe('viewer');
		expect(await row(page, username).innerText()).toContain('Added In Browser');
		expect(await row(page, username).getByRole('combobox').inputValue()).toBe('lead');
		await screenshot(page, 'admin-users-added-1280');

		// Never again: a fresh load of the page does not carry it.
		await page.reload({ waitUntil: 'networkidle' });
		expect(await page.getByTestId('one-time-password').count()).toBe(0);
		expect(await page.content()).not.toContain(password);

		// The new user signs in in a second browser context and reads what a lead reads.
		const other = await b.newContext({ viewport: { width: 1280, height: 900 } });
		const userPage = await other.newPage();
		expect(await signIn(userPage, username, password)).toBeNull();
		expect((await userPage.goto(`${baseUrl}/imports`))?.status()).toBe(200);
		expect(await row(page, username).innerText()).toContain('not recorded');
		await page.reload({ waitUntil: 'networkidle' });
		expect(await row(page, username).locator('td[data-label="Last sign-in"]').innerText()).not.toContain('not recorded');

		// Demoted to viewer: the open session loses the import history at once.
		await row(page, username).getByRole('combobox').selectOption('viewer');
		expect(await rowAction(page, username, 'Change')).toBe(`${username} is now viewer (was lead).`);
		expect(await row(page, username).getByRole('combobox').inputValue()).toBe('viewer');
		expect((await userPage.goto(`${baseUrl}/imports`))?.status()).toBe(403);

		// Deactivated: the open session is signed out and signing in is refused.
		expect(await rowAction(page, username, 'Deactivate')).toMatch(/deactivated: it cannot sign in, and its sessions were ended/);
		expect(await row(page, username).locator('.badge').first().innerText()).toBe('deactivated');
		await screenshot(page, 'admin-users-deactivated-1280');
		await userPage.goto(baseUrl);
		expect(new URL(userPage.url()).pathname).toBe('/login');
		expect(await signIn(userPage, username, password)).toMatch(/wrong/);

		// Reactivated, it signs in again; a reset ends that session and only the new password works.
		expect(await rowAction(page, username, 'Reactivate')).toBe(`${username} is active again and can sign in.`);
		expect(await signIn(userPage, username, password)).toBeNull();
		await row(page, username).getByRole('button', { name: 'Reset password' }).click();
		const shown = page.getByTestId('new-password');
		await expect.poll(() => page.getByTestId('one-time-password').innerText()).toContain(`New password for ${username}`);
		const second = await shown.innerText();
		expect(second).not.toBe(password);
		await userPage.goto(baseUrl);
		expect(new URL(userPage.url()).pathname).toBe('/login');
		expect(await signIn(userPage, username, password)).toMatch(/wrong/);
		expect(await signIn(userPage, username, second)).toBeNull();
		await other.close();

		// Every change is in the audit trail, naming the admin who made it.
		await page.goto(`${baseUrl}/admin/audit-log?q=${username}`, { waitUntil: 'networkidle' });
		const records = await page.getByTestId('audit-rows').locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(2, 5).map((td) => td.textContent?.trim()).join(' ')));
		expect(records.reverse()).toEqual([
			`admin user.add ${username}`,
			`admin user.change_role ${username}`,
			`admin user.deactivate ${username}`,
			`admin user.reactivate ${username}`,
			`admin user.reset_password ${username}`
		]);
		expect(errors).toEqual([]);
		await page.context().close();
	});

	test('at 390 px the page and the one-time password fit the screen', async () => {
		const { page, errors } = await adminPage(browser(), 390);
		expect(await noHorizontalScroll(page)).toBeLessThanOrEqual(390);
		const password = await addUser(page, `narrow-${run}`, 'Narrow Screen', 'reviewer');
		expect(await page.getByTestId('one-time-password').isVisible()).toBe(true);
		expect(await page.getByTestId('one-time-password').innerText()).toContain(password);
		expect(await noHorizontalScroll(page)).toBeLessThanOrEqual(390);
		// Every row's controls stay on screen (cards, not a table pushed sideways).
		const right = await row(page, `narrow-${run}`).getByRole('button', { name: 'Reset password' }).evaluate((el) => el.getBoundingClientRect().right);
		expect(right).toBeLessThanOrEqual(390);
		await screenshot(page, 'admin-users-390');
		expect(errors).toEqual([]);
		await page.context().close();
	});

	test('a viewer is refused the page (403) and its actions; the JSON API changes role and status', async () => {
		const page = await browser().newPage();
		await loginAs(page, baseUrl, 'viewer');
		expect((await page.goto(`${baseUrl}/admin/users`))?.status()).toBe(403);
		await page.close();

		const viewer = await sessionCookie(baseUrl, account('viewer').username, account('viewer').password);
		const admin = await sessionCookie(baseUrl, account('admin').username, account('admin').password);
		const form = (cookie: string, action: string, body: Record<string, string>) =>
			fetch(`${baseUrl}/admin/users?/${action}`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: baseUrl, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
		expect((await form(viewer, 'add', { username: `sneaky-${run}`, role: 'admin' })).status).toBe(403);
		// Another origin is refused before the action runs, even for an admin.
		const crossSite = await fetch(`${baseUrl}/admin/users?/add`, { method: 'POST', redirect: 'manual', headers: { cookie: admin, origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: `csrf-${run}`, role: 'admin' }) });
		expect(crossSite.status).toBe(403);

		const username = `api-${run}`;
		const added = await fetch(`${baseUrl}/api/users`, { method: 'POST', headers: { cookie: admin, origin: baseUrl, 'content-type': 'application/json' }, body: JSON.stringify({ username, role: 'lead' }) });
		expect(added.status).toBe(201);
		const patch = (cookie: string, body: unknown, name = username) =>
			fetch(`${baseUrl}/api/users/${name}`, { method: 'PATCH', headers: { cookie, origin: baseUrl, 'content-type': 'application/json' }, body: JSON.stringify(body) });
		expect(await (await patch(admin, { role: 'reviewer' })).json()).toEqual({ username, role: 'reviewer', changed: true });
		expect(await (await patch(admin, { status: 'deactivated' })).json()).toEqual({ username, status: 'deactivated', changed: true });
		const listed = (await (await fetch(`${baseUrl}/api/users`, { headers: { cookie: admin } })).json()) as { username: string; role: string; disabled: boolean }[];
		expect(listed.find((u) => u.username === username)).toMatchObject({ role: 'reviewer', disabled: true });

		const bad = await patch(admin, { status: 'paused' });
		expect(bad.status).toBe(400);
		expect(await bad.json()).toEqual({ code: 'bad_request', message: expect.stringMatching(/field status/), hint: expect.any(String) });
		const unknown = await patch(admin, { role: 'viewer' }, `nobody-${run}`);
		expect(unknown.status).toBe(400);
		expect(await unknown.json()).toMatchObject({ code: 'account_refused', message: `There is no user called "nobody-${run}".` });
		expect((await patch(viewer, { role: 'admin' })).status).toBe(403);
	});
});
