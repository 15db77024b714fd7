import type { ActionFailure } from '@sveltejs/kit';
import { AppError, type Problem } from '$lib/core/errors';
import { failWith } from '$lib/core/http-errors.server';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { generatePassword } from '$lib/core/auth/passwords.server';
import { AccountError, addUser, listUsers, setActive, setPassword, setRole, type AccountField } from '$lib/core/auth/users.server';

export const load: PageServerLoad = async ({ locals }) => {
	const { db } = await getDatabase();
	return { users: await listUsers(db), me: locals.user?.username ?? null };
};

type Action = 'add' | 'role' | 'status' | 'reset';

interface Refusal {
	action: Action;
	/** The account a row's form was about; absent for the add form. */
	username?: string;
	field?: AccountField;
	problem: Problem;
	values?: Record<string, string>;
}

function refuse(refusal: Omit<Refusal, 'problem'> & { message: string; hint?: string }): ActionFailure<Refusal> {
	const { message, hint = '', ...rest } = refusal;
	return failWith(new AppError('bad_request', message, hint), rest);
}

/** The form's text fields, trimmed; a file where text belongs counts as empty. */
async function fields(request: Request, names: readonly string[]): Promise<Record<string, string>> {
	const form = await request.formData();
	return Object.fromEntries(names.map((name) => [name, String(typeof form.get(name) === 'string' ? form.get(name) : '').trim()]));
}

/** Runs a change for one account's row, turning a service refusal into that row's message. */
async function rowChange<T>(action: Action, username: string, change: () => Promise<T>): Promise<T | ActionFailure<Refusal>> {
	if (!username) return refuse({ action, field: 'username', message: 'User name: the form does not say which account.', hint: 'Reload the page and try again.' });
	try {
		return await change();
	} catch (error) {
		if (error instanceof AccountError) return failWith(error, { action, username, field: error.field });
		throw error;
	}
}

export const actions: Actions = {
	add: async ({ request, locals }) => {
		const values = await fields(request, ['username', 'display_name', 'role']);
		const missing = (['username', 'role'] as const).find((name) => !values[name]);
		if (missing) return refuse({ action: 'add', field: missing, message: missing === 'username' ? 'User name: required.' : 'Role: choose one.', values });
		const password = generatePassword();
		const { db } = await getDatabase();
		try {
			const user = await addUser(db, { username: values.username, role: values.role, displayName: values.display_name, password }, locals.user?.username ?? 'unknown');
			// The only time this password leaves the server: it is not stored in clear anywhere.
			return { action: 'add' as const, username: user.username, password, done: `Added ${user.username} (${user.role}).` };
		} catch (error) {
			if (error instanceof AccountError) return failWith(error, { action: 'add' as const, field: error.field, values });
			throw error;
		}
	},

	role: async ({ request, locals }) => {
		const { username, role } = await fields(request, ['username', 'role']);
		const { db } = await getDatabase();
		return rowChange('role', username, async () => {
			const result = await setRole(db, username, role, locals.user?.username ?? 'unknown');
			return { action: 'role' as const, username, done: result.changed ? `${username} is now ${role} (was ${result.before}).` : `${username} already is ${role}.` };
		});
	},

	status: async ({ request, locals }) => {
		const { username, status } = await fields(request, ['username', 'status']);
		if (status !== 'active' && status !== 'deactivated') return refuse({ action: 'status', username, field: 'status', message: 'Status: must be active or deactivated.' });
		const { db } = await getDatabase();
		return rowChange('status', username, async () => {
			const result = await setActive(db, username, status === 'active', locals.user?.username ?? 'unknown');
			const done = status === 'active' ? `${username} is active again and can sign in.` : `${username} is deactivated: it cannot sign in, and its sessions were ended.`;
			return { action: 'status' as const, username, done: result.changed ? done : `${username} already is ${status}.` };
		});
	},

	reset: async ({ request, locals }) => {
		const { username } = await fields(request, ['username']);
		const password = generatePassword();
		const { db } = await getDatabase();
		return rowChange('reset', username, async () => {
			await setPassword(db, username.toLowerCase(), password, locals.user?.username ?? 'unknown', 'user.reset_password');
			return { action: 'reset' as const, username: username.toLowerCase(), password, done: `New password for ${username.toLowerCase()}; its sessions were ended.` };
		});
	}
};
