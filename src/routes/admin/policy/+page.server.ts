import { failWith } from '$lib/core/http-errors.server';
import { AppError } from '$lib/core/errors';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { flattenPolicy, policyFromForm } from '$lib/core/policy/model';
import { currentPolicy, PolicyConflict, policyHistory, updatePolicy } from '$lib/core/policy/policy.server';
import { can } from '$lib/core/auth/access-rules';

export const load: PageServerLoad = async ({ locals }) => {
	const { db } = await getDatabase();
	const [current, history] = await Promise.all([currentPolicy(db), policyHistory(db)]);
	return { version: current.version, fields: flattenPolicy(current.policy), history, canEdit: can(locals.user?.role, 'policy.edit') };
};

export const actions: Actions = {
	default: async ({ request, locals }) => {
		const { db } = await getDatabase();
		const current = await currentPolicy(db);
		const form = await request.formData();
		const values = new Map<string, string>();
		for (const [key, value] of form.entries()) if (typeof value === 'string') values.set(key, value);
		const { policy, errors } = policyFromForm(current.policy, values);
		if (errors.length) return failWith(new AppError('bad_policy', `The policy was not saved: ${errors.length === 1 ? 'one field needs' : `${errors.length} fields need`} a change.`, 'Correct the fields listed and save again; nothing was changed.'), { errors });
		const expected = Number(form.get('__version'));
		if (!Number.isInteger(expected) || expected < 1) return failWith(new AppError('bad_request', 'The form does not say which policy version it edits.', 'Reload the page and save again.'));
		try {
			const version = await updatePolicy(db, policy, String(form.get('__note') ?? '').slice(0, 500), locals.user?.username ?? 'unknown', expected);
			return { saved: version };
		} catch (error) {
			if (error instanceof PolicyConflict) return failWith(error);
			throw error;
		}
	}
};
