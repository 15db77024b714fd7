import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { reviewerQueue } from '$lib/server/audits/reviews';
import { currentUser } from '$lib/server/audits/route-helpers';

export const load: PageServerLoad = async ({ locals }) => {
	const { db } = await getDatabase();
	const user = currentUser(locals);
	return { username: user.username, queue: await reviewerQueue(db, user.username) };
};
