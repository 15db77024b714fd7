import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { appConfig } from '$lib/core/config.server';
import { listSavedMappings } from '$lib/imports/saved-mappings.server';

export const load: PageServerLoad = async () => {
	const { db } = await getDatabase();
	return { savedMappings: await listSavedMappings(db), maxUploadBytes: appConfig().maxUploadBytes };
};
