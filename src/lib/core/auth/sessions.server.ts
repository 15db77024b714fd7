import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Role, SessionUser } from './roles';
import type { Database } from '../db/schema';

export const SESSION_COOKIE = 'caselens_session';
/** Sessions end after 12 hours: a working day, then sign in again. */
export const SESSION_HOURS = 12;

function hashToken(token: string): string {
	return createHash('sha256').update(token).digest('hex');
}

export async function createSession(db: Kysely<Database>, userId: number): Promise<{ token: string; expiresAt: Date }> {
	const token = randomBytes(32).toString('base64url');
	const now = new Date();
	const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
	await db.insertInto('sessions').values({ token_hash: hashToken(token), user_id: userId, created_at: now, expires_at: expiresAt }).execute();
	return { token, expiresAt };
}

export async function sessionUser(db: Kysely<Database>, token: string | undefined): Promise<SessionUser | undefined> {
	if (!token || token.length > 100) return undefined;
	const row = await db
		.selectFrom('sessions')
		.innerJoin('users', 'users.user_id', 'sessions.user_id')
		.select(['users.user_id', 'users.username', 'users.display_name', 'users.role', 'users.disabled', 'sessions.expires_at'])
		.where('sessions.token_hash', '=', hashToken(token))
		.executeTakeFirst();
	if (!row || row.disabled || row.expires_at <= new Date()) return undefined;
	return { userId: row.user_id, username: row.username, displayName: row.display_name, role: row.role as Role };
}

export async function endSession(db: Kysely<Database>, token: string | undefined): Promise<void> {
	if (token) await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}

export async function purgeExpiredSessions(db: Kysely<Database>): Promise<void> {
	await db.deleteFrom('sessions').where('expires_at', '<=', new Date()).execute();
}
