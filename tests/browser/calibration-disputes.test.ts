import { describe, expect, inject, test } from 'vitest';
import { DEFAULT_SCORECARD } from '../../src/lib/audits/scorecard';
import { useBrowser, screenshot, watchErrors } from './chromium';
import { account, loginAs, sessionCookie } from './session';

const baseUrl = inject('baseUrl');
const second = inject('secondReviewer');
const browser = useBrowser();

/** A form post as a browser without JavaScript would send it. */
function post(path: string, cookie: string, fields: URLSearchParams | Record<string, string>, accept = 'text/html'): Promise<Response> {
	return fetch(baseUrl + path, {
		method: 'POST',
		redirect: 'manual',
		headers: { cookie, origin: baseUrl, accept, 'content-type': 'application/x-www-form-urlencoded' },
		body: fields instanceof URLSearchParams ? fields : new URLSearchParams(fields)
	});
}

/** Every category rated `rating` (capped at its scale), nothing failed, as the review form sends it. */
function ratedAll(rating: number): Record<string, string> {
	return Object.fromEntries(DEFAULT_SCORECARD.categories.map((c) => [`rating.${c.id}`, String(Math.min(rating, c.scale.max))]));
}

/** The review ids linked from a user's queue page. */
async function queueIds(cookie: string): Promise<number[]> {
	const html = await (await fetch(`${baseUrl}/audits/queue`, { headers: { cookie } })).text();
	return [...new Set([...html.matchAll(/\/audits\/review\?id=(\d+)/g)].map((m) => Number(m[1])))];
}

describe('calibration against a reference; an agent acknowledges and disputes one item', () => {
	test('a session with a reference shows each reviewer’s deviation', async () => {
		const rev = account('reviewer');
		const revCookie = await sessionCookie(baseUrl, rev.username, rev.password);
		const secondCookie = await sessionCookie(baseUrl, second.username, second.password);
		const qa = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const errors = watchErrors(qa);
		await loginAs(qa, baseUrl, 'qa_manager');
		const before = new Set([...(await queueIds(revCookie)), ...(await queueIds(secondCookie))]);

		await qa.goto(`${baseUrl}/audits/calibration`);
		await qa.getByLabel('Name').fill('Reference check');
		await qa.getByLabel('…or these case ids').fill('case-00000011, case-00000012');
		await qa.locator('input[name="panel"][value="reviewer"]').check();
		await qa.locator(`input[name="panel"][value="${second.username}"]`).check();
		await Promise.all([qa.waitForURL(/\/audits\/calibration\?id=\d+/), qa.getByRole('button', { name: 'Create the session' }).click()]);
		const sessionId = new URL(qa.url()).searchParams.get('id');

		// The first reviewer answers 4 everywhere, the second 2 everywhere.
		for (const [cookie, rating] of [[revCookie, 4], [secondCookie, 2]] as const)
			for (const id of (await queueIds(cookie)).filter((x) => !before.has(x))) expect((await post(`/audits/review?/submit&id=${id}`, cookie, { ...ratedAll(rating), notes: '' })).status).toBeLessThan(400);

		// The QA manager records the consensus, 4 everywhere, for both cases.
		await qa.goto(`${baseUrl}/audits/calibration?id=${sessionId}`);
		for (const caseId of ['case-00000011', 'case-00000012']) {
			const block = qa.getByTestId(`reference-${caseId}`);
			await block.locator('summary').click();
			for (const c of DEFAULT_SCORECARD.categories) await block.locator(`select[name="rating.${c.id}"]`).selectOption(String(Math.min(4, c.scale.max)));
			await block.locator('input[name="source"][value="consensus"]').check();
			await block.getByRole('button', { name: 'Record the reference' }).click();
			await expect.poll(() => qa.getByRole('status').innerText()).toContain(caseId);
		}
		await qa.goto(`${baseUrl}/audits/calibration?id=${sessionId}`);
		// 2 cases x (5 categories + 3 critical items) = 16 items each.
		expect(await qa.getByTestId('deviation-reviewer').getByTestId('deviation-share').innerText()).toContain('100% (16/16)');
		// The second reviewer matches only the critical items (6 of 16) and is 2 below on the 1-5 scales.
		expect(await qa.getByTestId(`deviation-${second.username}`).getByTestId('deviation-share').innerText()).toContain('(6/16)');
		expect(await qa.getByTestId(`deviation-${second.username}`).innerText()).toContain('-2.00');
		// textContent: the table's headers are set in capitals by the style sheet.
		expect(await qa.getByTestId('grader-trend').textContent()).toContain('Reference check');
		await screenshot(qa, 'calibration-reference');
		expect(errors).toEqual([]);
	});

	test('an agent acknowledges a review and disputes one item; the QA manager resolves it and sees the per-item change', async () => {
		const agent = account('agent');
		const qaAccount = account('qa_manager');
		const rev = account('reviewer');
		const qaCookie = await sessionCookie(baseUrl, qaAccount.username, qaAccount.password);
		const revCookie = await sessionCookie(baseUrl, rev.username, rev.password);
		const before = new Set(await queueIds(revCookie));
		// A small sample of the demo agent's own cases, assigned to the reviewer, who submits it.
		const drawn = await post('/api/audits/samples', qaCookie, { design: 'simple', size: '2', seed: '77', agent: agent.agentId ?? 'agent-001' }, 'application/json');
		expect(drawn.status).toBe(201);
		const { sample_id } = (await drawn.json()) as { sample_id: number };
		expect((await post(`/audits/sample?/assign&id=${sample_id}`, qaCookie, { method: 'round_robin', reviewer: rev.username })).status).toBeLessThan(400);
		const fresh = (await queueIds(revCookie)).filter((x) => !before.has(x));
		expect(fresh.length).toBe(2);
		for (const id of fresh) expect((await post(`/audits/review?/submit&id=${id}`, revCookie, { ...ratedAll(4), notes: 'Clear and polite.' })).status).toBeLessThan(400);

		const page = await browser().newPage({ viewport: { width: 390, height: 844 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'agent');
		await page.goto(`${baseUrl}/audits/mine?id=${fresh[0]}`);
		expect(await page.getByTestId('agent-review-items').innerText()).toContain('4 · good');
		await page.getByRole('button', { name: 'I have read this review' }).click();
		await expect.poll(() => page.getByTestId('acknowledged').innerText()).toContain('Acknowledged');
		// A review that is not one of the agent's own (listed on their page) is not found by id.
		const agentCookie = await sessionCookie(baseUrl, agent.username, agent.password);
		const ownPage = await (await fetch(`${baseUrl}/audits/mine`, { headers: { cookie: agentCookie } })).text();
		const own = new Set([...ownPage.matchAll(/\?id=(\d+)/g)].map((m) => Number(m[1])));
		const foreign = [...before].find((id) => !own.has(id));
		expect(foreign).toBeDefined();
		expect((await fetch(`${baseUrl}/audits/mine?id=${foreign}`, { headers: { cookie: agentCookie } })).status).toBe(404);
		await page.locator('summary', { hasText: 'Dispute one item' }).click();
		await page.getByLabel('Item').selectOption('agent_conduct');
		await page.getByLabel('Why').fill('The customer thanked me for my tone in the last message.');
		await page.getByRole('button', { name: 'Raise the dispute' }).click();
		const raised = await page.getByTestId('dispute-raised').innerText();
		const disputeId = raised.match(/Dispute (\d+)/)?.[1];
		expect(disputeId).toBeTruthy();
		await screenshot(page, 'agent-dispute');

		const qa = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const qaErrors = watchErrors(qa);
		await loginAs(qa, baseUrl, 'qa_manager');
		await qa.goto(`${baseUrl}/audits/disputes`);
		const card = qa.getByTestId(`dispute-${disputeId}`);
		expect(await card.getByTestId('dispute-item').innerText()).toBe('Agent conduct');
		await card.locator('input[name="decision"][value="change"]').check();
		await card.getByLabel('Agent conduct rating').selectOption('5');
		await card.locator('input[name="note"]').fill('Agreed: the tone was exemplary.');
		await card.getByRole('button', { name: 'Record the decision' }).click();
		await expect.poll(() => qa.getByTestId(`dispute-${disputeId}`).getByTestId('dispute-status').innerText()).toBe('changed');
		const items = qa.getByTestId(`dispute-${disputeId}`);
		expect(await items.getByTestId('dispute-item-agent_conduct').innerText()).toContain('5 (was 4)');
		expect(await items.getByTestId('dispute-item-policy_accuracy').innerText()).not.toContain('was');
		await screenshot(qa, 'dispute-per-item');
		expect([...errors, ...qaErrors]).toEqual([]);
	});
});
