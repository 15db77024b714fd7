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
		// 5 rows: one bad date, one resolved before created, one id twice (the last row wins).
		expect(await page.getByTestId('rows-read').innerText()).toBe('5');
		expect(await page.getByTestId('accepted').innerText()).toBe('2');
		expect(await page.getByTestId('rejected').innerText()).toBe('3');
		await screenshot(page, 'upload-result');

		await page.getByRole('link', { name: /See the 3 rejected rows/ }).click();
		const rows = page.getByTestId('rejected-rows').locator('tbody tr');
		await expect.poll(() => rows.count()).toBe(3);
		const texts = await rows.allInnerTexts();
		expect(texts[0]).toMatch(/^3\s/);
		expect(texts[0]).toContain('created_at');
		expect(texts[0]).toContain('01/03/2026');
		expect(texts[1]).toMatch(/^4\s/);
		expect(texts[1]).toContain('resolved_at');
		expect(texts[2]).toMatch(/^5\s/);
		expect(texts[2]).toContain('duplicate case_id');
		expect(texts[2]).toContain('line 6');
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
});
