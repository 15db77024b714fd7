import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { appConfig } from '$lib/server/app-config';
import { listSavedMappings } from '$lib/server/services/saved-mappings';

export const load: PageServerLoad = async () => {
	const { db } = await getDatabase();
	return { savedMappings: await listSavedMappings(db), maxUploadBytes: appConfig().maxUploadBytes };
};
