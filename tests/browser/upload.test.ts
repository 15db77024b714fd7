import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import { useBrowser, screenshot, watchErrors } from './chromium';
import { account, loginAs, sessionCookie } from './session';

const baseUrl = inject('baseUrl');
const browser = useBrowser();
const dir = mkdtempSync(join(tmpdir(), 'caselens-upload-'));

// Unique ids per run so the file is never a duplicate of an earlier run's import.
const run = Date.now().toString(36);
const csv = [
	'case_id;created_at;resolved_at;status;region;category;subject',
	`U-${run}-1;2026-03-01 10:00:00;2026-03-02 09:00:00;solved;europe;refund_request;Refund late`,
	`U-${run}-2;01/03/2026;;open;europe;defect;Broken zip`,
	`U-${run}-3;2026-03-01 11:00:00;2026-02-28 11:00:00;solved;latam;wrong_item;Wrong size`,
	`U-${run}-4;2026-03-02 08:00:00;;pending;latam;transit_damage;"Box crushed; item ""ok"""`,
	`U-${run}-4;2026-03-03 08:00:00;;open;latam;transit_damage;Box crushed (second message)`
].join('\r\n');

describe('upload page', () => {
	test('a CSV uploaded through the page gives the expected summary and rejected rows', async () => {
		const path = join(dir, `cases-${run}.csv`);
		writeFileSync(path, `\uFEFF${csv}\r\n`);
		const page = await browser().newPage({ viewport: { width: 1280, height: 1000 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'admin');
		await page.goto(`${baseUrl}/imports/new`);
		await page.getByTestId('file-input').setInputFiles(path);
		await expect.poll(() => page.getByTestId('detected-preset').innerText()).toBe('Canonical columns');
		await expect.poll(() => page.locator('.preview tbody tr').count()).toBe(5);
		await screenshot(page, 'upload-preview');
		await page.getByTestId('import-button').click();
		await page.getByTestId('batch-summary').waitFor();
		// 5 rows: one bad date, one resolved before created (kept, the time dropped), one id twice (the last row wins).
		expect(await page.getByTestId('rows-read').innerText()).toBe('5');
		expect(await page.getByTestId('accepted').innerText()).toBe('3');
		expect(await page.getByTestId('rejected').innerText()).toBe('2');
		await screenshot(page, 'upload-result');

		await page.getByRole('link', { name: /See the 2 rejected rows/ }).click();
		const rows = page.getByTestId('rejected-rows').locator('tbody tr');
		await expect.poll(() => rows.count()).toBe(2);
		const texts = await rows.allInnerTexts();
		expect(texts[0]).toMatch(/^3\s/);
		expect(texts[0]).toContain('created_at');
		expect(texts[0]).toContain('01/03/2026');
		expect(texts[1]).toMatch(/^5\s/);
		expect(texts[1]).toContain('duplicate case_id');
		expect(texts[1]).toContain('line 6');
		await screenshot(page, 'batch-rejected');

		const href = await page.getByRole('link', { name: 'Download all as CSV' }).getAttribute('href');
		const download = await page.evaluate(async (url) => (await fetch(url)).text(), href ?? '');
		expect(download.split('\r\n')[0]).toBe('line,reason,raw');
		expect(download).toContain('01/03/2026');
		expect(errors).toEqual([]);
		await page.close();
	});

	test('an empty file is refused with a clear message and changes nothing', async () => {
		const cookie = await sessionCookie(baseUrl, account('admin').username, account('admin').password);
		const committed = async () => ((await (await fetch(`${baseUrl}/api/imports`, { headers: { cookie } })).json()) as { status: string }[]).filter((b) => b.status === 'committed').length;
		const before = await committed();
		const path = join(dir, 'empty.csv');
		writeFileSync(path, '');
		const page = await browser().newPage();
		await loginAs(page, baseUrl, 'admin');
		await page.goto(`${baseUrl}/imports/new`);
		await page.getByTestId('file-input').setInputFiles(path);
		await page.getByTestId('import-button').click();
		const alert = page.getByTestId('upload-error');
		await alert.waitFor();
		expect(await alert.innerText()).toMatch(/empty/i);
		expect(await committed()).toBe(before);
		await page.close();
	});

	test('the hand mapping editor: typed preview, "map to" for an unknown status, saved by name, imported', async () => {
		// Headers that no preset knows, numeric times whose order nothing in the file settles, and a status outside the list.
		const rows = [
			'Ticket,Opened,State,Area,Topic,Via',
			`M-${run}-1,11/01/2026 14:30,open,europe,refund_request,Email`,
			`M-${run}-2,01/02/2026 09:05,On Hold,europe,defect,Web`,
			`M-${run}-3,02/02/2026 17:45,solved,latam,defect,Phone`,
			`M-${run}-4,03/02/2026 08:00,on hold,latam,wrong_item,Chat`
		];
		const path = join(dir, `helpdesk-${run}.csv`);
		writeFileSync(path, `${rows.join('\n')}\n`);
		const name = `qa-desk-${run}`;
		const page = await browser().newPage({ viewport: { width: 1280, height: 1000 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'admin');
		await page.goto(`${baseUrl}/imports/new`);
		await page.getByTestId('file-input').setInputFiles(path);

		// Automatic mapping: the names match, but 11/01/2026 is 11 January or 1 November, and no day
		// above 12 settles it: the preview says so, with both readings, before anything is imported.
		const summary = page.getByTestId('typed-summary');
		const refusal = page.getByTestId('typed-preview-error');
		await expect.poll(() => refusal.innerText()).toMatch(/11 January 2026 \(day first\) or 1 November 2026 \(month first\)/);

		await page.locator('#mapping-choice').selectOption('custom');
		await page.getByTestId('mapping-editor').waitFor();
		expect(await page.getByLabel('Source column for status').inputValue()).toBe('State');
		await page.getByLabel('Date format for created_at').selectOption('%d/%m/%Y %H:%M');
		await expect.poll(() => summary.innerText()).toMatch(/4 would be imported\./);
		const typedCell = (row: number, column: string) =>
			page.evaluate(
				([r, c]) => {
					const table = document.querySelector('[data-testid="typed-preview"] table');
					const names = [...(table?.querySelectorAll('thead th') ?? [])].map((th) => th.textContent?.trim());
					const body = [...(table?.querySelectorAll('tbody tr:not(.why)') ?? [])];
					return body[r as number]?.querySelectorAll('td')[names.indexOf(c as string)]?.textContent?.trim() ?? null;
				},
				[row, column]
			);
		expect(await typedCell(0, 'created_at')).toBe('2026-01-11T14:30:00Z');
		expect(await page.getByTestId('seen-created_at').innerText()).toContain('2026-01-11T14:30:00Z');

		// Both spellings of the unknown status are one entry: a value table matches case-insensitively.
		const unknown = page.getByTestId('unknown-status');
		await expect.poll(() => unknown.count()).toBe(1);
		expect(await unknown.innerText()).toMatch(/“On Hold” × 2, stored as on_hold/);
		expect(await typedCell(1, 'status')).toBe('on_hold');
		await page.setViewportSize({ width: 1280, height: 1000 });
		await screenshot(page, 'mapping-editor-1280');
		await page.getByLabel('Map status “On Hold” to').selectOption('pending');

		// One click: the entry is in the value table, and the preview follows.
		expect(await page.getByLabel('File value 1 for status').inputValue()).toBe('On Hold');
		expect(await page.getByLabel('Stored value 1 for status').inputValue()).toBe('pending');
		await expect.poll(() => typedCell(1, 'status')).toBe('pending');
		expect(await typedCell(3, 'status')).toBe('pending');
		await expect.poll(() => unknown.count()).toBe(0);
		expect(await page.getByTestId('unknown-channel').count()).toBe(0);

		await page.setViewportSize({ width: 390, height: 844 });
		await screenshot(page, 'mapping-editor-390');
		// On a phone the page itself does not scroll sideways: the preview table scrolls in its box.
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		await page.setViewportSize({ width: 1280, height: 1000 });

		await page.getByLabel('Mapping name').fill(name);
		await page.getByRole('button', { name: 'Save mapping' }).click();
		await expect.poll(() => page.getByTestId('saved-note').innerText()).toContain(`Saved as "${name}"`);
		await expect.poll(() => page.locator('#mapping-choice option', { hasText: `Saved: ${name}` }).count()).toBe(1);

		await page.getByTestId('import-button').click();
		await page.getByTestId('batch-summary').waitFor();
		expect(await page.getByTestId('rows-read').innerText()).toBe('4');
		expect(await page.getByTestId('accepted').innerText()).toBe('4');
		expect(await page.getByTestId('rejected').innerText()).toBe('0');
		expect(await page.getByTestId('batch-summary').innerText()).toContain(`mapping mapping:${name}`);
		await screenshot(page, 'mapping-editor-imported');

		// The saved mapping opens in the editor again, value table and format included.
		await page.locator('#mapping-choice').selectOption(`saved:${name}`);
		await page.getByTestId('open-editor').click();
		expect(await page.getByLabel('Date format for created_at').inputValue()).toBe('%d/%m/%Y %H:%M');
		expect(await page.getByLabel('File value 1 for status').inputValue()).toBe('On Hold');
		expect(await page.getByLabel('Mapping name').inputValue()).toBe(name);
		// The one expected failure: the preview's 400 for the dates nothing settled (shown on the page above).
		expect(errors.filter((e) => !e.includes('status of 400 (Bad Request)'))).toEqual([]);
		await page.close();
	});

	test('a second file from the page: Salesforce cases take their country from the Account export', async () => {
		// Salesforce's Data Loader layout (as in tests/fixtures/external/salesforce), a few rows, so the
		// shared server's regions keep their shape for the other pages' tests.
		const caseFile = join(dir, `Case-${run}.csv`);
		const accountFile = join(dir, `Account-${run}.csv`);
		writeFileSync(
			caseFile,
			[
				'Id,CaseNumber,AccountId,Type,Status,Reason,Origin,Subject,Priority,IsClosed,ClosedDate,IsEscalated,OwnerId,CreatedDate',
				`5001,SF-${run}-1,ACC-${run}-1,Billing,Closed,Billing,Email,Question about my billing,Medium,1,2026-10-02T10:00:00.000+0000,,005A,2026-10-01T10:00:00.000+0000`,
				`5002,SF-${run}-2,ACC-${run}-2,Support,New,Support,Phone,Need help,Low,,,,005A,2026-10-03T08:00:00.000+0000`,
				`5003,SF-${run}-3,ACC-${run}-1,Claim,Escalated,Claim,Web,Status of claim,High,,,1,005A,2026-10-04T09:00:00.000+0000`
			].join('\n') + '\n'
		);
		writeFileSync(accountFile, ['Id,Name,BillingCountry', `ACC-${run}-1,Aloha Industries,DE`, `ACC-${run}-2,First Chacon Finance,BR`].join('\n') + '\n');
		const page = await browser().newPage({ viewport: { width: 1280, height: 1000 } });
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'admin');
		await page.goto(`${baseUrl}/imports/new`);
		await page.getByTestId('file-input').setInputFiles(caseFile);
		// The detected preset looks countries up in the accounts export: the page asks for it.
		await page.getByTestId('lookup-file-accounts').setInputFiles(accountFile);
		await page.getByTestId('import-button').click();
		await page.getByTestId('batch-summary').waitFor({ timeout: 60_000 });
		expect(await page.getByTestId('accepted').innerText()).toBe('3');
		const countryRow = page.locator('[data-testid="batch-summary"] tr', { hasText: 'looked up in accounts' });
		expect(await countryRow.innerText()).toMatch(/country\s+3\b/);
		expect(errors).toEqual([]);
		await page.close();
	});

	test('the preview endpoint answers a broken mapping with bad_mapping and writes nothing', async () => {
		const cookie = await sessionCookie(baseUrl, account('admin').username, account('admin').password);
		const post = (query: string, body: string) => fetch(`${baseUrl}/api/imports/preview?${query}`, { method: 'POST', headers: { cookie, origin: baseUrl, 'content-type': 'application/octet-stream' }, body });
		const batches = async () => ((await (await fetch(`${baseUrl}/api/imports`, { headers: { cookie } })).json()) as unknown[]).length;
		const before = await batches();
		const csvBody = 'Ticket,Opened,State\nP-1,2026-01-01 10:00:00,open\n';
		const broken = await post(`kind=cases&mapping=${encodeURIComponent(JSON.stringify({ columns: { case_id: { from: 5 } } }))}`, csvBody);
		expect(broken.status).toBe(400);
		expect(await broken.json()).toEqual({ message: expect.stringContaining('columns.case_id.from must be text'), hint: expect.any(String), code: 'bad_mapping' });
		const missing = await post(`kind=cases&mapping=${encodeURIComponent(JSON.stringify({ columns: { case_id: 'Nope', created_at: 'Opened', status: 'State' } }))}`, csvBody);
		expect(missing.status).toBe(400);
		expect(await missing.json()).toMatchObject({ code: 'missing_column', headers: ['Ticket', 'Opened', 'State'] });
		const ok = await post('kind=cases', csvBody);
		expect(ok.status).toBe(200);
		expect(((await ok.json()) as { lines: number[] }).lines).toEqual([2]);
		const viewer = await sessionCookie(baseUrl, account('qa_manager').username, account('qa_manager').password);
		const refused = await fetch(`${baseUrl}/api/imports/preview?kind=cases`, { method: 'POST', headers: { cookie: viewer, origin: baseUrl }, body: csvBody });
		expect(refused.status).toBe(403);
		expect(await batches()).toBe(before);
	});
});
