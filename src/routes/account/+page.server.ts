import { failWith } from '$lib/core/http-errors.server';
import { AppError } from '$lib/core/errors';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { AccountError, attemptLogin, setPassword } from '$lib/core/auth/users.server';

export const load: PageServerLoad = async ({ locals }) => ({ user: locals.user });

export const actions: Actions = {
	default: async ({ request, locals }) => {
		const user = locals.user;
		if (!user || user.userId === 0) return failWith(new AppError('bad_request', 'Only a signed-in account can change its password.', 'Sign in with your own account, or use `caselens user reset-password` on the command line.'));
		const form = await request.formData();
		const current = String(form.get('current') ?? '');
		const next = String(form.get('password') ?? '');
		if (next !== String(form.get('confirm') ?? '')) return failWith(new AppError('bad_request', 'The new password and its confirmation differ.', 'Type the same new password in both fields.'));
		const { db } = await getDatabase();
		const check = await attemptLogin(db, user.username, current);
		if (!check.ok) return failWith(check.reason === 'locked' ? new AppError('locked', 'The account is locked after repeated failures.', 'Try again later, or ask an administrator to reset the password.', 423) : new AppError('bad_request', 'The current password is wrong.', 'Type the password you signed in with.'));
		try {
			await setPassword(db, user.username, next, user.username, 'user.change_password');
		} catch (error) {
			if (error instanceof AccountError) return failWith(error);
			throw error;
		}
		return { changed: true };
	}
};
