import { describe, expect, inject, test } from 'vitest';
import { DEFAULT_SCORECARD } from '../../src/lib/audits/scorecard';
import { useBrowser, screenshot, watchErrors } from './chromium';
import { account, loginAs, sessionCookie } from './session';

const baseUrl = inject('baseUrl');
const browser = useBrowser();

function post(path: string, cookie: string, body: URLSearchParams | string, type = 'application/x-www-form-urlencoded'): Promise<Response> {
	return fetch(baseUrl + path, { method: 'POST', redirect: 'manual', headers: { cookie, origin: baseUrl, accept: 'text/html', 'content-type': type }, body });
}

async function cookieOf(role: 'qa_manager' | 'reviewer' | 'viewer'): Promise<string> {
	const { username, password } = account(role);
	return sessionCookie(baseUrl, username, password);
}

interface SampleCase {
	case_id: string;
	review_id: number | null;
	inclusion_probability: number;
	risk_flags: string;
}

async function drawSample(cookie: string, params: Record<string, string>): Promise<{ sample_id: number; cases: { case_id: string; inclusion_probability: number; risk_flags: string[] }[] }> {
	const response = await post('/api/audits/samples', cookie, JSON.stringify(params), 'application/json');
	expect(response.status).toBe(201);
	return response.json();
}

describe('audits: automatic checks', () => {
	test('pass rates on every case, agreement with the reviewers, the disagreeing cases one click away', async () => {
		const qaCookie = await cookieOf('qa_manager');
		const reviewerCookie = await cookieOf('reviewer');

		// A sample of 8, assigned to the demo reviewer, who fails "response speed" on every case:
		// wherever the first-response check passes, reviewer and check disagree.
		const sample = await drawSample(qaCookie, { design: 'simple', size: '8', seed: '8080' });
		expect((await post(`/audits/sample?/assign&id=${sample.sample_id}`, qaCookie, new URLSearchParams({ reviewer: account('reviewer').username, method: 'round_robin' }))).status).toBe(200);
		const stored = (await (await fetch(`${baseUrl}/api/audits/samples?id=${sample.sample_id}`, { headers: { cookie: qaCookie } })).json()) as { cases: SampleCase[] };
		const reviewIds = stored.cases.map((c) => c.review_id as number);
		expect(reviewIds.every((id) => id > 0)).toBe(true);
		for (const id of reviewIds) {
			const fields = new URLSearchParams(DEFAULT_SCORECARD.categories.map((c) => [`rating.${c.id}`, c.id === 'response_speed' ? '1' : '3']));
			expect((await post(`/audits/review?/submit&id=${id}`, reviewerCookie, fields)).status).toBe(200);
		}

		const qa = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const errors = watchErrors(qa);
		await loginAs(qa, baseUrl, 'qa_manager');
		await qa.goto(`${baseUrl}/audits`);
		await qa.getByRole('link', { name: 'Automatic checks' }).click();
		await qa.waitForURL(/\/audits\/auto-checks/);

		// Every check has a card; on the demo every one is testable and has a pass rate.
		const rate = await qa.getByTestId('check-first_response_within_target').getByTestId('pass-rate').innerText();
		expect(rate).toMatch(/^\d+\.\d%$/);
		expect(await qa.getByTestId('check-not-testable').count()).toBe(0);
		expect(await qa.getByTestId('check-internal_notes_private').innerText()).toContain('Internal notes kept internal');

		// The agreement row of "response speed": at least our 8 reviews, kappa or "not computable", a trust label.
		const row = qa.getByTestId('agreement-response_speed');
		const cells = await row.locator('td').allInnerTexts();
		expect(Number(cells[3].replaceAll(',', ''))).toBeGreaterThanOrEqual(1);
		expect(cells[8]).toMatch(/Trustworthy|Mostly trustworthy|Not yet — review by hand|Too few reviewed cases to judge|Not computable/);
		await screenshot(qa, 'auto-checks');

		// One click to the disagreeing cases: each is one of ours (or another test's), failed by the reviewer, passed by the check.
		await qa.getByTestId('disagreements-link-response_speed').click();
		await qa.waitForURL(/item=response_speed/);
		const list = qa.getByTestId('disagreements').locator('tbody tr');
		expect(await list.count()).toBeGreaterThan(0);
		const ours = new Set(reviewIds.map(String));
		let mine = 0;
		for (const text of await list.allInnerTexts()) {
			const id = /review #(\d+)/.exec(text)?.[1] ?? '';
			if (!ours.has(id)) continue;
			mine += 1;
			expect(text).toMatch(/fail[\s\S]*1 · missed the target[\s\S]*pass/);
		}
		expect(mine).toBeGreaterThan(0);
		await screenshot(qa, 'auto-checks-disagreements');
		const reviewHref = await list.first().locator('a', { hasText: /review #/ }).getAttribute('href');
		expect((await fetch(baseUrl + reviewHref, { headers: { cookie: qaCookie } })).status).toBe(200);

		// The breakdown is sortable and follows the dimension.
		await qa.getByLabel('Break down by').selectOption('region');
		await qa.waitForURL(/by=region/);
		expect(await qa.getByTestId('breakdown').locator('tbody tr').count()).toBeGreaterThan(1);
		await qa.getByTestId('breakdown').getByRole('button', { name: 'Pass rate' }).click();
		expect(errors).toEqual([]);

		// On a phone the page fits: tables scroll inside their box.
		const phone = await browser().newPage({ viewport: { width: 390, height: 844 } });
		await loginAs(phone, baseUrl, 'qa_manager');
		await phone.goto(`${baseUrl}/audits/auto-checks`);
		expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		await screenshot(phone, 'auto-checks-phone');
	});

	test('risk-weighted sampling can weight failed automatic checks, with the probabilities to match', async () => {
		const qaCookie = await cookieOf('qa_manager');
		const zero = { weight_low_csat: '0', weight_reopened: '0', weight_slow: '0', weight_escalated: '0', weight_compliance: '0' };
		const s = await drawSample(qaCookie, { design: 'risk', size: '50', seed: '77', ...zero, weight_auto_checks: '4' });
		const flagged = s.cases.filter((c) => c.risk_flags.includes('auto_checks'));
		const plain = s.cases.filter((c) => !c.risk_flags.includes('auto_checks'));
		expect(flagged.length).toBeGreaterThan(0);
		expect(plain.length).toBeGreaterThan(0);
		for (const c of flagged) expect(c.inclusion_probability / plain[0].inclusion_probability).toBeCloseTo(5, 9);
		// The form offers the weight, off by default.
		const qa = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		await loginAs(qa, baseUrl, 'qa_manager');
		await qa.goto(`${baseUrl}/audits/new`);
		await qa.getByLabel('Risk-weighted').check();
		expect(await qa.locator('input[name="weight_auto_checks"]').inputValue()).toBe('0');
	});

	test('viewers cannot open it; reviewers can', async () => {
		const viewer = await fetch(`${baseUrl}/audits/auto-checks`, { headers: { cookie: await cookieOf('viewer') }, redirect: 'manual' });
		expect(viewer.status).toBe(403);
		const reviewer = await fetch(`${baseUrl}/audits/auto-checks`, { headers: { cookie: await cookieOf('reviewer') } });
		expect(reviewer.status).toBe(200);
	});
});
