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
		// Click near the left end of the first (top) bar: inside it whatever its length. Chart.js grows
		// the bars in an animation, and hit-tests against their current size: on a loaded machine the
		// first click can land before the bar reaches it, so the click is repeated until it opens.
		for (let tries = 0; ; tries++) {
			await page.mouse.click(box.x + box.width * 0.2, box.y + 14);
			const opened = await page.waitForURL(/\/cases\?/, { timeout: 3000 }).then(() => true, () => false);
			if (opened) break;
			if (tries === 9) throw new Error('clicking the first bar did not open its cases');
		}
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

describe('import filter, period anchor and not-testable states', () => {
	/** The import menu's options as [value, label]. */
	async function importOptions(page: Page): Promise<[string, string][]> {
		return page.locator('#f-batch option').evaluateAll((options) => options.map((o) => [(o as HTMLOptionElement).value, (o as HTMLOptionElement).textContent?.trim() ?? ''] as [string, string]));
	}

	test('a feedback import on the case pages: every test says "Not testable" with its reason, never 0 of 0 or a green badge', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'lead');
		await page.goto(`${baseUrl}/compliance`);
		const options = await importOptions(page);
		// Leads may read the import history: the menu names the file, its rows and its date.
		const answers = options.find(([, label]) => label.includes('demo-feedback.csv'));
		if (!answers) throw new Error(`no demo feedback import in ${JSON.stringify(options)}`);
		expect(answers[1]).toMatch(/^#\d+ · demo-feedback\.csv · [\d,]+ answers · \d{4}-\d{2}-\d{2}$/);

		await page.locator('#f-batch').selectOption(answers[0]);
		await page.waitForURL(new RegExp(`batch=${answers[0]}`));
		await expect.poll(() => page.getByTestId('filter-scope').innerText()).toContain(`import #${answers[0]}`);
		const cards = page.locator('[data-testid^="rule-"]:not([data-testid$="not-testable"])');
		await expect.poll(() => cards.count()).toBe(5);
		for (const text of await cards.allInnerTexts()) {
			expect(text).toContain('Not testable');
			expect(text).toContain('No case matches these filters.');
			expect(text).toContain('To fix: choose another import, or "all imports", in the Import filter');
			expect(text).not.toMatch(/\b0 of 0\b/);
		}
		expect(await page.locator('.rule .badge.good').count()).toBe(0);
		await expect.poll(() => page.getByTestId('refund-not-testable').innerText()).toContain('Not testable');
		await screenshot(page, 'compliance-not-testable');

		await page.goto(`${baseUrl}/fairness?batch=${answers[0]}`);
		await expect.poll(() => page.getByTestId('fairness-not-testable').innerText()).toContain('No case matches these filters.');
		expect(await page.getByTestId('no-flags').count()).toBe(0);
		await screenshot(page, 'fairness-not-testable');

		await page.goto(`${baseUrl}/consistency?batch=${answers[0]}`);
		await expect.poll(() => page.getByTestId('consistency-not-testable').innerText()).toContain('Not testable');
		expect(await page.getByTestId('no-flags').count()).toBe(0);
		expect(await page.getByTestId('kpi-index').innerText()).toContain('Not testable');
		await screenshot(page, 'consistency-not-testable');

		await page.goto(`${baseUrl}/speed?batch=${answers[0]}`);
		await expect.poll(() => page.getByTestId('kpi-first_response').innerText()).toContain('Not testable');
		await screenshot(page, 'speed-not-testable');

		// The same import on Satisfaction: its own answers, so CSAT is computed.
		await page.goto(`${baseUrl}/satisfaction?batch=${answers[0]}`);
		await expect.poll(() => page.getByTestId('kpi-csat').innerText()).toMatch(/\d+\.\d%/);
		expect(await page.getByTestId('csat-not-testable').count()).toBe(0);
		expect(errors).toEqual([]);
		await page.close();
	});

	test('viewers choose imports by number only; a bad import number is a 400', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		await loginAs(page, baseUrl, 'viewer');
		await page.goto(`${baseUrl}/speed`);
		const labels = (await importOptions(page)).map(([, label]) => label).slice(1);
		expect(labels.length).toBeGreaterThan(0);
		for (const label of labels) expect(label).toMatch(/^import #\d+ \((cases|feedback)\)$/);
		expect(await page.content()).not.toContain('demo-cases.csv');
		const response = await page.goto(`${baseUrl}/speed?batch=abc`);
		expect(response?.status()).toBe(400);
		await page.close();
	});

	test('the period says what it counts back from, and can count back from today', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'lead');
		await page.goto(`${baseUrl}/speed`);
		await page.getByLabel('Period').selectOption('90d');
		await page.waitForURL(/range=90d/);
		await expect.poll(() => page.getByTestId('filter-scope').innerText()).toMatch(/Last 90 days of the archive, to \d{4}-\d{2}-\d{2} \(from \d{4}-\d{2}-\d{2}\)/);
		expect(await page.getByLabel('Period').locator('option:checked').innerText()).toBe('Last 90 days of the archive');
		await page.getByLabel('Count back from').selectOption('today');
		await page.waitForURL(/anchor=today/);
		await expect.poll(() => page.getByTestId('filter-scope').innerText()).toMatch(/Last 90 days, to today \d{4}-\d{2}-\d{2}/);
		// Links from the page keep the anchor.
		const href = await page.getByTestId('speed-table').locator('tbody tr a').first().getAttribute('href');
		expect(href).toContain('anchor=today');
		await screenshot(page, 'speed-anchor-today');
		expect(errors).toEqual([]);
		await page.close();
	});
});
