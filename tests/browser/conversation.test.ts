import type { Page } from 'playwright-core';
import { describe, expect, inject, test } from 'vitest';
import { screenshot, useBrowser, watchErrors } from './chromium';
import { loginAs } from './session';

const baseUrl = inject('baseUrl');
const browser = useBrowser();

/** The first demo case whose thread has a customer, an agent and an internal note (about a third of cases have a note). */
async function caseWithNote(page: Page): Promise<string> {
	for (let n = 1; n <= 40; n++) {
		const id = `case-${String(n).padStart(8, '0')}`;
		await page.goto(`${baseUrl}/cases/${id}`, { waitUntil: 'networkidle' });
		const thread = page.getByTestId('thread');
		if ((await thread.count()) === 0) continue;
		const roles = await thread.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-role')));
		if ((await page.getByTestId('internal-note').count()) > 0 && roles.includes('customer') && roles.includes('agent')) return id;
	}
	throw new Error('no demo case among the first 40 has a thread with an internal note');
}

describe('the case page shows the conversation', () => {
	test('messages in order, roles told apart, internal notes marked, times since the opening; readable at 390 px', async () => {
		const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'lead');
		const id = await caseWithNote(page);
		const items = page.getByTestId('thread').locator('li');
		const shown = await items.evaluateAll((lis) =>
			lis.map((li) => ({
				role: li.getAttribute('data-role'),
				isPublic: li.getAttribute('data-public'),
				time: li.querySelector('time')?.textContent ?? '',
				at: li.querySelector('time')?.getAttribute('datetime') ?? '',
				background: getComputedStyle(li).backgroundColor
			}))
		);
		expect(shown.length).toBeGreaterThanOrEqual(2);
		expect(shown.length).toBeLessThanOrEqual(8);
		// The customer opens the thread at the case's creation; times count from there and never go back.
		expect([shown[0].role, shown[0].time]).toEqual(['customer', '+0 min']);
		expect(shown.every((m) => /^\+\d+ (min|h|d)/.test(m.time))).toBe(true);
		expect(shown.every((m, i) => i === 0 || m.at >= shown[i - 1].at)).toBe(true);
		const background = (role: string, isPublic = 'true') => shown.find((m) => m.role === role && m.isPublic === isPublic)?.background;
		expect(new Set([background('customer'), background('agent'), background('agent', 'false')]).size).toBe(3);
		expect(await page.getByTestId('internal-note').first().innerText()).toBe('Internal note');
		expect(await page.getByTestId('case-thread').locator('h2').innerText()).toBe(`Conversation (${shown.length})`);
		await page.getByTestId('case-thread').scrollIntoViewIfNeeded();
		await screenshot(page, 'conversation-1280');

		await page.setViewportSize({ width: 390, height: 844 });
		await page.reload({ waitUntil: 'networkidle' });
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		await page.getByTestId('case-thread').scrollIntoViewIfNeeded();
		await screenshot(page, 'conversation-390');
		expect(errors).toEqual([]);
		await page.close();

		// A viewer sees the same thread with the customer's name shortened like a customer id.
		const viewer = await browser().newPage({ viewport: { width: 1280, height: 900 } });
		await loginAs(viewer, baseUrl, 'viewer');
		await viewer.goto(`${baseUrl}/cases/${id}`, { waitUntil: 'networkidle' });
		const names = await viewer.getByTestId('thread').locator('li[data-role="customer"] .name').allInnerTexts();
		expect(names.length).toBeGreaterThan(0);
		expect(names.every((n) => n.includes('•••'))).toBe(true);
		await viewer.close();
	});
});
