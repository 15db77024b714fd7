import { describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { SECTIONS } from '../../src/lib/core/nav';
import { useBrowser, screenshot, watchErrors } from './chromium';
import { loginAs } from './session';
import { sampleUrl } from './route-inventory';

const baseUrl = inject('baseUrl');
const browser = useBrowser();

/** Every page an admin opens without choosing something first (a sample, a review, an item). */
const ADMIN_PAGES = [
	...SECTIONS.map((s) => s.href),
	'/friction/report',
	'/friction/items',
	'/audits/new',
	'/audits/queue',
	'/audits/results',
	'/audits/disputes',
	'/audits/scorecards',
	'/audits/calibration',
	'/admin/audit-log',
	'/admin/users',
	'/admin/policy',
	'/imports/new',
	sampleUrl('/imports/[id]'),
	'/cases',
	sampleUrl('/cases/[id]'),
	'/account'
];

/** Pages whose layout this file's change touched: looked at in screenshots at both widths. */
const RESTYLED = { overview: '/', policy: '/admin/policy', scorecards: '/audits/scorecards', calibration: '/audits/calibration', 'friction-report': '/friction/report' };

interface Overflow {
	width: number;
	/** The outermost elements reaching past the right edge, outside any box that scrolls them. */
	culprits: string[];
}

/** The page's width beyond the window, and what pushes it there; null when it fits. */
function overflow(page: Page): Promise<Overflow | null> {
	return page.evaluate(() => {
		const limit = window.innerWidth;
		const width = document.documentElement.scrollWidth;
		if (width <= limit) return null;
		const scrolled = (el: Element) => {
			for (let p = el.parentElement; p; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return true;
			return false;
		};
		const sticksOut = (el: Element | null) => !!el && el.getBoundingClientRect().right > limit + 0.5;
		const culprits = [...document.querySelectorAll('body *')]
			.filter((el) => sticksOut(el) && !sticksOut(el.parentElement) && !scrolled(el))
			.map((el) => {
				const id = el.getAttribute('data-testid') ?? el.className.toString().split(' ').filter(Boolean).join('.');
				return `${el.tagName.toLowerCase()}${id ? `[${id}]` : ''} to ${Math.round(el.getBoundingClientRect().right)} px: "${(el.textContent ?? '').trim().slice(0, 40)}"`;
			});
		return { width, culprits };
	});
}

async function open(page: Page, path: string): Promise<void> {
	await page.goto(baseUrl + path, { waitUntil: 'networkidle' });
	await page.locator('h1').first().waitFor();
}

describe('small screens', () => {
	test('at 390 px no page an admin can open scrolls sideways', async () => {
		const page = await browser().newPage({ viewport: { width: 390, height: 844 } });
		await loginAs(page, baseUrl, 'admin');
		const wide: Record<string, Overflow> = {};
		for (const path of ADMIN_PAGES) {
			await open(page, path);
			const found = await overflow(page);
			if (found) wide[path] = found;
		}
		// Named per page with what sticks out, so the failure says where to look.
		expect(wide).toEqual({});
		await page.close();
	});

	test('at 390 px the sections sit behind a Menu button that opens them as a list', async () => {
		const page = await browser().newPage({ viewport: { width: 390, height: 844 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'admin');
		await open(page, '/');
		const nav = page.locator('nav[aria-label="Main"]');
		const menu = page.getByRole('button', { name: 'Menu' });
		expect(await nav.isVisible()).toBe(false);
		await menu.click();
		await nav.waitFor();
		// One section under the other, each a full-width row to tap.
		const boxes = await nav.locator('a').evaluateAll((links) => links.map((a) => a.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, width: r.width })));
		expect(boxes.length).toBe(SECTIONS.length + 1);
		expect(new Set(boxes.map((b) => Math.round(b.x))).size).toBe(1);
		expect(boxes.every((b, i) => i === 0 || b.y > boxes[i - 1].y)).toBe(true);
		expect(Math.max(...boxes.map((b) => b.x + b.width))).toBeLessThanOrEqual(390);
		await screenshot(page, 'layout-menu-open-390');
		await nav.getByRole('link', { name: 'Fairness' }).click();
		await page.waitForURL('**/fairness');
		await expect.poll(() => nav.isVisible()).toBe(false);
		expect(await overflow(page)).toBeNull();
		expect(errors).toEqual([]);
		await page.close();
	});

	test('at 1280 px the sections are in the header and there is no Menu button', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		await loginAs(page, baseUrl, 'admin');
		await open(page, '/');
		expect(await page.getByRole('button', { name: 'Menu' }).isVisible()).toBe(false);
		expect(await page.locator('nav[aria-label="Main"] a').count()).toBe(SECTIONS.length + 1);
		expect(await page.locator('nav[aria-label="Main"]').getByRole('link', { name: 'Speed' }).isVisible()).toBe(true);
		await page.close();
	});

	for (const width of [390, 1280]) {
		test(`the restyled pages at ${width} px`, async () => {
			const page = await browser().newPage({ viewport: { width, height: 900 } });
			const errors = watchErrors(page);
			await loginAs(page, baseUrl, 'admin');
			for (const [name, path] of Object.entries(RESTYLED)) {
				await open(page, path);
				expect(await overflow(page), path).toBeNull();
				await screenshot(page, `layout-${name}-${width}`);
			}
			// A calibration session, when an earlier test made one, shows its wide tables.
			await open(page, '/audits/calibration');
			const session = page.locator('a[href^="?id="]').first();
			if (await session.count()) {
				await session.click();
				await page.getByTestId('calibration-agreement').waitFor();
				expect(await overflow(page)).toBeNull();
				await screenshot(page, `layout-calibration-session-${width}`);
			}
			expect(errors).toEqual([]);
			await page.close();
		});
	}
});

describe('error pages', () => {
	/** A viewer's refused page: in the app's frame, saying why, with both ways back working. */
	async function expectRefusal(page: Page, width: number, name: string): Promise<void> {
		const problem = page.getByTestId('error-page');
		await page.waitForLoadState('networkidle');
		// SvelteKit answers an error thrown in handle with its bare fallback page, not +error.svelte:
		// the hook answers a refused page with src/routes/denied instead.
		expect(await problem.count(), 'the refusal is the bare fallback page: src/hooks.server.ts must let the layout render it').toBe(1);
		expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('You do not have access to this page');
		expect(await problem.innerText()).toContain('Your role (viewer) does not give access to /admin/policy.');
		// Inside the layout: the viewer's own header is there.
		expect(await page.getByTestId('current-user').innerText()).toContain('viewer');
		expect(await overflow(page)).toBeNull();
		await screenshot(page, `layout-error-403-${name}-${width}`);
		await problem.getByRole('link', { name: 'Back to the previous page' }).click();
		await page.waitForURL('**/speed');
		await page.getByRole('heading', { name: 'Speed' }).waitFor();
	}

	test('a viewer following a link to an admin page reads why, inside the app, with ways back', async () => {
		for (const width of [390, 1280]) {
			const page = await browser().newPage({ viewport: { width, height: 900 } });
			await loginAs(page, baseUrl, 'viewer');
			await open(page, '/speed');
			// The navigation hides admin links from a viewer; a link pasted into a comment is the same.
			await page.evaluate(() => document.querySelector('main')?.insertAdjacentHTML('afterbegin', '<a id="pasted" href="/admin/policy">policy</a>'));
			await page.locator('#pasted').click();
			await page.waitForURL('**/admin/policy');
			await expectRefusal(page, width, 'link');
			await page.close();
		}
	});

	test('a viewer opening an admin page by its address reads the same page, with status 403', async () => {
		for (const width of [390, 1280]) {
			const page = await browser().newPage({ viewport: { width, height: 900 } });
			await loginAs(page, baseUrl, 'viewer');
			await open(page, '/speed');
			const response = await page.goto(`${baseUrl}/admin/policy`);
			expect(response?.status()).toBe(403);
			await expectRefusal(page, width, 'address');
			await page.goto(`${baseUrl}/admin/policy`);
			await page.getByTestId('error-page').getByRole('link', { name: 'Go to the overview' }).click();
			await page.waitForURL((url) => url.pathname === '/');
			await page.getByRole('heading', { name: 'Overview' }).waitFor();
			await page.close();
		}
	});

	test('an unknown address says there is no such page', async () => {
		for (const width of [390, 1280]) {
			const page = await browser().newPage({ viewport: { width, height: 900 } });
			await loginAs(page, baseUrl, 'admin');
			const response = await page.goto(`${baseUrl}/no-such-page`);
			expect(response?.status()).toBe(404);
			const problem = page.getByTestId('error-page');
			expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('There is no such page');
			expect(await problem.innerText()).toContain('/no-such-page');
			expect(await problem.innerText()).not.toContain('Not Found');
			expect(await overflow(page)).toBeNull();
			await screenshot(page, `layout-error-404-${width}`);
			await problem.getByRole('link', { name: 'Go to the overview' }).click();
			await page.getByRole('heading', { name: 'Overview' }).waitFor();
			await page.close();
		}
	});

	test('a missing record and a bad parameter show their message', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		await loginAs(page, baseUrl, 'admin');
		await page.goto(`${baseUrl}/audits/calibration?id=999999`);
		expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('There is no such page');
		expect(await page.getByTestId('error-message').innerText()).toBe('There is no calibration session 999999.');
		const bad = await page.goto(`${baseUrl}/speed?from=2023-02-30`);
		expect(bad?.status()).toBe(400);
		expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('This address has a value the page cannot use');
		expect(await page.getByTestId('error-message').innerText()).toContain('"from"');
		await screenshot(page, 'layout-error-400-1280');
		await page.close();
	});
});

describe('policy editor', () => {
	test('shows each field in words with its unit and range, and refuses a value out of range by name', async () => {
		for (const width of [390, 1280]) {
			const page = await browser().newPage({ viewport: { width, height: 900 } });
			const errors = watchErrors(page);
			await loginAs(page, baseUrl, 'admin');
			await open(page, '/admin/policy');
			const version = await page.locator('h1').innerText();
			const window = page.getByTestId('policy-field-return_window_days');
			expect(await window.innerText()).toContain('Return window');
			expect(await window.innerText()).toContain('days');
			expect(await window.innerText()).toContain('Allowed: a whole number between 0 and 365 days.');
			const threshold = page.getByLabel('Favourable-outcome gap that matters');
			expect(await threshold.getAttribute('type')).toBe('number');
			expect(await threshold.getAttribute('max')).toBe('100');
			expect(await page.getByTestId('policy-field-fairness.rate_threshold_pp').innerText()).toContain('percentage points');
			await threshold.fill('150');
			await page.getByRole('button', { name: 'Save as a new version' }).click();
			const alert = page.getByRole('alert');
			await alert.waitFor();
			expect(await alert.innerText()).toContain('Favourable-outcome gap that matters (fairness.rate_threshold_pp) must be between 0 and 100 percentage points, got "150".');
			// Refused: no new version.
			expect(await page.locator('h1').innerText()).toBe(version);
			expect(await overflow(page)).toBeNull();
			await screenshot(page, `layout-policy-refused-${width}`);
			// The refused form comes back as a 400 document, which Chromium reports on the console.
			expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
			await page.close();
		}
	});
});
