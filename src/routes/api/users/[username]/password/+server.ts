import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { generatePassword } from '$lib/core/auth/passwords.server';
import { setPassword } from '$lib/core/auth/users.server';
import { accountChange, answer, readFields } from '../../account-api.server';

/**
 * Gives an account a new password and ends its sessions: {password?}. Without a password one is
 * generated and answered once, as `caselens user reset-password` prints it.
 */
export const POST: RequestHandler = async ({ request, locals, params }) => {
	const body = await readFields(request, { password: { required: false, max: 1024 } } as const);
	if (body instanceof Response) return body;
	const username = params.username.trim().toLowerCase();
	const password = body.password ?? generatePassword();
	const { db } = await getDatabase();
	return accountChange(async () => {
		await setPassword(db, username, password, locals.user?.username ?? 'unknown', 'user.reset_password');
		return answer({ username, ...(body.password === undefined ? { password } : {}) });
	});
};
