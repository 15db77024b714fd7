import { beforeAll, describe, expect, inject, test } from 'vitest';
import Papa from 'papaparse';
import { useBrowser, watchErrors } from './chromium';
import { account, loginAs, sessionCookie } from './session';

const baseUrl = inject('baseUrl');
const lockoutUser = inject('lockoutUser');
const browser = useBrowser();
let admin: string;
const CASE = 'case-00000001';

async function importFeedback(name: string, rows: string[][]): Promise<void> {
	const csv = rows.map((r) => r.map((v) => `"${v.replaceAll('"', '""')}"`).join(',')).join('\n');
	const response = await fetch(`${baseUrl}/api/imports?kind=feedback`, {
		method: 'POST',
		headers: { cookie: admin, origin: baseUrl, 'content-type': 'application/octet-stream', 'x-file-name': name },
		body: csv
	});
	expect(response.status, await response.clone().text()).toBe(200);
}

beforeAll(async () => {
	admin = await sessionCookie(baseUrl, account('admin').username, account('admin').password);
	const run = Date.now().toString(36);
	await importFeedback(`hostile-${run}.csv`, [
		['feedback_id', 'case_id', 'submitted_at', 'kind', 'csat', 'comment'],
		[`xss-${run}`, CASE, '2026-01-05 10:00:00', 'complaint', '1', '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'],
		[`pii-${run}`, CASE, '2026-01-05 11:00:00', 'complaint', '2', 'Write to ana.silva@example.com or call +55 11 98765-4321, account cust-0004242']
	]);
});

describe('security in the browser', () => {
	test('a comment with <script> and <img onerror> payloads is shown as text and never runs', async () => {
		const page = await browser().newPage();
		const errors = watchErrors(page);
		await loginAs(page, baseUrl, 'admin');
		await page.goto(`${baseUrl}/cases/${CASE}`);
		const comments = page.getByTestId('feedback-comment');
		await expect.poll(() => comments.allInnerTexts()).toContainEqual(expect.stringContaining('<script>window.__xss = 1</script>'));
		expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
		expect(await page.locator('[data-testid="feedback-comment"] img, [data-testid="feedback-comment"] script').count()).toBe(0);
		expect(errors).toEqual([]);
		await page.close();
	});

	test('a viewer sees personal data masked; an admin sees it', async () => {
		const viewer = await browser().newPage();
		await loginAs(viewer, baseUrl, 'viewer');
		await viewer.goto(`${baseUrl}/cases/${CASE}`);
		const seen = (await viewer.getByTestId('feedback-comment').allInnerTexts()).join('\n');
		expect(seen).toContain('Write to [email] or call [phone], account [customer id]');
		expect(seen).not.toContain('ana.silva@example.com');
		expect(seen).not.toContain('98765');
		expect(await viewer.locator('[data-field="customer_id"]').innerText()).toMatch(/•••/);
		await viewer.close();

		const adminPage = await browser().newPage();
		await loginAs(adminPage, baseUrl, 'admin');
		await adminPage.goto(`${baseUrl}/cases/${CASE}`);
		expect((await adminPage.getByTestId('feedback-comment').allInnerTexts()).join('\n')).toContain('ana.silva@example.com');
		await adminPage.close();
	});

	test('repeated wrong passwords lock the account, even against the right password', async () => {
		const page = await browser().newPage();
		await page.goto(`${baseUrl}/login`);
		const attempt = async (password: string, expected: RegExp) => {
			await page.getByLabel('User name').fill(lockoutUser.username);
			await page.getByLabel('Password').fill(password);
			// Wait for this attempt's answer, so no attempt overtakes another.
			await Promise.all([page.waitForResponse((r) => r.url().includes('/login') && r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in' }).click()]);
			// The answer arrives before the page shows it: on a busy machine the first read still found
			// the previous attempt's message. Wait for the expected one (a different answer times out).
			const error = page.getByTestId('login-error');
			await error.filter({ hasText: expected }).waitFor({ timeout: 15_000 });
			return error.innerText();
		};
		for (let i = 0; i < 4; i++) expect(await attempt(`wrong-password-${i}`, /wrong/)).toMatch(/wrong/);
		expect(await attempt('wrong-password-4', /locked/)).toMatch(/locked/);
		expect(await attempt(lockoutUser.password, /locked/)).toMatch(/locked/);
		expect(new URL(page.url()).pathname).toBe('/login');
		await page.close();
	});
});

describe('injection and export safety', () => {
	const payloads = ["' OR '1'='1", "'; DROP TABLE cases; --", '1; DELETE FROM audit_log', '%27%20OR%201=1', '"><script>alert(1)</script>', '\\', '%'];

	test('SQL injection payloads in every filter parameter change nothing and get a clean answer', async () => {
		const before = await fetch(`${baseUrl}/cases/${CASE}`, { headers: { cookie: admin } });
		expect(before.status).toBe(200);
		const urls = payloads.flatMap((p) => {
			const q = encodeURIComponent(p);
			return [`/imports/1?q=${q}`, `/imports/1?page=${q}`, `/admin/audit-log?actor=${q}`, `/admin/audit-log?action=${q}`, `/admin/audit-log?q=${q}`, `/admin/audit-log?page=${q}`, `/cases/${q}`, `/imports/${q}`];
		});
		for (const url of urls) {
			const response = await fetch(baseUrl + url, { headers: { cookie: admin }, redirect: 'manual' });
			expect([200, 404], url).toContain(response.status);
		}
		const after = await fetch(`${baseUrl}/cases/${CASE}`, { headers: { cookie: admin } });
		expect(after.status).toBe(200);
		const audit = await (await fetch(`${baseUrl}/admin/audit-log`, { headers: { cookie: admin } })).text();
		expect(audit).toContain('user.add');
	});

	test('a CSV export whose cell starts with a formula comes out neutralised', async () => {
		const run = Date.now().toString(36);
		// The subject comes first, so the rejected row's raw text (one cell of the export) starts with "=".
		const csv = `subject,case_id,created_at,status,region,category\n=2+5+cmd|' /C calc'!A0,f-${run},not a date,open,europe,defect\n`;
		const response = await fetch(`${baseUrl}/api/imports?kind=cases`, {
			method: 'POST',
			headers: { cookie: admin, origin: baseUrl, 'content-type': 'application/octet-stream', 'x-file-name': `formula-${run}.csv` },
			body: csv
		});
		const summary = (await response.json()) as { batch_id: number; rejected: number };
		expect(summary.rejected).toBe(1);
		const download = await (await fetch(`${baseUrl}/imports/${summary.batch_id}/rejected.csv`, { headers: { cookie: admin } })).text();
		const cells = Papa.parse<string[]>(download.trim()).data.flat();
		const raw = cells.find((c) => c.includes('cmd|'));
		expect(raw?.startsWith("'=2+5+cmd|")).toBe(true);
		expect(cells.filter((c) => /^[=+\-@]/.test(c))).toEqual([]);
	});
});

describe('audit trail', () => {
	test('records a policy edit with before and after, and no route can change it', async () => {
		const page = await browser().newPage();
		await loginAs(page, baseUrl, 'admin');
		await page.goto(`${baseUrl}/admin/policy`);
		const field = page.getByLabel('return_window_days');
		const original = await field.inputValue();
		await field.fill(String(Number(original) + 1));
		await page.getByLabel('Why this change').fill('test: one more day');
		await page.getByRole('button', { name: 'Save as a new version' }).click();
		await page.getByRole('status').waitFor();
		await page.goto(`${baseUrl}/admin/audit-log?action=policy.edit`);
		const row = await page.getByTestId('audit-rows').locator('tbody tr').first().innerText();
		expect(row).toContain(`"return_window_days":${original}`);
		expect(row).toContain(`"return_window_days":${Number(original) + 1}`);
		// Put the policy back for other tests (this is itself audited).
		await page.goto(`${baseUrl}/admin/policy`);
		await page.getByLabel('return_window_days').fill(original);
		await page.getByRole('button', { name: 'Save as a new version' }).click();
		await page.getByRole('status').waitFor();
		await page.close();

		for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
			const response = await fetch(`${baseUrl}/admin/audit-log`, { method, headers: { cookie: admin, origin: baseUrl, 'content-type': 'application/x-www-form-urlencoded' }, body: 'audit_id=1', redirect: 'manual' });
			expect(response.status, method).toBe(403);
		}
	});
});
