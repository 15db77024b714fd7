import { describe, expect, inject, test } from 'vitest';
import { useBrowser, screenshot, watchErrors } from './chromium';
import { loginAs } from './session';

const baseUrl = inject('baseUrl');
const browser = useBrowser();

/** The lead's speed page at `width`, with the console watched. */
async function leadSpeedPage(width: number, query = '') {
	const page = await browser().newPage({ viewport: { width, height: width < 500 ? 844 : 900 } });
	const errors = watchErrors(page);
	await loginAs(page, baseUrl, 'lead');
	await page.goto(`${baseUrl}/speed${query}`);
	return { page, errors };
}

describe('share within target on the speed page', () => {
	test('a lead finds the share within target for their region and team over the last 90 days, sees the basis, and opens the breached cases', async () => {
		const { page, errors } = await leadSpeedPage(1280);
		await page.getByLabel('Period').selectOption('90d');
		await page.waitForURL(/range=90d/);
		await page.getByLabel('region', { exact: true }).selectOption('europe');
		await page.waitForURL(/region=europe/);
		await page.getByLabel('team', { exact: true }).selectOption('harbor');
		await page.waitForURL(/team=harbor/);

		// Both cards lead with the share on the policy's basis (config/policy.json: first response in business hours).
		await expect.poll(() => page.getByTestId('attainment-first_response').innerText()).toMatch(/^\d+\.\d% within 24 business hours \(chat 1 business hour, phone 1 business hour\) · \d+\.\d% in calendar hours$/);
		await expect.poll(() => page.getByTestId('attainment-basis').innerText()).toContain('The policy measures this target in business hours');

		// Resolution is measured in calendar hours; its breached cases open as a list with the same filters.
		await page.getByTestId('kpi-resolution').click();
		await page.waitForURL(/measure=resolution/);
		await expect.poll(() => page.getByTestId('attainment-basis').innerText()).toContain('The policy measures this target in calendar hours: 72 hours, around the clock.');
		expect(await page.getByTestId('attainment-share').innerText()).toMatch(/\d+\.\d%/);
		await screenshot(page, 'speed-attainment-1280');

		const link = page.getByTestId('breached-link');
		await link.waitFor();
		const href = new URL((await link.getAttribute('href')) ?? '', baseUrl);
		expect(href.pathname).toBe('/cases');
		for (const [key, value] of [['range', '90d'], ['region', 'europe'], ['team', 'harbor'], ['sort', 'resolution'], ['dir', 'desc']]) expect(href.searchParams.get(key), key).toBe(value);
		await link.click();
		await page.waitForURL(/\/cases\?/);
		expect(new URL(page.url()).searchParams.get('team')).toBe('harbor');
		expect(errors).toEqual([]);
		await page.close();
	});

	test('at 390 px the share, its basis and the drill-down fit the screen', async () => {
		// A phone opens the link a lead was sent, not the filter bar.
		const { page, errors } = await leadSpeedPage(390, '?range=90d&region=europe&team=harbor&measure=resolution');
		await expect.poll(() => page.getByTestId('attainment-basis').innerText()).toContain('calendar hours');
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		await page.getByTestId('breached-link').waitFor();
		await page.getByTestId('attainment-panel').scrollIntoViewIfNeeded();
		await screenshot(page, 'speed-attainment-390');
		expect(errors).toEqual([]);
		await page.close();
	});
});
