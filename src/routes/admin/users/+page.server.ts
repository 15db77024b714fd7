import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { listUsers } from '$lib/server/auth/users';

export const load: PageServerLoad = async () => {
	const { db } = await getDatabase();
	return { users: await listUsers(db) };
};
