import { failWith } from '$lib/core/http-errors.server';
import { AppError } from '$lib/core/errors';
import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { allowLoginAttempt } from '$lib/core/auth/login-throttle.server';
import { createSession, SESSION_COOKIE } from '$lib/core/auth/sessions.server';
import { attemptLogin, countUsers } from '$lib/core/auth/users.server';
import { safeNext } from '$lib/core/auth/safe-next';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, safeNext(url.searchParams.get('next')));
	const { db } = await getDatabase();
	return { noAccounts: (await countUsers(db)) === 0, next: safeNext(url.searchParams.get('next')) };
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) => {
		const form = await request.formData();
		const username = String(form.get('username') ?? '');
		const password = String(form.get('password') ?? '');
		const next = safeNext(String(form.get('next') ?? '/'));
		if (!allowLoginAttempt(getClientAddress())) {
			return failWith(new AppError('too_many_attempts', 'Too many sign-in attempts from this address.', 'Wait a minute and try again.', 429), { username });
		}
		const { db } = await getDatabase();
		const result = await attemptLogin(db, username, password);
		if (!result.ok) {
			const refusal =
				result.reason === 'locked'
					? new AppError('locked', `This account is locked after repeated failed sign-ins until ${result.lockedUntil?.toISOString().slice(11, 16)} UTC.`, 'Try again later, or ask an administrator to reset the password.', 423)
					: new AppError('wrong_credentials', 'The user name or password is wrong.', '');
			return failWith(refusal, { username });
		}
		const session = await createSession(db, result.user.userId);
		cookies.set(SESSION_COOKIE, session.token, {
			path: '/',
			httpOnly: true,
			sameSite: 'lax',
			secure: url.protocol === 'https:',
			expires: session.expiresAt
		});
		redirect(303, next);
	}
};
