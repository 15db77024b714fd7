import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/lib/core/db/database.server';
import { createSession, sessionUser } from '../../src/lib/core/auth/sessions.server';
import { AccountError, addUser, attemptLogin, listUsers, setActive, setPassword, setRole } from '../../src/lib/core/auth/users.server';
import { listAudit } from '../../src/lib/core/audit-log.server';

const PASSWORD = 'a-long-enough-password';
let open: OpenDatabase;

beforeEach(async () => {
	open = await openDatabase(':memory:');
	await addUser(open.db, { username: 'boss', role: 'admin', password: PASSWORD }, 'test');
	await addUser(open.db, { username: 'ana', role: 'lead', password: PASSWORD, displayName: 'Ana Ops' }, 'boss');
});

afterEach(async () => {
	await open.close();
});

async function refusal(change: Promise<unknown>): Promise<AccountError> {
	const error = await change.then(
		() => undefined,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(AccountError);
	return error as AccountError;
}

/** Signs in with the password check the login form uses and opens a session, as the form does. */
async function signIn(username: string) {
	const login = await attemptLogin(open.db, username, PASSWORD);
	if (!login.ok) throw new Error(`${username} could not sign in: ${login.reason}`);
	return { userId: login.user.userId, ...(await createSession(open.db, login.user.userId)) };
}

async function audit(action: string) {
	return (await listAudit(open.db, { action })).rows;
}

describe('user administration against DuckDB', () => {
	test('a role change applies to open sessions at once and is audited with before and after', async () => {
		const session = await signIn('ana');
		expect((await sessionUser(open.db, session.token))?.role).toBe('lead');

		expect(await setRole(open.db, 'ana', 'reviewer', 'boss')).toEqual({ changed: true, before: 'lead' });
		expect((await sessionUser(open.db, session.token))?.role).toBe('reviewer');
		const [record] = await audit('user.change_role');
		expect(record).toMatchObject({ actor: 'boss', target: 'ana' });
		expect(JSON.parse(record.before_json!)).toEqual({ role: 'lead' });
		expect(JSON.parse(record.after_json!)).toEqual({ role: 'reviewer' });

		// The same role again changes nothing and records nothing.
		expect((await setRole(open.db, 'ana', 'reviewer', 'boss')).changed).toBe(false);
		expect(await audit('user.change_role')).toHaveLength(1);
	});

	test('an unknown role or account is refused naming the field', async () => {
		const role = await refusal(setRole(open.db, 'ana', 'superuser', 'boss'));
		expect(role.field).toBe('role');
		expect(role.message).toMatch(/"superuser" is not a role/);
		const user = await refusal(setActive(open.db, 'nobody', false, 'boss'));
		expect(user.field).toBe('username');
		expect(user.message).toMatch(/no user called "nobody"/);
		const name = await refusal(addUser(open.db, { username: 'Bad Name!', role: 'viewer', password: PASSWORD }, 'boss'));
		expect(name.field).toBe('username');
		expect(name.message).toMatch(/user name/);
	});

	test('a deactivated account cannot sign in and its sessions end; reactivated, it signs in again', async () => {
		const first = await signIn('ana');
		const { userId } = first;
		const sessions = [first, await signIn('ana')];

		expect(await setActive(open.db, 'ana', false, 'boss')).toEqual({ changed: true });
		for (const s of sessions) expect(await sessionUser(open.db, s.token)).toBeUndefined();
		expect(await open.db.selectFrom('sessions').select('token_hash').where('user_id', '=', userId).execute()).toEqual([]);
		// Refused with the same answer as a wrong password, so the form does not tell who exists.
		expect(await attemptLogin(open.db, 'ana', PASSWORD)).toEqual({ ok: false, reason: 'invalid' });
		expect((await listUsers(open.db)).find((u) => u.username === 'ana')?.disabled).toBe(true);

		expect(await setActive(open.db, 'ana', true, 'boss')).toEqual({ changed: true });
		expect((await attemptLogin(open.db, 'ana', PASSWORD)).ok).toBe(true);
		// The old sessions stay ended: reactivation does not revive them.
		for (const s of sessions) expect(await sessionUser(open.db, s.token)).toBeUndefined();

		const [off] = await audit('user.deactivate');
		const [on] = await audit('user.reactivate');
		expect(off).toMatchObject({ actor: 'boss', target: 'ana', before_json: '{"active":true}', after_json: '{"active":false}' });
		expect(on).toMatchObject({ actor: 'boss', target: 'ana', before_json: '{"active":false}', after_json: '{"active":true}' });
	});

	test('reactivating lifts a lockout; a reset password ends sessions and is audited', async () => {
		for (let i = 0; i < 5; i++) await attemptLogin(open.db, 'ana', `wrong-${i}`);
		expect((await attemptLogin(open.db, 'ana', PASSWORD)).ok).toBe(false);
		await setActive(open.db, 'ana', false, 'boss');
		await setActive(open.db, 'ana', true, 'boss');
		expect((await attemptLogin(open.db, 'ana', PASSWORD)).ok).toBe(true);

		const session = await signIn('ana');
		await setPassword(open.db, 'ana', 'another-long-password', 'boss', 'user.reset_password');
		expect(await sessionUser(open.db, session.token)).toBeUndefined();
		expect((await attemptLogin(open.db, 'ana', PASSWORD)).ok).toBe(false);
		expect((await attemptLogin(open.db, 'ana', 'another-long-password')).ok).toBe(true);
		expect(await audit('user.reset_password')).toMatchObject([{ actor: 'boss', target: 'ana' }]);
	});

	test('the last active administrator can be neither demoted nor deactivated, by themselves or anyone', async () => {
		const demote = await refusal(setRole(open.db, 'boss', 'viewer', 'boss'));
		expect(demote.field).toBe('role');
		expect(demote.message).toMatch(/^You are the last active administrator/);
		const stop = await refusal(setActive(open.db, 'boss', false, 'boss'));
		expect(stop.field).toBe('status');
		expect(stop.message).toMatch(/^You are the last active administrator/);
		// The command line (an actor without an account) meets the same rule, naming the account.
		expect((await refusal(setActive(open.db, 'boss', false, 'cli:root'))).message).toMatch(/^boss is the last active administrator/);

		// A deactivated administrator does not count: ana is made admin, then deactivated.
		await setRole(open.db, 'ana', 'admin', 'boss');
		await setActive(open.db, 'ana', false, 'boss');
		await refusal(setRole(open.db, 'boss', 'lead', 'boss'));

		// With a second active administrator, either may step down; then the other is the last.
		await setActive(open.db, 'ana', true, 'boss');
		expect((await setRole(open.db, 'boss', 'lead', 'boss')).changed).toBe(true);
		expect((await refusal(setActive(open.db, 'ana', false, 'boss'))).message).toMatch(/^ana is the last active administrator/);
		expect((await listUsers(open.db)).map((u) => [u.username, u.role, u.disabled])).toEqual([
			['ana', 'admin', false],
			['boss', 'lead', false]
		]);
		// Refusals leave no record.
		expect((await audit('user.change_role')).map((r) => `${r.actor} ${r.target} ${r.after_json}`)).toEqual(['boss boss {"role":"lead"}', 'boss ana {"role":"admin"}']);
	});

	test('two administrators demoting each other at the same moment leave one administrator', async () => {
		await setRole(open.db, 'ana', 'admin', 'boss');
		const results = await Promise.allSettled([setRole(open.db, 'ana', 'viewer', 'boss'), setRole(open.db, 'boss', 'viewer', 'ana')]);
		expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
		const admins = (await listUsers(open.db)).filter((u) => u.role === 'admin' && !u.disabled);
		expect(admins).toHaveLength(1);
	});

	test('a successful sign-in is recorded as the last sign-in; a failed one is not', async () => {
		const before = (await listUsers(open.db)).find((u) => u.username === 'ana');
		expect(before?.last_login_at).toBeNull();
		await attemptLogin(open.db, 'ana', 'wrong-password');
		expect((await listUsers(open.db)).find((u) => u.username === 'ana')?.last_login_at).toBeNull();
		const started = Date.now();
		await attemptLogin(open.db, 'ana', PASSWORD);
		const at = (await listUsers(open.db)).find((u) => u.username === 'ana')?.last_login_at;
		expect(at).toBeInstanceOf(Date);
		expect(Math.abs((at as Date).getTime() - started)).toBeLessThan(60_000);
	});
});
