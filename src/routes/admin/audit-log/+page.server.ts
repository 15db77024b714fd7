import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { listAudit } from '$lib/core/audit-log.server';

const PAGE_SIZE = 100;

export const load: PageServerLoad = async ({ url }) => {
	const { db } = await getDatabase();
	const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
	const filter = {
		actor: url.searchParams.get('actor')?.slice(0, 100) || undefined,
		action: url.searchParams.get('action')?.slice(0, 100) || undefined,
		search: url.searchParams.get('q')?.slice(0, 200) || undefined
	};
	const result = await listAudit(db, { ...filter, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
	return { ...result, filter, page, pageSize: PAGE_SIZE };
};
