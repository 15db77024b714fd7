import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { Page } from 'playwright-core';
import { describe, expect, inject, test } from 'vitest';
import { screenshot, useBrowser, watchErrors } from './chromium';
import { loginAs } from './session';

const baseUrl = inject('baseUrl');
const browser = useBrowser();

// What the list prints in a duration cell: h:mm under 48 h, days beyond, or the age of a case still open.
const DURATION = /^(\d+:[0-5]\d h|\d+\.\d d|≥ (\d+:[0-5]\d h|\d+\.\d d)\nopen|–)$/;

function listedCount(page: Page): Promise<number> {
	return page
		.getByTestId('case-list-description')
		.innerText()
		.then((t) => Number(/^([\d,]+) cases/.exec(t)?.[1].replaceAll(',', '')));
}

async function column(page: Page, n: number): Promise<string[]> {
	return (await page.getByTestId('case-list').locator(`tbody tr td:nth-child(${n})`).allInnerTexts()).map((t) => t.trim());
}

/** "3:07 h" / "4.2 d" / "≥ 4.2 d open" back to hours and whether the case is open, to check the order. */
function slowness(text: string): [number, number] {
	const open = text.startsWith('≥') ? 1 : 0;
	const hm = /(\d+):(\d\d) h/.exec(text);
	const d = /(\d+\.\d) d/.exec(text);
	return [open, hm ? Number(hm[1]) + Number(hm[2]) / 60 : d ? Number(d[1]) * 24 : -1];
}

async function leadPage(width: number) {
	const page = await browser().newPage({ viewport: { width, height: 900 } });
	const errors = watchErrors(page);
	await loginAs(page, baseUrl, 'lead');
	return { page, errors };
}

describe('the case list, as a lead uses it', () => {
	test('filter a region, slowest first response, search a word, export the same list', async () => {
		const { page, errors } = await leadPage(1280);
		await page.goto(`${baseUrl}/cases`, { waitUntil: 'networkidle' });
		expect(await page.getByTestId('case-sort').innerText()).toContain('Sorted by opened, newest first');
		const all = await listedCount(page);

		const region = await page.locator('#f-region option').nth(1).getAttribute('value');
		if (!region) throw new Error('no region to filter on');
		await page.selectOption('#f-region', region);
		await page.waitForURL((url) => url.searchParams.get('region') === region);
		await expect.poll(() => listedCount(page)).toBeLessThan(all);

		const header = page.locator('th[data-sort="first_response"]');
		expect(await header.getAttribute('aria-sort')).toBe('none');
		expect(await header.locator('a').getAttribute('title')).toBe('Sort by first response, slowest first');
		await header.locator('a').click();
		await page.waitForURL((url) => url.searchParams.get('sort') === 'first_response' && url.searchParams.get('dir') === 'desc');
		await expect.poll(() => header.getAttribute('aria-sort')).toBe('descending');
		expect(await page.locator('th[data-sort="created"]').getAttribute('aria-sort')).toBe('none');
		expect(await page.getByTestId('open-note').innerText()).toMatch(/no reply by the archive's last day \(\d{4}-\d\d-\d\d\) come first, oldest first.*slower than any answered case/);
		const slowest = await column(page, 10);
		for (const t of slowest) expect(t).toMatch(DURATION);
		const keys = slowest.map(slowness);
		for (let i = 1; i < keys.length; i++) expect(keys[i - 1][0] > keys[i][0] || (keys[i - 1][0] === keys[i][0] && keys[i - 1][1] >= keys[i][1] - 1 / 60), `${slowest[i - 1]} before ${slowest[i]}`).toBe(true);

		const inRegion = await listedCount(page);
		await page.getByLabel('Search subject and comments').fill('tracking');
		await page.getByRole('button', { name: 'Search', exact: true }).click();
		await page.waitForURL((url) => url.searchParams.get('q') === 'tracking');
		const url = new URL(page.url());
		// The search kept the region and the order.
		expect([url.searchParams.get('region'), url.searchParams.get('sort'), url.searchParams.get('dir')]).toEqual([region, 'first_response', 'desc']);
		await expect.poll(() => listedCount(page)).toBeLessThan(inRegion);
		const found = await listedCount(page);
		expect(found).toBeGreaterThan(0);
		expect(await page.getByTestId('case-list-description').innerText()).toContain('containing “tracking”');
		expect(new Set(await column(page, 4))).toEqual(new Set([region]));
		const subjects = await column(page, 13);
		for (const s of subjects) expect(s.toLowerCase()).toContain('tracking');
		const ids = await column(page, 1);
		await screenshot(page, 'cases-1280');

		const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('case-csv').click()]);
		const text = readFileSync(await download.path(), 'utf8');
		const csv = Papa.parse<Record<string, string>>(text.trim(), { header: true }).data;
		expect(Object.keys(csv[0])).toEqual(expect.arrayContaining(['first_response_hours', 'resolution_hours', 'hours_open_at_snapshot', 'csat']));
		expect(csv.length).toBe(found);
		expect(csv.slice(0, ids.length).map((r) => r.case_id)).toEqual(ids);
		for (const r of csv) {
			expect(r.region).toBe(region);
			for (const h of [r.first_response_hours, r.resolution_hours, r.hours_open_at_snapshot]) expect(h).toMatch(/^(\d+(\.\d{1,2})?)?$/);
		}
		expect(errors).toEqual([]);
		await page.close();
	});

	test('a compliance drill-down keeps its rule when sorted; a bad sort is a 400 that says why', async () => {
		const { page } = await leadPage(1280);
		await page.goto(`${baseUrl}/cases?rule=late_refund`);
		const flagged = await listedCount(page);
		await page.locator('th[data-sort="resolution"] a').click();
		await page.waitForURL(/sort=resolution/);
		expect(new URL(page.url()).searchParams.get('rule')).toBe('late_refund');
		expect(await listedCount(page)).toBe(flagged);
		expect(await page.getByTestId('case-list-description').innerText()).toContain('Refunds paid late');
		const response = await page.goto(`${baseUrl}/cases?sort=slowness`);
		expect(response?.status()).toBe(400);
		expect(await page.locator('body').innerText()).toContain('"sort" must be one of');
		const csv = await page.evaluate(async (u) => (await fetch(u)).status, `${baseUrl}/cases.csv?sort=first_response&dir=sideways`);
		expect(csv).toBe(400);
		await page.close();
	});

	test('on a phone the page does not scroll sideways; the table scrolls in its box', async () => {
		const { page, errors } = await leadPage(390);
		await page.goto(`${baseUrl}/cases?sort=first_response&dir=desc&q=tracking`, { waitUntil: 'networkidle' });
		await page.getByTestId('case-list').waitFor();
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		const wrap = await page.locator('.table-wrap').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
		expect(wrap.scroll).toBeGreaterThan(wrap.client);
		await screenshot(page, 'cases-390');
		expect(errors).toEqual([]);
		await page.close();
	});
});
