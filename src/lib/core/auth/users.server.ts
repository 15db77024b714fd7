import { AppError } from '../errors';
import { withLock } from '../keyed-lock';
import type { Kysely } from 'kysely';
import { isRole, ROLES, type Role, type SessionUser } from './roles';
import { recordAudit } from '../audit-log.server';
import { can, rolesFor } from './access-rules';
import type { Database } from '../db/schema';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.server';

/** Which form field a refusal is about, so a page can show it next to that field. */
export type AccountField = 'username' | 'display_name' | 'role' | 'password' | 'status';

export class AccountError extends AppError {
	constructor(
		message: string,
		readonly field?: AccountField
	) {
		super('account_refused', message, 'Nothing was changed.');
	}
}

/** Lockout after this many consecutive failures, for this long. */
export const LOCKOUT = { failures: 5, minutes: 15 } as const;

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,39}$/;
const DISPLAY_NAME_MAX = 200;

function roleProblem(role: string): string {
	return `"${role}" is not a role; use one of ${ROLES.join(', ')}.`;
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
	const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
	return row.n;
}

export async function addUser(db: Kysely<Database>, input: { username: string; role: string; password: string; displayName?: string }, actor: string): Promise<SessionUser> {
	const username = input.username.trim().toLowerCase();
	if (!USERNAME.test(username)) throw new AccountError(`"${input.username}" is not a usable user name: use 2-40 lower-case letters, digits, dots, dashes or underscores.`, 'username');
	if (!isRole(input.role)) throw new AccountError(roleProblem(input.role), 'role');
	if ((input.displayName?.length ?? 0) > DISPLAY_NAME_MAX) throw new AccountError(`The display name must have at most ${DISPLAY_NAME_MAX} characters.`, 'display_name');
	const problem = passwordProblem(input.password);
	if (problem) throw new AccountError(problem, 'password');
	const existing = await db.selectFrom('users').select('user_id').where('username', '=', username).executeTakeFirst();
	if (existing) throw new AccountError(`A user called "${username}" already exists; give it a new password under Admin → Users or with "caselens user reset-password ${username}".`, 'username');
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
	if (problem) throw new AccountError(problem, 'password');
	const user = await db.selectFrom('users').select(['user_id']).where('username', '=', username).executeTakeFirst();
	if (!user) throw new AccountError(`There is no user called "${username}".`, 'username');
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
		await db.updateTable('users').set({ failed_logins: 0, locked_until: null, last_login_at: now }).where('user_id', '=', user.user_id).execute();
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
	return db.selectFrom('users').select(['user_id', 'username', 'display_name', 'role', 'created_at', 'password_changed_at', 'locked_until', 'disabled', 'last_login_at']).orderBy('username').execute();
}

/**
 * Role changes and deactivations queue on one key: each checks that an active administrator
 * remains, and two admins demoting each other at once must not both pass that check (DuckDB
 * would let both transactions commit, as they update different rows).
 */
const ADMIN_CHANGES = 'users:admins';

async function accountRow(db: Kysely<Database>, username: string) {
	const user = await db.selectFrom('users').select(['user_id', 'username', 'role', 'disabled']).where('username', '=', username.trim().toLowerCase()).executeTakeFirst();
	if (!user) throw new AccountError(`There is no user called "${username}".`, 'username');
	return user;
}

/**
 * Refuses a change that would leave no active account allowed to manage accounts ("users.admin"
 * in access-rules.ts), since nobody could then undo it from the browser.
 */
async function keepAnAdmin(db: Kysely<Database>, user: { user_id: number; username: string; role: string; disabled: boolean }, actor: string, field: 'role' | 'status'): Promise<void> {
	if (!isRole(user.role) || !can(user.role, 'users.admin') || user.disabled) return;
	const others = await db
		.selectFrom('users')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('role', 'in', rolesFor('users.admin'))
		.where('disabled', '=', false)
		.where('user_id', '!=', user.user_id)
		.executeTakeFirstOrThrow();
	if (Number(others.n) > 0) return;
	const self = actor === user.username;
	const change = `${field === 'role' ? 'demoting' : 'deactivating'} ${self ? 'yourself' : 'them'}`;
	throw new AccountError(`${self ? 'You are' : `${user.username} is`} the last active administrator, so ${change} would leave nobody able to manage accounts. Make another account an administrator first.`, field);
}

/** Gives an account another role; its open sessions carry the new role from their next request. */
export async function setRole(db: Kysely<Database>, username: string, role: string, actor: string): Promise<{ changed: boolean; before: string }> {
	if (!isRole(role)) throw new AccountError(roleProblem(role), 'role');
	return withLock(ADMIN_CHANGES, async () => {
		const user = await accountRow(db, username);
		if (user.role === role) return { changed: false, before: user.role };
		if (!can(role, 'users.admin')) await keepAnAdmin(db, user, actor, 'role');
		await db.transaction().execute(async (trx) => {
			await trx.updateTable('users').set({ role }).where('user_id', '=', user.user_id).execute();
			await recordAudit(trx, { actor, action: 'user.change_role', target: user.username, before: { role: user.role }, after: { role } });
		});
		return { changed: true, before: user.role };
	});
}

/**
 * Deactivates or reactivates an account. A deactivated account cannot sign in (attemptLogin) and
 * its sessions are deleted here, so it is signed out at its next request; the row stays, so the
 * audit trail and the reviews it wrote keep naming it.
 */
export async function setActive(db: Kysely<Database>, username: string, active: boolean, actor: string): Promise<{ changed: boolean }> {
	return withLock(ADMIN_CHANGES, async () => {
		const user = await accountRow(db, username);
		if (user.disabled === !active) return { changed: false };
		if (!active) await keepAnAdmin(db, user, actor, 'status');
		await db.transaction().execute(async (trx) => {
			// A reactivated account starts without the lockout it may have had when it was stopped.
			await trx.updateTable('users').set(active ? { disabled: false, failed_logins: 0, locked_until: null } : { disabled: true }).where('user_id', '=', user.user_id).execute();
			if (!active) await trx.deleteFrom('sessions').where('user_id', '=', user.user_id).execute();
			await recordAudit(trx, { actor, action: active ? 'user.reactivate' : 'user.deactivate', target: user.username, before: { active: !active }, after: { active } });
		});
		return { changed: true };
	});
}
