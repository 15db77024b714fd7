import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { Page } from 'playwright-core';
import { describe, expect, inject, test } from 'vitest';
import { useBrowser, screenshot, watchErrors } from './chromium';
import { loginAs } from './session';

const baseUrl = inject('baseUrl');
const browser = useBrowser();

/** The first number in the element's text ("1,234 cases: …", "9 within · 3 breached"), commas dropped. */
async function numberIn(page: Page, testid: string, pattern: RegExp): Promise<number> {
	const text = await page.getByTestId(testid).innerText();
	const found = pattern.exec(text)?.[1];
	if (found === undefined) throw new Error(`no ${pattern} in ${testid}: ${text}`);
	return Number(found.replaceAll(',', ''));
}

/** The lead's speed page at `width`, with the console watched. */
async function leadSpeedPage(width: number, query = '') {
	const page = await browser().newPage({ viewport: { width, height: width < 500 ? 844 : 900 } });
	const errors = watchErrors(page);
	await loginAs(page, baseUrl, 'lead');
	await page.goto(`${baseUrl}/speed${query}`);
	return { page, errors };
}

describe('share within target on the speed page', () => {
	test('a lead finds the share within target for their region and team over the last 90 days, sees the basis, opens only the breached cases slowest first and downloads them', async () => {
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
		// The other measure's card streams in after the page (src/routes/speed/+page.server.ts) and ends with its numbers.
		await expect.poll(() => page.getByTestId('kpi-resolution').innerText()).toMatch(/[\d,]+ cases · [\d.]+% unresolved/);
		expect(await page.locator('[aria-busy="true"]').count()).toBe(0);

		// Resolution is measured in calendar hours; its breached cases open as a list with the same filters
		// (what that list holds: tests/browser/cases.test.ts).
		await page.getByTestId('kpi-resolution').click();
		await page.waitForURL(/measure=resolution/);
		await expect.poll(() => page.getByTestId('attainment-basis').innerText()).toContain('The policy measures this target in calendar hours: 72 hours, around the clock.');
		// The share read is within ÷ (within + breached), as the counts beside it say.
		const share = await numberIn(page, 'attainment-share', /^(\d+\.\d)%/);
		const within = await numberIn(page, 'attainment-counts', /^([\d,]+) within/);
		const breached = await numberIn(page, 'attainment-counts', /([\d,]+) breached/);
		const inScope = await numberIn(page, 'kpi-resolution', /([\d,]+) cases/);
		expect(share.toFixed(1)).toBe(((within / (within + breached)) * 100).toFixed(1));
		await screenshot(page, 'speed-attainment-1280');

		const link = page.getByTestId('breached-link');
		await link.waitFor();
		const href = new URL((await link.getAttribute('href')) ?? '', baseUrl);
		expect(href.pathname).toBe('/cases');
		for (const [key, value] of [['range', '90d'], ['region', 'europe'], ['team', 'harbor'], ['breached', 'resolution'], ['sort', 'resolution'], ['dir', 'desc']]) expect(href.searchParams.get(key), key).toBe(value);
		await link.click();
		await page.waitForURL((url) => url.pathname === '/cases' && url.searchParams.get('breached') === 'resolution');
		expect(new URL(page.url()).searchParams.get('team')).toBe('harbor');

		// Only the breached cases: as many as the Speed page counted, named, slowest first.
		await expect.poll(() => numberIn(page, 'case-list-description', /^([\d,]+) cases/)).toBe(breached);
		expect(await page.getByTestId('case-list-description').innerText()).toContain('breached the resolution target');
		expect(await page.getByTestId('breached-chip').innerText()).toMatch(/^Breached resolution target: 72 hours/);
		expect(await page.locator('th[data-sort="resolution"]').getAttribute('aria-sort')).toBe('descending');
		const ids = (await page.getByTestId('case-list').locator('tbody tr td:nth-child(1)').allInnerTexts()).map((t) => t.trim());
		expect(ids.length).toBe(Math.min(breached, 50));
		await screenshot(page, 'speed-breached-cases-1280');

		// The CSV holds the same cases in the same order, each past 72 hours (2 decimals): resolved
		// later, or still open and older at the snapshot, those first.
		const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('case-csv').click()]);
		expect(download.suggestedFilename()).toBe('cases-breached-resolution.csv');
		const csv = Papa.parse<Record<string, string>>(readFileSync(await download.path(), 'utf8').trim(), { header: true }).data;
		expect(csv.length).toBe(breached);
		expect(csv.slice(0, ids.length).map((r) => r.case_id)).toEqual(ids);
		const open = csv.filter((r) => r.resolution_hours === '').length;
		expect(csv.slice(0, open).every((r) => r.resolution_hours === '')).toBe(true);
		const answered = csv.slice(open).map((r) => Number(r.resolution_hours));
		expect(answered).toEqual([...answered].sort((a, b) => b - a));
		for (const r of csv) {
			expect([r.region, r.team]).toEqual(['europe', 'harbor']);
			expect(Number(r.resolution_hours || r.hours_open_at_snapshot), r.case_id).toBeGreaterThanOrEqual(72);
		}

		// Removing the chip keeps the filters and the order: every case the Speed page counted.
		await page.getByTestId('breached-remove').click();
		await page.waitForURL((url) => !url.searchParams.has('breached') && url.searchParams.get('sort') === 'resolution');
		await expect.poll(() => numberIn(page, 'case-list-description', /^([\d,]+) cases/)).toBe(inScope);
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

		// The breach chip of the case list wraps at the same width, with its business-hours target and channels.
		await page.goto(`${baseUrl}/cases?breached=first_response&sort=first_response&dir=desc`, { waitUntil: 'networkidle' });
		expect(await page.getByTestId('breached-chip').innerText()).toMatch(/^Breached first-response target: 24 business hours \(chat 1 business hour, phone 1 business hour\)/);
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		await screenshot(page, 'speed-breached-cases-390');
		expect(errors).toEqual([]);
		await page.close();
	});
});
