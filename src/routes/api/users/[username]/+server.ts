import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { setActive, setRole } from '$lib/core/auth/users.server';
import { accountChange, answer, readFields, refusal } from '../account-api.server';

/**
 * Changes an account's role or its status, one per request: {role} or {status: "active" |
 * "deactivated"}, through the same service calls as Admin → Users, so a refusal (the last active
 * administrator) leaves nothing half done. Deactivating ends the account's sessions.
 */
export const PATCH: RequestHandler = async ({ request, locals, params }) => {
	const body = await readFields(request, { role: { required: false, max: 32 }, status: { required: false, max: 16 } } as const);
	if (body instanceof Response) return body;
	const hint = 'Send {"role": "viewer"} or {"status": "active"} / {"status": "deactivated"}.';
	if ((body.role === undefined) === (body.status === undefined)) return refusal(400, 'bad_request', 'Give either a role or a status, one change per request.', hint);
	if (body.status !== undefined && body.status !== 'active' && body.status !== 'deactivated') return refusal(400, 'bad_request', `The field status must be "active" or "deactivated", not "${body.status}".`, hint);
	const username = params.username.trim().toLowerCase();
	const actor = locals.user?.username ?? 'unknown';
	const { db } = await getDatabase();
	return accountChange(async () => {
		if (body.role !== undefined) return answer({ username, role: body.role, changed: (await setRole(db, username, body.role, actor)).changed });
		const status = body.status as 'active' | 'deactivated';
		return answer({ username, status, changed: (await setActive(db, username, status === 'active', actor)).changed });
	});
};
