import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { csvResponse } from '$lib/server/csv-response';
import { frictionOptions, frictionReport, REPORT_CSV_COLUMNS, reportCsvRows, type ReportCsvRow } from '$lib/server/friction/report';

export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	const rows = reportCsvRows(await frictionReport(db, frictionOptions(url.searchParams)));
	async function* all(): AsyncGenerator<ReportCsvRow> {
		yield* rows;
	}
	return csvResponse('friction-report.csv', [...REPORT_CSV_COLUMNS], all());
};
