import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { generatePassword } from '$lib/core/auth/passwords.server';
import { setPassword } from '$lib/core/auth/users.server';
import { readJsonBody } from '$lib/core/validate';
import { passwordReset } from '$lib/core/auth/account-requests';
import { accountAnswer, answer } from '../../account-api.server';

/**
 * Gives an account a new password and ends its sessions: {password?}. Without a password one is
 * generated and answered once, as `caselens user reset-password` prints it.
 */
export const POST: RequestHandler = ({ request, locals, params }) =>
	accountAnswer(async () => {
		const body = await readJsonBody(request, passwordReset, 'Send {} for a generated password, or {"password": "..."}, with Content-Type: application/json.');
		const username = params.username.trim().toLowerCase();
		const password = body.password ?? generatePassword();
		const { db } = await getDatabase();
		await setPassword(db, username, password, locals.user?.username ?? 'unknown', 'user.reset_password');
		return answer({ username, ...(body.password === undefined ? { password } : {}) });
	});
