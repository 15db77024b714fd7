import { describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_SCORECARD } from '../../src/lib/audits/scorecard';
import { useBrowser, screenshot, watchErrors } from './chromium';
import { account, loginAs, sessionCookie } from './session';

const baseUrl = inject('baseUrl');
const second = inject('secondReviewer');
const browser = useBrowser();

/** A form post as a browser without JavaScript would send it. */
function post(path: string, cookie: string, fields: Record<string, string>): Promise<Response> {
	return fetch(baseUrl + path, {
		method: 'POST',
		redirect: 'manual',
		headers: { cookie, origin: baseUrl, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(fields)
	});
}

async function rateAll(page: Page, rating: number): Promise<void> {
	for (const c of DEFAULT_SCORECARD.categories) await page.locator(`input[name="rating.${c.id}"][value="${Math.min(rating, c.scale.max)}"]`).check();
}

describe('audits: sample, review, results, dispute', () => {
	test('the whole round trip, with the access limits on the way', async () => {
		const qa = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const errors = watchErrors(qa);
		await loginAs(qa, baseUrl, 'qa_manager');

		// 1. QA draws a seeded simple random sample of 6 and sees the seed and the probabilities.
		await qa.goto(`${baseUrl}/audits/new`);
		await expect.poll(() => qa.getByTestId('calculated-size').innerText()).toMatch(/\d/);
		await qa.getByLabel('Sample size', { exact: true }).fill('6');
		await qa.getByLabel('Seed', { exact: true }).fill('4242');
		await Promise.all([qa.waitForURL(/\/audits\/sample\?id=\d+/), qa.getByRole('button', { name: 'Draw the sample' }).click()]);
		const sampleId = new URL(qa.url()).searchParams.get('id');
		expect(await qa.getByTestId('sample-seed').innerText()).toBe('4242');
		const rows = qa.getByTestId('sample-cases').locator('tbody tr');
		expect(await rows.count()).toBe(6);
		// pi = 6 / N for every case of a simple random sample.
		const pis = new Set(await rows.locator('td:nth-child(4)').allInnerTexts());
		expect(pis.size).toBe(1);

		// 2. Round-robin assignment to the two reviewers.
		await qa.locator('input[name="reviewer"][value="reviewer"]').check();
		await qa.locator(`input[name="reviewer"][value="${second.username}"]`).check();
		await qa.getByRole('button', { name: 'Assign' }).click();
		await expect.poll(() => qa.getByRole('status').innerText()).toContain(`reviewer 3, ${second.username} 3`);
		await screenshot(qa, 'audits-sample');
		const reviewLink = async (reviewer: string) => {
			const row = rows.filter({ has: qa.locator('td:nth-child(11)', { hasText: new RegExp(`^${reviewer}$`) }) }).first();
			const href = await row.locator('td:nth-child(12) a').getAttribute('href');
			return Number(new URL(href ?? '', baseUrl).searchParams.get('id'));
		};
		const mine = await reviewLink('reviewer');
		const theirs = await reviewLink(second.username);

		// 3. The second reviewer saves a draft; the first cannot open or change it.
		const secondCookie = await sessionCookie(baseUrl, second.username, second.password);
		expect((await post(`/audits/review?/save&id=${theirs}`, secondCookie, { 'rating.agent_conduct': '2', notes: 'my draft' })).status).toBe(200);
		const { username, password } = account('reviewer');
		const reviewerCookie = await sessionCookie(baseUrl, username, password);
		expect((await fetch(`${baseUrl}/audits/review?id=${theirs}`, { headers: { cookie: reviewerCookie } })).status).toBe(403);
		expect((await post(`/audits/review?/submit&id=${theirs}`, reviewerCookie, { 'rating.agent_conduct': '5' })).status).toBe(403);

		// 4. The reviewer reviews their case in the browser: the score follows the ratings; submit.
		const rev = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const revErrors = watchErrors(rev);
		await loginAs(rev, baseUrl, 'reviewer');
		const denied = await rev.goto(`${baseUrl}/audits/review?id=${theirs}`);
		expect(denied?.status()).toBe(403);
		// That refusal is the only console error the browser may show.
		expect(revErrors).toEqual(['Failed to load resource: the server responded with a status of 403 (Forbidden)']);
		revErrors.length = 0;
		await rev.goto(`${baseUrl}/audits/queue`);
		await rev.getByRole('link', { name: `Start #${mine}` }).click();
		await rev.waitForURL(new RegExp(`/audits/review\\?id=${mine}$`));
		expect(await rev.getByTestId('review-findings').isVisible()).toBe(true);
		expect(await rev.getByTestId('first-response').innerText()).toBeTruthy();
		await rateAll(rev, 4);
		// 4 of 1-5 on weights 90, top of the 1-3 speed scale on weight 10: 100 * (90 * 3/4 + 10) / 100.
		await expect.poll(() => rev.getByTestId('live-score').innerText()).toBe('77.5');
		await rev.getByLabel('Notes').fill('Clear and correct.');
		await rev.getByRole('button', { name: 'Submit', exact: true }).click();
		await expect.poll(() => rev.getByTestId('review-status').innerText()).toBe('submitted');
		expect(await rev.locator('input[name="rating.agent_conduct"]').first().isDisabled()).toBe(true);
		await screenshot(rev, 'audits-review');
		// A submitted review cannot be changed, not even by a hand-made request.
		expect((await post(`/audits/review?/submit&id=${mine}`, reviewerCookie, Object.fromEntries(DEFAULT_SCORECARD.categories.map((c) => [`rating.${c.id}`, '1'])))).status).toBe(409);
		await rev.reload();
		expect(await rev.getByTestId('live-score').innerText()).toBe('77.5');
		expect(revErrors).toEqual([]);

		// 5. It counts in the results: one review, weighted and unweighted 77.5.
		await qa.goto(`${baseUrl}/audits/results?sample=${sampleId}`);
		expect(await qa.getByTestId('reviews-counted').innerText()).toBe('1');
		expect(await qa.getByTestId('iqs').innerText()).toBe('77.5');
		expect(await qa.getByTestId('unweighted').innerText()).toBe('77.5');
		await screenshot(qa, 'audits-results');

		// 6. A lead disputes it; QA changes the scores; the original stays on the dispute.
		const lead = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		await loginAs(lead, baseUrl, 'lead');
		await lead.goto(`${baseUrl}/audits/review?id=${mine}`);
		await lead.getByTestId('dispute-item').selectOption('agent_conduct');
		await lead.getByLabel('Dispute this review: why?').fill('The agent followed the policy exactly; conduct deserves a 5.');
		await Promise.all([lead.waitForURL(/\/audits\/disputes/), lead.getByRole('button', { name: 'Raise a dispute' }).click()]);
		const dispute = lead.locator('section[data-testid^="dispute-"]').first();
		expect(await dispute.getByTestId('dispute-status').innerText()).toBe('open');
		// The lead named the item; the dispute says so.
		expect(await dispute.getByTestId('dispute-item').innerText()).toBe('Agent conduct');
		expect(await lead.getByRole('button', { name: 'Record the decision' }).count()).toBe(0);

		await qa.goto(`${baseUrl}/audits/disputes`);
		const open = qa.locator('section[data-testid^="dispute-"]').first();
		await open.getByLabel('Change the scores').check();
		for (const c of DEFAULT_SCORECARD.categories) await open.getByLabel(`${c.label} rating`).selectOption(String(c.scale.max));
		await open.getByLabel('Decision note').fill('Agreed after listening to the call.');
		await open.getByRole('button', { name: 'Record the decision' }).click();
		await expect.poll(() => qa.locator('section[data-testid^="dispute-"]').first().getByTestId('dispute-status').innerText()).toBe('changed');
		expect(await qa.locator('section[data-testid^="dispute-"]').first().innerText()).toMatch(/Score when disputed: 77\.5 → changed to 100\.0/);
		await qa.goto(`${baseUrl}/audits/results?sample=${sampleId}`);
		expect(await qa.getByTestId('iqs').innerText()).toBe('100.0');
		await qa.goto(`${baseUrl}/audits/review?id=${mine}`);
		expect(await qa.locator('table').last().innerText()).toMatch(/dispute_change/);
		expect(errors).toEqual([]);
		await Promise.all([qa.close(), rev.close(), lead.close()]);
	});
});

describe('reviewing a queue', () => {
	test('a reviewer rates with the keyboard and moves through the queue with "Submit and next"; a submitted review reads as a record', async () => {
		const qa = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		await loginAs(qa, baseUrl, 'qa_manager');
		await qa.goto(`${baseUrl}/audits/new`);
		await expect.poll(() => qa.getByTestId('calculated-size').innerText()).toMatch(/\d/);
		await qa.getByLabel('Sample size', { exact: true }).fill('2');
		await qa.getByLabel('Seed', { exact: true }).fill('777');
		await Promise.all([qa.waitForURL(/\/audits\/sample\?id=\d+/), qa.getByRole('button', { name: 'Draw the sample' }).click()]);
		await qa.locator('input[name="reviewer"][value="reviewer"]').check();
		await qa.getByRole('button', { name: 'Assign' }).click();
		await expect.poll(() => qa.getByRole('status').innerText()).toContain('reviewer 2');
		const ids = (await qa.getByTestId('sample-cases').locator('tbody tr td:nth-child(12) a').evaluateAll((links) => links.map((a) => Number(new URL((a as HTMLAnchorElement).href).searchParams.get('id'))))).sort((a, b) => a - b);
		expect(ids).toHaveLength(2);

		const rev = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const errors = watchErrors(rev);
		await loginAs(rev, baseUrl, 'reviewer');
		// The shortcuts are the page's script: wait for it before typing.
		await rev.goto(`${baseUrl}/audits/review?id=${ids[0]}`, { waitUntil: 'networkidle' });
		expect(await rev.getByTestId('shortcuts').innerText()).toContain('Ctrl');
		// The conversation is on the page beside the scorecard: the customer opens it, an agent answers.
		const thread = rev.getByTestId('review-thread');
		await expect.poll(() => thread.innerText()).toMatch(/Conversation \((\d+)\)/);
		expect(Number((await thread.locator('h2').innerText()).match(/\((\d+)\)/)?.[1])).toBeGreaterThanOrEqual(2);
		// Keyboard only: focus a category's first choice, press the digit of the rating wanted.
		for (const c of DEFAULT_SCORECARD.categories) {
			await rev.locator(`input[name="rating.${c.id}"]`).first().focus();
			await rev.keyboard.press(String(Math.min(3, c.scale.max - c.scale.min + 1)));
			await expect.poll(() => rev.locator(`input[name="rating.${c.id}"]:checked`).getAttribute('value')).toBe(String(c.scale.min + Math.min(3, c.scale.max - c.scale.min + 1) - 1));
		}
		await rev.keyboard.press('Control+Enter');
		// The next open review of the queue opens (the queue may hold other tests' reviews first),
		// saying the previous one went in.
		await rev.waitForURL(new RegExp(`/audits/review\\?id=\\d+&after=${ids[0]}$`));
		expect(await rev.getByTestId('submitted-previous').innerText()).toContain(`Review #${ids[0]} submitted`);
		// "Submit and next" by the button, on the sample's second case.
		await rev.goto(`${baseUrl}/audits/review?id=${ids[1]}`, { waitUntil: 'networkidle' });
		await rateAll(rev, 5);
		await rev.getByTestId('submit-next').click();
		// Either the next open review (after = this one) or, with nothing left, the queue says it is done.
		await expect.poll(async () => new URL(rev.url()).searchParams.get('after') === String(ids[1]) || (await rev.getByText('Your queue is done').count()) > 0).toBe(true);

		// The first review, submitted: the chosen rating stands out, the others recede.
		await rev.goto(`${baseUrl}/audits/review?id=${ids[0]}`);
		expect(await rev.getByTestId('review-status').innerText()).toBe('submitted');
		const chosen = rev.locator('form.final .choice:has(input:checked)').first();
		const other = rev.locator('form.final .choice:not(:has(input:checked))').first();
		const weight = (l: typeof chosen) => l.evaluate((el) => getComputedStyle(el).fontWeight);
		const color = (l: typeof chosen) => l.evaluate((el) => getComputedStyle(el).color);
		expect(Number(await weight(chosen))).toBeGreaterThanOrEqual(600);
		expect(await color(chosen)).not.toBe(await color(other));
		expect(await rev.getByTestId('shortcuts').count()).toBe(0);
		await screenshot(rev, 'audits-review-submitted');
		expect(errors).toEqual([]);
		await Promise.all([qa.close(), rev.close()]);
	});
});
