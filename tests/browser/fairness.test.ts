import { describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ConsistencyReport } from '../../src/lib/metrics/consistency/consistency.server';
import type { FairnessReport } from '../../src/lib/metrics/fairness/fairness.server';
import { useBrowser, screenshot, watchErrors } from './chromium';
import { loginAs } from './session';

// The shared test server holds a 3,000-case demo (seed 42): new accounts are flagged on
// favourable outcomes there; harbor's wrong_item cell is too small to be flagged at that size.
const baseUrl = inject('baseUrl');
const browser = useBrowser();

async function signedIn(width = 1280): Promise<{ page: Page; errors: string[] }> {
	const page = await browser().newPage({ viewport: { width, height: 900 } });
	const errors = watchErrors(page);
	await loginAs(page, baseUrl, 'lead');
	return { page, errors };
}

async function getJson<T>(page: Page, path: string): Promise<T> {
	const response = await page.request.get(`${baseUrl}${path}`);
	expect(response.status()).toBe(200);
	return (await response.json()) as T;
}

/** "1,234 cases: ..." -> 1234 */
async function listedCount(page: Page): Promise<number> {
	const text = await page.getByTestId('case-list-description').innerText();
	return Number(/^([\d,]+) cases/.exec(text)?.[1].replaceAll(',', ''));
}

describe('consistency and fairness pages', () => {
	for (const width of [1280, 390]) {
		test(`both pages render without console errors at ${width} px`, async () => {
			const { page, errors } = await signedIn(width);
			await page.goto(`${baseUrl}/fairness`);
			await page.getByTestId('fairness-table-tenure').waitFor();
			await screenshot(page, `fairness-${width}`);
			await page.getByTestId('measure-resolution_time').click();
			await page.waitForURL(/measure=resolution_time/);
			await page.getByTestId('fairness-table-region').waitFor();
			await page.goto(`${baseUrl}/consistency`);
			await page.getByTestId('heatmap-category').waitFor();
			await screenshot(page, `consistency-${width}`);
			await page.getByTestId('by-agent').click();
			await page.waitForURL(/by=agent/);
			await page.getByTestId('heatmap-root_cause').waitFor();
			expect(errors).toEqual([]);
			await page.close();
		});
	}

	test('each fairness flag on the page says exactly what the JSON endpoint says', async () => {
		const { page, errors } = await signedIn();
		const json = await getJson<FairnessReport>(page, '/api/metrics/fairness');
		const flagged = json.rows.filter((r) => r.flagged);
		expect(flagged.length, 'the seed-42 demo flags new accounts').toBeGreaterThan(0);
		await page.goto(`${baseUrl}/fairness`);
		const sentences = await page.getByTestId('flag-sentence').allInnerTexts();
		expect(sentences).toEqual(flagged.map((r) => r.sentence));
		const keys = await page.getByTestId('fairness-flag').evaluateAll((items) => items.map((i) => i.getAttribute('data-key')));
		expect(keys).toEqual(flagged.map((r) => `${r.measure}/${r.dimension}/${r.group}`));
		// The row in its table is marked too.
		const first = flagged[0];
		if (first.measure !== 'favourable_rate') await page.goto(`${baseUrl}/fairness?measure=${first.measure}`);
		await expect.poll(() => page.getByTestId(`fairness-table-${first.dimension}`).locator(`tr[data-group="${first.group}"]`).getAttribute('class')).toContain('flagged');
		expect(errors).toEqual([]);
		await page.close();
	});

	test('a fairness flag drills down to its cases, and its side-by-side view lists case types', async () => {
		const { page } = await signedIn();
		const json = await getJson<FairnessReport>(page, '/api/metrics/fairness');
		const flag = json.rows.find((r) => r.flagged);
		if (!flag) throw new Error('no flag in the demo');
		await page.goto(`${baseUrl}/fairness`);
		const item = page.locator(`[data-testid="fairness-flag"][data-key="${flag.measure}/${flag.dimension}/${flag.group}"]`);
		await item.locator('summary', { hasText: 'Side by side' }).click();
		const sideRows = await item.getByTestId('side-by-side').locator('tbody tr').count();
		expect(sideRows).toBe(flag.strata.length);
		await item.getByTestId('flag-cases').click();
		await page.waitForURL(/\/cases\?/);
		const params = new URL(page.url()).searchParams;
		expect(params.get(flag.dimension === 'region' ? 'region' : flag.dimension)).toBe(flag.group);
		expect(await listedCount(page)).toBe(flag.n);
		// The CSV link carries the same drill-down.
		const csv = await page.getByRole('link', { name: 'Download as CSV' }).getAttribute('href');
		expect(new URLSearchParams(csv?.split('?')[1]).get('population')).toBe(params.get('population'));
		await page.close();
	});

	test('a heatmap cell opens exactly the cell’s cases', async () => {
		const { page, errors } = await signedIn();
		const json = await getJson<ConsistencyReport>(page, '/api/metrics/consistency?by=team');
		const cell = json.rows.find((r) => r.category === 'wrong_item' && r.group === 'harbor');
		if (!cell) throw new Error('no harbor / wrong_item cell');
		await page.goto(`${baseUrl}/consistency?by=team`);
		const link = page.locator('[data-testid="heatmap-category"] a[data-cell="wrong_item/harbor"]');
		expect((await link.innerText()).trim()).toBe(cell.tvd?.toFixed(2));
		await link.click();
		await page.waitForURL(/\/cases\?/);
		expect(await listedCount(page)).toBe(cell.n);
		const teams = await page.getByTestId('case-list').locator('tbody tr td:nth-child(7)').allInnerTexts();
		const categories = await page.getByTestId('case-list').locator('tbody tr td:nth-child(6)').allInnerTexts();
		const outcomes = await page.getByTestId('case-list').locator('tbody tr td:nth-child(8)').allInnerTexts();
		expect(new Set(teams)).toEqual(new Set(['harbor']));
		expect(new Set(categories)).toEqual(new Set(['wrong_item']));
		expect(outcomes.every((o) => o !== '–')).toBe(true);
		expect(errors).toEqual([]);
		await page.close();
	});

	test('the agent heatmap shows twenty agents a page, in order, and pages through all of them', async () => {
		const { page, errors } = await signedIn();
		const json = await getJson<ConsistencyReport>(page, '/api/metrics/consistency?by=agent');
		const agents = [...new Set(json.rows.filter((r) => r.dimension === 'agent').map((r) => r.group))].sort();
		expect(agents.length, 'the demo has more agents than one page').toBeGreaterThan(20);
		const seen: string[] = [];
		await page.goto(`${baseUrl}/consistency?by=agent`);
		for (let n = 1; ; n++) {
			const pager = await page.getByTestId('heatmap-pager').innerText();
			expect(pager).toContain(`Agents ${(n - 1) * 20 + 1}–${Math.min(n * 20, agents.length)} of ${agents.length}, alphabetical`);
			const headers = (await page.locator('[data-testid="heatmap-category"] thead th.num').allTextContents()).map((t) => t.trim()).slice(0, -1);
			expect(headers).toEqual(agents.slice((n - 1) * 20, n * 20));
			seen.push(...headers);
			if ((await page.getByTestId('heatmap-next').count()) === 0) break;
			await page.getByTestId('heatmap-next').click();
			await page.waitForURL(new RegExp(`gpage=${n + 1}`));
		}
		expect(seen).toEqual(agents);
		// Another dimension starts on its first page.
		await page.getByTestId('by-team').click();
		await page.waitForURL((u) => u.searchParams.get('by') === 'team' && !u.searchParams.has('gpage'));
		expect(await page.getByTestId('heatmap-pager').count()).toBe(0);
		expect(errors).toEqual([]);
		await page.close();
	});

	test('consistency flags and indexes on the page match the JSON endpoint', async () => {
		const { page } = await signedIn();
		const json = await getJson<ConsistencyReport>(page, '/api/metrics/consistency');
		await page.goto(`${baseUrl}/consistency`);
		const flagged = json.rows.filter((r) => r.flagged);
		if (flagged.length === 0) await expect.poll(() => page.getByTestId('no-flags').count()).toBe(1);
		else expect(await page.getByTestId('flag-sentence').allInnerTexts()).toEqual(flagged.map((r) => r.sentence));
		const team = json.index.dimensions.find((d) => d.dimension === 'team');
		expect(await page.getByTestId('kpi-index-team').locator('.value').innerText()).toBe(team?.index === null || team?.index === undefined ? '–' : team.index.toFixed(1));
		await page.close();
	});

	test('a root-cause cell drills down through a parameter that is not a global filter', async () => {
		const { page } = await signedIn();
		const json = await getJson<ConsistencyReport>(page, '/api/metrics/consistency?by=region');
		const cell = json.rows.find((r) => r.root_cause === 'carrier' && !r.small);
		if (!cell) throw new Error('no carrier cell');
		await page.goto(`${baseUrl}/consistency?by=region`);
		await page.locator(`[data-testid="heatmap-root_cause"] a[data-cell="carrier/${cell.group}"]`).click();
		await page.waitForURL(/root_cause=carrier/);
		expect(await listedCount(page)).toBe(cell.n);
		expect(await page.getByTestId('case-list-description').innerText()).toContain('root cause carrier');
		await page.close();
	});
});
