import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import { screenshot, useBrowser, watchErrors } from './chromium';
import { loginAs } from './session';

const baseUrl = inject('baseUrl');
const browser = useBrowser();
const dir = mkdtempSync(join(tmpdir(), 'caselens-upload-messages-'));

// Case ids of their own per run, so the shared server's demo threads stay as the other tests find
// them and no file is a duplicate of an earlier run's import.
const run = Date.now().toString(36);
const caseId = `MSG-${run}-1`;
const casesCsv = ['case_id,created_at,first_response_at,status,region,category,subject', `${caseId},2026-04-01 09:00:00,2026-04-01 09:25:00,solved,europe,wrong_item,Wrong colour`].join('\n');
const messagesCsv = [
	'case_id,sent_at,author_role,author_name,public,body',
	`${caseId},2026-04-01 09:00:00,customer,Ines,true,The sweater is green not blue (${run})`,
	`${caseId},2026-04-01 09:10:00,agent,Tom,false,Checked the order photo (${run})`,
	`${caseId},2026-04-01 09:25:00,agent,Tom,true,Sorry! A blue one is on its way (${run})`,
	`${caseId},2026-04-01 09:30:00,supervisor,Kim,true,Not a role`
].join('\n');

describe('upload page: conversations', () => {
	test('a canonical messages CSV: the format choice, the summary, and the thread on the case page; usable at 390 px', async () => {
		const casesPath = join(dir, `cases-${run}.csv`);
		const messagesPath = join(dir, `messages-${run}.csv`);
		writeFileSync(casesPath, `${casesCsv}\n`);
		writeFileSync(messagesPath, `${messagesCsv}\n`);
		const page = await browser().newPage({ viewport: { width: 1280, height: 1000 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'admin');

		// The case first, as cases.
		await page.goto(`${baseUrl}/imports/new`);
		await page.getByTestId('file-input').setInputFiles(casesPath);
		await page.getByTestId('import-button').click();
		await page.getByTestId('batch-summary').waitFor();
		expect(await page.getByTestId('accepted').innerText()).toBe('1');

		// Then its conversation: the third kind, no mapping editor, a layout to choose.
		await page.goto(`${baseUrl}/imports/new`, { waitUntil: 'networkidle' });
		await page.getByTestId('kind-messages').check();
		const formats = page.getByTestId('message-formats');
		await formats.waitFor();
		expect(await formats.locator('input[type="radio"]').count()).toBe(4);
		expect(await formats.innerText()).toMatch(/Zendesk ticket comments[\s\S]*Tweets with reply links/);
		expect(await page.getByTestId('no-mapping-note').innerText()).toContain('needs no column mapping');
		await page.getByTestId('file-input').setInputFiles(messagesPath);
		await expect.poll(() => page.getByTestId('detected-message-format').innerText()).toBe('Canonical messages (CSV, NDJSON or JSON)');
		expect(await page.locator('#mapping-choice').count()).toBe(0);
		expect(await page.getByTestId('typed-preview').count()).toBe(0);
		expect(await page.getByTestId('import-button').innerText()).toBe('Import messages');

		await page.setViewportSize({ width: 390, height: 844 });
		await screenshot(page, 'upload-messages-390');
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

		await page.getByTestId('import-button').click();
		await page.getByTestId('batch-summary').waitFor();
		expect(await page.getByTestId('rows-read').innerText()).toBe('4');
		expect(await page.getByTestId('accepted').innerText()).toBe('3');
		expect(await page.getByTestId('rejected').innerText()).toBe('1');
		expect(await page.getByTestId('messages-format').innerText()).toBe('read as Canonical messages (CSV, NDJSON or JSON) (recognised from the file)');
		const outcome = await page.getByTestId('messages-outcome').innerText();
		expect(outcome).toContain('1 cases with messages');
		expect(outcome).toMatch(/customer 1, agent 2; 1 internal notes/);
		expect(outcome).toContain("for 1 of 1 cases the thread's first public agent reply matches the case's first_response_at");
		expect(await page.getByTestId('batch-summary').innerText()).toContain('author_role: "…" is not customer, agent, system or bot');
		await screenshot(page, 'upload-messages-result-390');
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		await page.setViewportSize({ width: 1280, height: 1000 });
		await screenshot(page, 'upload-messages-result');

		// The batch lists as messages, with its rejected row.
		const batchHref = await page.locator('h2 a[href^="/imports/"]').getAttribute('href');
		await page.getByTestId('thread-link').filter({ hasText: caseId }).click();
		await page.waitForURL((url) => url.pathname === `/cases/${caseId}`);
		const items = page.getByTestId('thread').locator('li');
		await expect.poll(() => items.count()).toBe(3);
		const shown = await items.evaluateAll((lis) => lis.map((li) => ({ role: li.getAttribute('data-role'), isPublic: li.getAttribute('data-public'), body: li.querySelector('.body')?.textContent ?? '', time: li.querySelector('time')?.textContent ?? '' })));
		expect(shown).toEqual([
			{ role: 'customer', isPublic: 'true', body: `The sweater is green not blue (${run})`, time: '+0 min' },
			{ role: 'agent', isPublic: 'false', body: `Checked the order photo (${run})`, time: '+10 min' },
			{ role: 'agent', isPublic: 'true', body: `Sorry! A blue one is on its way (${run})`, time: '+25 min' }
		]);
		expect(await page.getByTestId('internal-note').count()).toBe(1);
		await screenshot(page, 'upload-messages-thread');

		await page.goto(`${baseUrl}/imports`);
		const row = page.locator('tbody tr', { has: page.locator(`a[href="${batchHref}"]`) });
		expect(await row.innerText()).toMatch(/messages-.*\.csv[\s\S]*messages[\s\S]*committed[\s\S]*canonical/);
		await page.goto(`${baseUrl}${batchHref}`);
		const rejected = page.getByTestId('rejected-rows').locator('tbody tr');
		await expect.poll(() => rejected.count()).toBe(1);
		expect(await rejected.innerText()).toMatch(/^5\s[\s\S]*supervisor/);
		expect(errors).toEqual([]);
		await page.close();
	});
});
