import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { listUsers } from '$lib/core/auth/users.server';

export const load: PageServerLoad = async () => {
	const { db } = await getDatabase();
	return { users: await listUsers(db) };
};
