import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { digestOptions } from '$lib/digest/model';
import { weeklyDigest } from '$lib/digest/digest.server';

export const load: PageServerLoad = async ({ url }) => {
	const options = digestOptions(url.searchParams);
	const { db } = await getDatabase();
	return { options, digest: await weeklyDigest(db, options) };
};
