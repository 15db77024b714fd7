import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { generatePassword } from '$lib/core/auth/passwords.server';
import { addUser, listUsers } from '$lib/core/auth/users.server';
import { readJsonBody } from '$lib/core/validate';
import { newAccount } from '$lib/core/auth/account-requests';
import { accountAnswer, answer } from './account-api.server';

/** The accounts, without their password hashes (as Admin → Users shows them). */
export const GET: RequestHandler = async () => {
	const { db } = await getDatabase();
	return answer(await listUsers(db));
};

/**
 * Adds an account: {username, role, display_name?, password?}. Without a password one is
 * generated and answered once, as `caselens user add` prints it.
 */
export const POST: RequestHandler = ({ request, locals }) =>
	accountAnswer(async () => {
		const body = await readJsonBody(request, newAccount, 'Send a JSON object {"username": ..., "role": ..., "display_name"?: ..., "password"?: ...} with Content-Type: application/json.');
		const password = body.password ?? generatePassword();
		const { db } = await getDatabase();
		const user = await addUser(db, { username: body.username, role: body.role, password, displayName: body.display_name }, locals.user?.username ?? 'unknown');
		return answer({ user_id: user.userId, username: user.username, display_name: user.displayName, role: user.role, ...(body.password === undefined ? { password } : {}) }, 201);
	});
