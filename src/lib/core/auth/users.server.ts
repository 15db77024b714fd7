import { withLock } from '../keyed-lock';
import type { Kysely } from 'kysely';
import { isRole, ROLES, type Role, type SessionUser } from './roles';
import { recordAudit } from '../audit-log.server';
import type { Database } from '../db/schema';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.server';

export class AccountError extends Error {}

/** Lockout after this many consecutive failures, for this long. */
export const LOCKOUT = { failures: 5, minutes: 15 } as const;

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,39}$/;

export async function countUsers(db: Kysely<Database>): Promise<number> {
	const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
	return row.n;
}

export async function addUser(db: Kysely<Database>, input: { username: string; role: string; password: string; displayName?: string }, actor: string): Promise<SessionUser> {
	const username = input.username.trim().toLowerCase();
	if (!USERNAME.test(username)) throw new AccountError(`"${input.username}" is not a usable user name: use 2-40 lower-case letters, digits, dots, dashes or underscores.`);
	if (!isRole(input.role)) throw new AccountError(`"${input.role}" is not a role; use one of ${ROLES.join(', ')}.`);
	const problem = passwordProblem(input.password);
	if (problem) throw new AccountError(problem);
	const existing = await db.selectFrom('users').select('user_id').where('username', '=', username).executeTakeFirst();
	if (existing) throw new AccountError(`A user called "${username}" already exists; use "caselens user reset-password ${username}" to give it a new password.`);
	const hash = await hashPassword(input.password);
	const now = new Date();
	return db.transaction().execute(async (trx) => {
		const row = await trx
			.insertInto('users')
			.values({ username, display_name: input.displayName?.trim() || username, role: input.role, password_hash: hash, created_at: now, password_changed_at: now })
			.returning(['user_id', 'username', 'display_name', 'role'])
			.executeTakeFirstOrThrow();
		await recordAudit(trx, { actor, action: 'user.add', target: username, after: { username, role: input.role, display_name: row.display_name } });
		return { userId: row.user_id, username: row.username, displayName: row.display_name, role: row.role as Role };
	});
}

export async function setPassword(db: Kysely<Database>, username: string, password: string, actor: string, action: 'user.reset_password' | 'user.change_password'): Promise<void> {
	const problem = passwordProblem(password);
	if (problem) throw new AccountError(problem);
	const user = await db.selectFrom('users').select(['user_id']).where('username', '=', username).executeTakeFirst();
	if (!user) throw new AccountError(`There is no user called "${username}".`);
	const hash = await hashPassword(password);
	await db.transaction().execute(async (trx) => {
		await trx.updateTable('users').set({ password_hash: hash, password_changed_at: new Date(), failed_logins: 0, locked_until: null }).where('user_id', '=', user.user_id).execute();
		// A new password ends every other session of the account.
		await trx.deleteFrom('sessions').where('user_id', '=', user.user_id).execute();
		await recordAudit(trx, { actor, action, target: username });
	});
}

export type LoginResult = { ok: true; user: SessionUser } | { ok: false; reason: 'invalid' | 'locked'; lockedUntil?: Date };

/**
 * Checks a password with a per-account lockout. The same answer is given for an unknown user and
 * a wrong password, and an unknown user still costs one hash, so neither timing nor wording
 * tells whether an account exists.
 */
export async function attemptLogin(db: Kysely<Database>, usernameInput: string, password: string): Promise<LoginResult> {
	const username = usernameInput.trim().toLowerCase();
	// One attempt per account at a time: parallel wrong passwords must each count, and never
	// collide on the counter's row (which gave 500s and no lockout).
	return withLock(`login:${username}`, () => checkLogin(db, username, password));
}

async function checkLogin(db: Kysely<Database>, username: string, password: string): Promise<LoginResult> {
	const user = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
	const now = new Date();
	if (!user || user.disabled) {
		await verifyPassword(password, 'scrypt$32768$8$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
		return { ok: false, reason: 'invalid' };
	}
	if (user.locked_until && user.locked_until > now) return { ok: false, reason: 'locked', lockedUntil: user.locked_until };
	if (await verifyPassword(password, user.password_hash)) {
		await db.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('user_id', '=', user.user_id).execute();
		return { ok: true, user: { userId: user.user_id, username: user.username, displayName: user.display_name, role: user.role as Role } };
	}
	const failures = user.failed_logins + 1;
	if (failures >= LOCKOUT.failures) {
		const lockedUntil = new Date(now.getTime() + LOCKOUT.minutes * 60_000);
		await db.transaction().execute(async (trx) => {
			await trx.updateTable('users').set({ failed_logins: 0, locked_until: lockedUntil }).where('user_id', '=', user.user_id).execute();
			await recordAudit(trx, { actor: 'system', action: 'user.lockout', target: username, after: { locked_until: lockedUntil.toISOString(), failures } });
		});
		return { ok: false, reason: 'locked', lockedUntil };
	}
	await db.updateTable('users').set({ failed_logins: failures }).where('user_id', '=', user.user_id).execute();
	return { ok: false, reason: 'invalid' };
}

export async function listUsers(db: Kysely<Database>) {
	return db.selectFrom('users').select(['user_id', 'username', 'display_name', 'role', 'created_at', 'password_changed_at', 'locked_until', 'disabled']).orderBy('username').execute();
}
