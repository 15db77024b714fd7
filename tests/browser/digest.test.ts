import { readFileSync } from 'node:fs';
import { describe, expect, inject, test } from 'vitest';
import { parseIsoWeek, shiftWeek } from '../../src/lib/digest/model';
import { screenshot, useBrowser, watchErrors } from './chromium';
import { loginAs } from './session';

const baseUrl = inject('baseUrl');
const browser = useBrowser();

describe('weekly digest', () => {
	test('a lead opens the digest, moves to the previous week and downloads its Markdown', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'lead');
		await page.getByRole('link', { name: 'Weekly', exact: true }).first().click();
		await page.waitForURL(/\/reports\/weekly/);
		const digest = page.getByTestId('weekly-digest');
		const week = (await digest.getAttribute('data-week')) ?? '';
		const current = parseIsoWeek(week);
		expect(current, week).not.toBeNull();
		if (!current) return;
		expect(await page.locator('h1').innerText()).toBe(`Weekly digest ${week}`);
		// The default week is the last complete one: the picker offers no later week.
		expect(await page.getByTestId('next-week').count()).toBe(0);
		const speed = page.getByTestId('digest-speed');
		expect(await speed.locator('tbody tr').count()).toBe(4);
		expect(await speed.locator('thead').innerText()).toContain(shiftWeek(current, -1).id);
		expect(await page.getByTestId('digest-compliance').locator('tbody tr').count()).toBeGreaterThanOrEqual(4);
		await screenshot(page, 'digest-1280');

		const previous = shiftWeek(current, -1).id;
		await page.getByTestId('previous-week').click();
		await page.waitForURL((url) => url.searchParams.get('week') === previous);
		await expect.poll(() => digest.getAttribute('data-week')).toBe(previous);
		expect(await page.getByTestId('next-week').innerText()).toContain(week);

		const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-md').click()]);
		expect(download.suggestedFilename()).toBe(`caselens-weekly-${previous}.md`);
		const markdown = readFileSync(await download.path(), 'utf8');
		expect(markdown).toContain(`# Weekly digest ${previous}`);
		expect(markdown).toContain(`| measure | ${previous} | ${shiftWeek(current, -2).id} | change |`);
		const html = await page.evaluate(async (href) => (await fetch(href)).text(), (await page.getByTestId('download-html').getAttribute('href')) ?? '');
		expect(html).toMatch(/^<!doctype html>/);
		expect(html).not.toContain('<script');
		expect(errors).toEqual([]);
		await page.close();
	});

	test('readable at 390 px without sideways scrolling; a bad week is a 400', async () => {
		const page = await browser().newPage({ viewport: { width: 390, height: 844 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'viewer');
		await page.goto(`${baseUrl}/reports/weekly`);
		await page.getByTestId('weekly-digest').waitFor();
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		await screenshot(page, 'digest-390');
		const bad = await page.goto(`${baseUrl}/reports/weekly?week=2026-W99`);
		expect(bad?.status()).toBe(400);
		expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
		await page.close();
	});
});
