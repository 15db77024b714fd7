import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { reviewerQueue } from '$lib/audits/reviews.server';
import { currentUser } from '$lib/audits/route-helpers.server';

export const load: PageServerLoad = async ({ locals }) => {
	const { db } = await getDatabase();
	const user = currentUser(locals);
	return { username: user.username, queue: await reviewerQueue(db, user.username) };
};
