import { readFileSync } from 'node:fs';
import { describe, expect, inject, test } from 'vitest';
import { useBrowser, screenshot, watchErrors } from './chromium';
import { account, loginAs, sessionCookie } from './session';

const baseUrl = inject('baseUrl');
const browser = useBrowser();

function isoDaysAgo(days: number): string {
	return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

describe('friction', () => {
	for (const width of [1280, 390]) {
		test(`the friction page, a theme's page with its trend and the report render without console errors at ${width} px`, async () => {
			const page = await browser().newPage({ viewport: { width, height: 900 } });
			const errors = watchErrors(page);
			await loginAs(page, baseUrl, 'lead');
			await page.goto(`${baseUrl}/friction`);
			const rows = page.getByTestId('theme-table').locator('tbody tr');
			expect(await rows.count()).toBeGreaterThan(5);
			expect(Number(await page.getByTestId('kpi-themes').locator('.value').innerText())).toBeGreaterThan(5);
			await expect.poll(() => page.getByTestId('structural-table').locator('tbody tr').count()).toBeGreaterThan(3);
			await screenshot(page, `friction-${width}`);
			// The first theme's page: its trend has one point per period, and their counts add up to the theme's.
			await rows.first().locator('td').nth(1).locator('a').click();
			await page.waitForURL(/\/friction\/themes\//);
			const total = Number((await page.getByTestId('theme-description').innerText()).split(' ')[0].replaceAll(',', ''));
			const chart = page.getByTestId('theme-trend-chart');
			await chart.locator('canvas').waitFor();
			const counts = ((await chart.getAttribute('data-counts')) ?? '').split(',').map(Number);
			expect(counts.length).toBe(Number(await chart.getAttribute('data-points')));
			expect(counts.length).toBeGreaterThan(1);
			expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
			// Drawn: the canvas spans the panel and holds ink.
			const drawn = await chart.locator('canvas').evaluate((c: HTMLCanvasElement) => {
				const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
				let ink = 0;
				for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
				return { width: c.getBoundingClientRect().width, ink };
			});
			expect(drawn.width).toBeGreaterThan(width === 390 ? 250 : 600);
			expect(drawn.ink).toBeGreaterThan(1000);
			expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width + 1);
			await screenshot(page, `friction-theme-${width}`);
			await page.goBack();
			await page.getByRole('link', { name: 'Report', exact: true }).click();
			await page.waitForURL(/\/friction\/report/);
			const report = page.getByTestId('friction-report');
			await report.waitFor();
			expect(await page.getByTestId('report-themes').locator('tbody tr').count()).toBeGreaterThan(5);
			expect(await report.innerText()).toContain('Structural friction');
			await screenshot(page, `friction-report-${width}`);
			expect(errors).toEqual([]);
			await page.close();
		});
	}

	test('a theme opens its comments and their cases', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'lead');
		await page.goto(`${baseUrl}/friction?region=europe`);
		const first = page.getByTestId('theme-table').locator('tbody tr').first();
		const name = (await first.locator('td').nth(1).locator('a').innerText()).trim();
		const count = Number((await first.locator('td').nth(2).innerText()).replaceAll(',', ''));
		await first.locator('td').nth(1).locator('a').click();
		await page.waitForURL(/\/friction\/themes\//);
		// The filters travel with the theme.
		expect(new URL(page.url()).searchParams.get('region')).toBe('europe');
		expect(await page.getByTestId('theme-description').innerText()).toContain(`${count.toLocaleString('en')} comments hold this theme`);
		const docs = page.getByTestId('theme-documents').locator('tbody tr');
		expect(await docs.count()).toBe(Math.min(count, 50));
		// Every listed comment is in the filtered region and mentions the theme's words (any form).
		expect(new Set(await page.getByTestId('theme-documents').locator('tbody tr td:nth-child(4)').allInnerTexts())).toEqual(new Set(['europe']));
		const firstWord = name.split(' ')[0].toLowerCase().slice(0, 4);
		for (const text of await page.getByTestId('theme-documents').locator('tbody tr td:nth-child(6)').allInnerTexts()) expect(text.toLowerCase()).toContain(firstWord);
		const caseLink = page.getByTestId('theme-documents').locator('tbody a[href^="/cases/"]').first();
		const caseId = (await caseLink.innerText()).trim();
		await caseLink.click();
		await page.waitForURL(new RegExp(`/cases/${caseId}$`));
		expect(await page.locator('h1').innerText()).toContain(caseId);
		expect(errors).toEqual([]);
		await page.close();
	});

	test('as a lead, a theme becomes an item that moves through its statuses, with a before/after once fixed (audit records: tests/integration/friction-items.test.ts)', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'lead');
		await page.goto(`${baseUrl}/friction`);
		const row = page.getByTestId('theme-table').locator('tbody tr').nth(1);
		const theme = (await row.locator('td').nth(1).locator('a').innerText()).trim();
		await row.getByRole('button', { name: 'Track' }).click();
		await page.waitForURL(/\/friction\/items\/\d+$/);
		const itemUrl = page.url();
		expect(await page.locator('h1').innerText()).toContain(theme);
		expect(await page.getByTestId('item-status').locator('.value').innerText()).toBe('New');
		// Flagging the same theme again opens the same item.
		await page.goto(`${baseUrl}/friction`);
		await page.getByTestId('theme-table').locator('tbody tr').nth(1).getByRole('button', { name: 'Track' }).click();
		await page.waitForURL(/\/friction\/items\/\d+$/);
		expect(page.url()).toBe(itemUrl);

		for (const [value, label] of [
			['acknowledged', 'Acknowledged'],
			['in_progress', 'In progress'],
			['fixed', 'Fixed'],
			['reported_back', 'Reported back']
		] as const) {
			await page.getByLabel('Status').selectOption(value);
			if (value === 'in_progress') await page.getByLabel(/Note/).fill('Carrier API switched; watch the numbers.');
			if (value === 'fixed') await page.getByLabel('Fix date').fill(isoDaysAgo(40));
			await page.getByRole('button', { name: 'Save' }).click();
			await expect.poll(() => page.getByTestId('item-status').locator('.value').innerText()).toBe(label);
		}
		expect(await page.getByTestId('item-fix-date').locator('.value').innerText()).toBe(isoDaysAgo(40));
		// The before/after table: two shares and a test.
		const before = await page.getByTestId('share-before').innerText();
		const after = await page.getByTestId('share-after').innerText();
		expect(before).toMatch(/%$/);
		expect(after).toMatch(/%$/);
		const history = await page.getByTestId('item-history').innerText();
		for (const move of ['from New to Acknowledged', 'from Acknowledged to In progress', 'from In progress to Fixed', 'from Fixed to Reported back']) expect(history).toContain(move);
		expect(history).toContain('Carrier API switched');
		// A reload shows the same state: it is stored, not just on screen.
		await page.reload();
		expect(await page.getByTestId('item-status').locator('.value').innerText()).toBe('Reported back');
		await screenshot(page, 'friction-item');

		expect(errors).toEqual([]);
		await page.close();
	});

	test('a product manager reads the report, opens a theme with its trend and least satisfied comments, and downloads the Markdown', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'viewer');
		await page.goto(`${baseUrl}/friction/report?range=all`);
		await page.getByTestId('friction-report').waitFor();
		// The report's first theme, as the product manager would pick it.
		const first = page.getByTestId('report-themes').locator('tbody tr').first();
		const name = (await first.locator('td.theme a').innerText()).trim();
		const count = Number((await first.locator('td').nth(2).innerText()).replaceAll(',', ''));
		await first.locator('td.theme a').click();
		await page.waitForURL(/\/friction\/themes\//);
		expect(await page.locator('h1').innerText()).toContain(name);
		expect(await page.getByTestId('theme-description').innerText()).toContain(`${count.toLocaleString('en')} comments hold this theme`);
		// Its trend: one bar per period, adding up to the theme's count.
		const chart = page.getByTestId('theme-trend-chart');
		await chart.locator('canvas').waitFor();
		const counts = ((await chart.getAttribute('data-counts')) ?? '').split(',').map(Number);
		expect(counts.reduce((a, b) => a + b, 0)).toBe(count);
		// The least satisfied comments first: ratings never go down the list, and unrated ones come last.
		const ratings = (await page.getByTestId('theme-worst-examples').getByTestId('example-csat').allInnerTexts()).map((t) => (t === 'no rating' ? 6 : Number(t.replace('CSAT ', ''))));
		expect(ratings.length).toBeGreaterThan(0);
		expect(ratings).toEqual([...ratings].sort((a, b) => a - b));
		expect(ratings[0]).toBeLessThanOrEqual(2);
		expect(await page.getByTestId('theme-worst-examples').innerText()).not.toMatch(/[\w.]+@example\.com/);
		await screenshot(page, 'friction-theme-worst-examples');
		// Back to the report, and the Markdown to paste into the product team's tracker.
		await page.goBack();
		await page.getByTestId('friction-report').waitFor();
		const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Markdown' }).click()]);
		expect(download.suggestedFilename()).toMatch(/\.md$/);
		const markdown = readFileSync(await download.path(), 'utf8');
		expect(markdown).toMatch(/^# Friction report/);
		expect(markdown).toContain(name);
		expect(errors).toEqual([]);
		await page.close();
	});

	test('viewers read the friction pages without tracking controls; downloads and JSON answer', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'viewer');
		await page.goto(`${baseUrl}/friction`);
		await page.getByTestId('theme-table').waitFor();
		expect(await page.getByRole('button', { name: 'Track' }).count()).toBe(0);
		await page.goto(`${baseUrl}/friction/items`);
		const link = page.getByTestId('items-table').locator('tbody a').first();
		await link.click();
		await page.waitForURL(/\/friction\/items\/\d+$/);
		expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
		expect(errors).toEqual([]);
		await page.close();

		const cookie = await sessionCookie(baseUrl, account('viewer').username, account('viewer').password);
		const api = await fetch(`${baseUrl}/api/friction?range=all`, { headers: { cookie } });
		expect(api.status).toBe(200);
		const body = (await api.json()) as { themes: Record<string, unknown>[] };
		for (const key of ['theme', 'count', 'share', 'csat_mean', 'csat_rest', 'trend_ratio', 'p_value', 'q_value', 'rising']) expect(body.themes[0]).toHaveProperty(key);
		const csv = await fetch(`${baseUrl}/friction/report.csv`, { headers: { cookie } });
		expect(csv.headers.get('content-type')).toContain('text/csv');
		const csvText = await csv.text();
		expect(csvText.split('\r\n')[0]).toBe('section,rank,name,count,total,share,csat_mean,csat_rest,score,recent,previous,trend_ratio,p_value,q_value,rising,top_region,top_category,example');
		// Personal data is masked in the report for everyone: no e-mail address or phone number.
		expect(csvText).not.toMatch(/[\w.]+@example\.com/);
		const md = await fetch(`${baseUrl}/friction/report.md`, { headers: { cookie } });
		expect(md.headers.get('content-type')).toContain('text/markdown');
		expect(await md.text()).toMatch(/^# Friction report/);
	});
});
