import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { generatePassword } from '$lib/core/auth/passwords.server';
import { addUser, listUsers } from '$lib/core/auth/users.server';
import { accountChange, answer, readFields } from './account-api.server';

/** The accounts, without their password hashes (as Admin → Users shows them). */
export const GET: RequestHandler = async () => {
	const { db } = await getDatabase();
	return answer(await listUsers(db));
};

/**
 * Adds an account: {username, role, display_name?, password?}. Without a password one is
 * generated and answered once, as `caselens user add` prints it.
 */
export const POST: RequestHandler = async ({ request, locals }) => {
	const body = await readFields(request, {
		username: { required: true, max: 64 },
		role: { required: true, max: 32 },
		display_name: { required: false, max: 200 },
		password: { required: false, max: 1024 }
	} as const);
	if (body instanceof Response) return body;
	const password = body.password ?? generatePassword();
	const { db } = await getDatabase();
	return accountChange(async () => {
		const user = await addUser(db, { username: body.username, role: body.role, password, displayName: body.display_name }, locals.user?.username ?? 'unknown');
		return answer({ user_id: user.userId, username: user.username, display_name: user.displayName, role: user.role, ...(body.password === undefined ? { password } : {}) }, 201);
	});
};
