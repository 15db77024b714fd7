import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { setActive, setRole } from '$lib/core/auth/users.server';
import { readJsonBody } from '$lib/core/validate';
import { accountChange } from '$lib/core/auth/account-requests';
import { accountAnswer, answer } from '../account-api.server';

/**
 * Changes an account's role or its status, one per request: {role} or {status: "active" |
 * "deactivated"}, through the same service calls as Admin → Users, so a refusal (the last active
 * administrator) leaves nothing half done. Deactivating ends the account's sessions.
 */
export const PATCH: RequestHandler = ({ request, locals, params }) =>
	accountAnswer(async () => {
		const body = await readJsonBody(request, accountChange, 'Send {"role": "viewer"} or {"status": "active"} / {"status": "deactivated"}.');
		const username = params.username.trim().toLowerCase();
		const actor = locals.user?.username ?? 'unknown';
		const { db } = await getDatabase();
		if (body.role !== undefined) return answer({ username, role: body.role, changed: (await setRole(db, username, body.role, actor)).changed });
		const status = body.status === 'active' ? 'active' : 'deactivated';
		return answer({ username, status, changed: (await setActive(db, username, status === 'active', actor)).changed });
	});
