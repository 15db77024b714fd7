import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { AccountError, attemptLogin, setPassword } from '$lib/core/auth/users.server';

export const load: PageServerLoad = async ({ locals }) => ({ user: locals.user });

export const actions: Actions = {
	default: async ({ request, locals }) => {
		const user = locals.user;
		if (!user || user.userId === 0) return fail(400, { message: 'Only a signed-in account can change its password.' });
		const form = await request.formData();
		const current = String(form.get('current') ?? '');
		const next = String(form.get('password') ?? '');
		if (next !== String(form.get('confirm') ?? '')) return fail(400, { message: 'The new password and its confirmation differ.' });
		const { db } = await getDatabase();
		const check = await attemptLogin(db, user.username, current);
		if (!check.ok) return fail(400, { message: check.reason === 'locked' ? 'The account is locked after repeated failures; try later.' : 'The current password is wrong.' });
		try {
			await setPassword(db, user.username, next, user.username, 'user.change_password');
		} catch (error) {
			if (error instanceof AccountError) return fail(400, { message: error.message });
			throw error;
		}
		return { changed: true };
	}
};
