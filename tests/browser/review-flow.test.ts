import { describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULT_SCORECARD } from '../../src/lib/audits/scorecard';
import { useBrowser, screenshot, watchErrors } from './chromium';
import { loginAs } from './session';

/**
 * The scorecard builder and the review page's N/A, root causes and pinned comments, end to end
 * (src/routes/audits/scorecards, src/routes/audits/review). The built scorecard becomes the current
 * version for every later test file on this server, so the test saves the default back at the end.
 */
const baseUrl = inject('baseUrl');
const browser = useBrowser();

const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

async function restoreDefault(qa: Page): Promise<void> {
	await qa.goto(`${baseUrl}/audits/scorecards`, { waitUntil: 'networkidle' });
	await qa.locator('details.advanced summary').click();
	await qa.getByLabel('Template JSON').fill(JSON.stringify(DEFAULT_SCORECARD, null, 2));
	await qa.getByRole('button', { name: 'Save the JSON as a new version' }).click();
	await expect.poll(() => qa.getByRole('status').innerText()).toMatch(/Saved as version \d+/);
}

describe('building a scorecard and reviewing with it', () => {
	test('N/A, a root cause and a pinned comment go in with "Submit and next" and read back on the submitted review', async () => {
		const qa = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const qaErrors = watchErrors(qa);
		await loginAs(qa, baseUrl, 'qa_manager');
		try {
			// 1. The QA manager adds a category in the form: N/A allowed, a root-cause list; and gives
			//    "Agent conduct" a root-cause list too. Then saves a new version.
			await qa.goto(`${baseUrl}/audits/scorecards`, { waitUntil: 'networkidle' });
			await qa.getByTestId('add-category').click();
			const added = qa.getByTestId('builder-category').last();
			await added.getByLabel('Label', { exact: true }).fill('Refund handling');
			// Leaving the label proposes the id from it.
			await added.getByLabel('Label', { exact: true }).press('Tab');
			await expect.poll(() => added.getByLabel('Id', { exact: true }).inputValue()).toBe('refund_handling');
			await added.getByLabel('Weight').fill('15');
			await added.getByLabel('N/A allowed').check();
			await added.getByLabel(/^Root causes when it fails/).fill('Knowledge gap\nTool failure');
			await added.getByLabel(/^Help for reviewers/).fill('Only where the customer asked for a refund.');
			const conduct = qa.getByTestId('builder-category').first();
			await conduct.getByLabel(/^Root causes when it fails/).fill('Rude tone\nNo ownership');
			await qa.getByLabel('Why this change').first().fill('Refund handling with N/A; conduct root causes');
			await qa.getByTestId('save-scorecard').click();
			await expect.poll(() => qa.getByTestId('scorecard-saved').innerText()).toMatch(/Saved as version \d+/);
			const version = (await qa.getByTestId('scorecard-saved').innerText()).match(/version (\d+)/)?.[1];
			await qa.reload({ waitUntil: 'networkidle' });
			expect(await qa.getByTestId('scorecard-categories').innerText()).toMatch(/Refund handling[\s\S]*allowed[\s\S]*Knowledge gap, Tool failure/);
			expect(await qa.getByTestId('na-rule').innerText()).toContain('renormalised');
			await screenshot(qa, 'scorecard-builder-1280');
			await qa.setViewportSize({ width: 390, height: 900 });
			expect(await pageWidth(qa)).toBeLessThanOrEqual(390);
			await screenshot(qa, 'scorecard-builder-390');
			await qa.setViewportSize({ width: 1280, height: 900 });

			// 2. A sample of two for the reviewer, through the API and the sample page's action.
			const drawn = await qa.request.post(`${baseUrl}/api/audits/samples`, { headers: { origin: baseUrl }, data: { design: 'simple', size: 2, seed: 6161 } });
			expect(drawn.status()).toBe(201);
			const sampleId = ((await drawn.json()) as { sample_id: number }).sample_id;
			const assigned = await qa.request.post(`${baseUrl}/audits/sample?/assign&id=${sampleId}`, { headers: { origin: baseUrl, accept: 'text/html' }, form: { reviewer: 'reviewer', method: 'round_robin' } });
			expect(assigned.status()).toBe(200);
			const sample = (await (await qa.request.get(`${baseUrl}/api/audits/samples?id=${sampleId}`)).json()) as { cases: { review_id: number | null }[] };
			const ids = sample.cases.map((c) => c.review_id ?? 0).sort((a, b) => a - b);
			expect(ids.every((id) => id > 0)).toBe(true);
			expect(ids).toHaveLength(2);

			// 3. The reviewer: N/A by the keyboard, a failed category with its root cause, a comment
			//    pinned to the customer's message, then "Submit and next".
			const rev = await browser().newPage({ viewport: { width: 1280, height: 900 } });
			const errors = watchErrors(rev);
			await loginAs(rev, baseUrl, 'reviewer');
			await rev.goto(`${baseUrl}/audits/review?id=${ids[0]}`, { waitUntil: 'networkidle' });
			expect(await rev.locator('p.lead').innerText()).toContain(`v${version}`);
			expect(await rev.getByTestId('shortcuts').innerText()).toContain('N');
			await rev.locator('input[name="rating.refund_handling"]').first().focus();
			await rev.keyboard.press('n');
			await expect.poll(() => rev.locator('input[name="na.refund_handling"]').isChecked()).toBe(true);
			expect(await rev.getByTestId('category-refund_handling').getByTestId('na-badge').isVisible()).toBe(true);
			expect(await rev.locator('input[name="rating.refund_handling"]').first().isDisabled()).toBe(true);
			await rev.locator('input[name="rating.agent_conduct"]').first().focus();
			await rev.keyboard.press('1');
			for (const c of DEFAULT_SCORECARD.categories.slice(1)) await rev.locator(`input[name="rating.${c.id}"][value="${Math.min(4, c.scale.max)}"]`).check();
			// Agent conduct 1 of 1-5 fails: its root cause is asked.
			await rev.getByTestId('root-cause-agent_conduct').selectOption('Rude tone');
			// Weights without the N/A category: 20 (0), 30, 20, 20 (3/4 each), 10 (3/3): 100 × 62.5 / 100.
			await expect.poll(() => rev.getByTestId('live-score').innerText()).toBe('62.5');
			expect(await rev.getByTestId('na-rule').innerText()).toContain('renormalised');
			await rev.getByTestId('add-pin').click();
			const customerOption = await rev.getByTestId('pin-message').locator('option', { hasText: /^Customer/ }).first().getAttribute('value');
			expect(customerOption).toBeTruthy();
			await rev.getByTestId('pin-message').selectOption(customerOption ?? '');
			await rev.getByTestId('pin-comment').fill('Asked for the refund twice before anyone answered.');
			// A long message in the pin list once pushed the scorecard past the page.
			expect(await pageWidth(rev)).toBeLessThanOrEqual(1280);
			await screenshot(rev, 'review-flow-editing-1280');
			await rev.getByTestId('submit-next').click();
			await expect.poll(async () => new URL(rev.url()).searchParams.get('after') === String(ids[0]) || (await rev.getByText('Your queue is done').count()) > 0).toBe(true);

			// 4. The submitted review reads as a record: N/A, the root cause and the pinned comment.
			await rev.goto(`${baseUrl}/audits/review?id=${ids[0]}`, { waitUntil: 'networkidle' });
			expect(await rev.getByTestId('review-status').innerText()).toBe('submitted');
			expect(await rev.getByTestId('live-score').innerText()).toBe('62.5');
			expect(await rev.getByTestId('category-refund_handling').getByTestId('na-badge').isVisible()).toBe(true);
			expect(await rev.getByTestId('root-cause-agent_conduct').innerText()).toBe('Root cause: Rude tone');
			const pinned = await rev.getByTestId('pinned-comments').innerText();
			expect(pinned).toMatch(/^Customer/);
			expect(pinned).toContain('Asked for the refund twice before anyone answered.');
			await screenshot(rev, 'review-flow-submitted-1280');
			// The export carries them too, for a QA manager's own analysis.
			const csv = await (await qa.request.get(`${baseUrl}/audits/reviews.csv`)).text();
			const [head, ...lines] = csv.trim().split(/\r?\n/);
			const columns = head.split(',');
			expect(columns.slice(-3)).toEqual(['na', 'root_causes', 'pins']);
			const line = lines.find((l) => l.startsWith(`${ids[0]},`)) ?? '';
			expect(line).toContain('refund_handling');
			expect(line).toContain('Rude tone');
			expect(line).toContain('Asked for the refund twice before anyone answered.');
			await rev.setViewportSize({ width: 390, height: 900 });
			expect(await pageWidth(rev)).toBeLessThanOrEqual(390);
			await screenshot(rev, 'review-flow-submitted-390');
			expect(errors).toEqual([]);
			await rev.close();
		} finally {
			await qa.setViewportSize({ width: 1280, height: 900 });
			await restoreDefault(qa);
		}
		expect(qaErrors).toEqual([]);
		await qa.close();
	});
});
