import { describe, expect, inject, test } from 'vitest';
import { SECTIONS } from '../../src/lib/core/nav';
import { useBrowser, screenshot, watchErrors } from './chromium';
import { loginAs, sessionCookie, account } from './session';

const baseUrl = inject('baseUrl');
const browser = useBrowser();

interface BatchRow {
	kind: string;
	status: string;
	accepted: number;
	replaced: number;
}

describe('overview', () => {
	for (const width of [1280, 390]) {
		test(`renders the demo archive without console errors at ${width} px`, async () => {
			const page = await browser().newPage({ viewport: { width, height: 900 } });
			const errors = watchErrors(page);
			await loginAs(page, baseUrl, 'admin');
			await page.goto(baseUrl);
			await page.getByRole('heading', { name: 'Overview' }).waitFor();
			const cookie = await sessionCookie(baseUrl, account('admin').username, account('admin').password);
			const batches = (await (await fetch(`${baseUrl}/api/imports`, { headers: { cookie } })).json()) as BatchRow[];
			// Each batch adds what it accepted and takes away the earlier versions it replaced.
			const cases = batches.filter((b) => b.kind === 'cases' && b.status === 'committed').reduce((n, b) => n + b.accepted - b.replaced, 0);
			expect(cases).toBeGreaterThan(0);
			await expect.poll(() => page.getByTestId('kpi-cases').innerText()).toContain(cases.toLocaleString('en'));
			// Both charts drew something on their canvases.
			const drawn = await page.locator('canvas').evaluateAll((canvases) => canvases.map((c) => (c as HTMLCanvasElement).width > 0));
			expect(drawn.length).toBe(2);
			expect(drawn.every(Boolean)).toBe(true);
			await screenshot(page, `overview-${width}`);
			expect(errors).toEqual([]);
			await page.close();
		});
	}

	test('a page that takes a while says what is loading, and the bar goes once it is there', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'admin');
		await page.goto(`${baseUrl}/`, { waitUntil: 'networkidle' });
		// The server is made slow for this one request: the page's data arrives after 1.5 s.
		await page.route('**/fairness/__data.json**', async (route) => {
			await new Promise((r) => setTimeout(r, 1_500));
			await route.continue();
		});
		await page.locator('nav[aria-label="Main"] a', { hasText: 'Fairness' }).click();
		const progress = page.getByTestId('navigation-progress');
		await progress.waitFor({ timeout: 1_400 });
		expect(await progress.innerText()).toContain('Loading Fairness');
		expect(await page.locator('main').getAttribute('aria-busy')).toBe('true');
		await screenshot(page, 'navigation-progress-1280');
		await page.waitForURL('**/fairness');
		await progress.waitFor({ state: 'detached' });
		expect(await page.locator('main').getAttribute('aria-busy')).toBe('false');
		expect(errors).toEqual([]);
		await page.close();
	});

	test('every section in the navigation opens and says what it is for', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'admin');
		for (const section of SECTIONS) {
			await page.goto(baseUrl + section.href);
			await expect.poll(() => page.locator('h1').first().innerText()).toContain(section.label);
			await expect.poll(() => page.locator('nav[aria-label="Main"] a[aria-current="page"]').innerText()).toBe(section.label);
		}
		expect(errors).toEqual([]);
		await page.close();
	});
});
