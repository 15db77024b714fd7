import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { frictionOptions, frictionReport, reportMarkdown } from '$lib/friction/report.server';

export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	const markdown = reportMarkdown(await frictionReport(db, frictionOptions(url.searchParams)));
	return new Response(markdown, {
		headers: { 'content-type': 'text/markdown; charset=utf-8', 'content-disposition': 'attachment; filename="friction-report.md"' }
	});
};
