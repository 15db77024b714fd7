import { describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { useBrowser, screenshot, watchErrors } from './chromium';
import { loginAs } from './session';

const baseUrl = inject('baseUrl');
const browser = useBrowser();

async function chartDataUrls(page: Page): Promise<string[]> {
	return page.locator('canvas').evaluateAll((canvases) => canvases.map((c) => (c as HTMLCanvasElement).toDataURL()));
}

describe('speed and compliance pages', () => {
	for (const width of [1280, 390]) {
		test(`speed, compliance and satisfaction render without console errors at ${width} px`, async () => {
			const page = await browser().newPage({ viewport: { width, height: 900 } });
			const errors = watchErrors(page);
			await loginAs(page, baseUrl, 'lead');
			for (const name of ['speed', 'compliance', 'satisfaction']) {
				await page.goto(`${baseUrl}/${name}`);
				await page.locator('canvas').first().waitFor();
				await screenshot(page, `${name}-${width}`);
			}
			expect(errors).toEqual([]);
			await page.close();
		});
	}

	test('a filter updates the numbers, the charts and the URL; reloading restores the view', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'lead');
		await page.goto(`${baseUrl}/speed`);
		const before = await page.getByTestId('kpi-first_response').innerText();
		const chartsBefore = await chartDataUrls(page);
		await page.getByLabel('channel').selectOption('chat');
		await page.waitForURL(/channel=chat/);
		await expect.poll(() => page.getByTestId('kpi-first_response').innerText()).not.toBe(before);
		const filtered = await page.getByTestId('kpi-first_response').innerText();
		await expect.poll(async () => (await chartDataUrls(page)).join()).not.toBe(chartsBefore.join());
		await page.getByLabel('Break down by').selectOption('team');
		await page.waitForURL(/by=team/);
		const url = page.url();
		await page.reload();
		expect(page.url()).toBe(url);
		expect(await page.getByLabel('channel').inputValue()).toBe('chat');
		expect(await page.getByLabel('Break down by').inputValue()).toBe('team');
		expect(await page.getByTestId('kpi-first_response').innerText()).toBe(filtered);
		expect(errors).toEqual([]);
		await page.close();
	});

	test('clicking a bar opens the matching cases', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		await loginAs(page, baseUrl, 'lead');
		await page.goto(`${baseUrl}/speed?by=region`);
		const firstGroup = (await page.getByTestId('speed-table').locator('tbody tr').first().locator('td').first().innerText()).trim();
		const cases = (await page.getByTestId('speed-table').locator('tbody tr').first().locator('td').nth(1).innerText()).replaceAll(',', '');
		// The bars are sorted like the table; the first bar is at the top of the canvas.
		const canvas = page.locator('canvas').first();
		const box = await canvas.boundingBox();
		if (!box) throw new Error('no chart');
		// Click near the left end of the first (top) bar: inside it whatever its length.
		await page.mouse.click(box.x + box.width * 0.2, box.y + 14);
		await page.waitForURL(/\/cases\?/);
		expect(new URL(page.url()).searchParams.get('region')).toBe(firstGroup);
		await expect.poll(() => page.getByTestId('case-list-description').innerText()).toContain(`${Number(cases).toLocaleString('en')} cases`);
		const regions = await page.getByTestId('case-list').locator('tbody tr td:nth-child(4)').allInnerTexts();
		expect(regions.length).toBeGreaterThan(0);
		expect(new Set(regions)).toEqual(new Set([firstGroup]));
		await page.close();
	});

	test('a compliance rule lists exactly its flagged cases', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		await loginAs(page, baseUrl, 'lead');
		await page.goto(`${baseUrl}/compliance`);
		const card = page.getByTestId('rule-late_refund');
		const text = await card.innerText();
		const flagged = Number(/([\d,]+) of [\d,]+ cases/.exec(text)?.[1].replaceAll(',', ''));
		expect(flagged).toBeGreaterThan(0);
		await card.getByRole('link', { name: /List the/ }).click();
		await page.waitForURL(/rule=late_refund/);
		expect(await page.getByTestId('case-list-description').innerText()).toMatch(new RegExp(`^${flagged.toLocaleString('en')} cases: Refunds paid late`));
		await page.close();
	});
});
