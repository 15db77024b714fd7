import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { csvResponse } from '$lib/core/csv-response.server';
import { frictionOptions, frictionReport, REPORT_CSV_COLUMNS, reportCsvRows, type ReportCsvRow } from '$lib/friction/report.server';

export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	const rows = reportCsvRows(await frictionReport(db, frictionOptions(url.searchParams)));
	async function* all(): AsyncGenerator<ReportCsvRow> {
		yield* rows;
	}
	return csvResponse('friction-report.csv', [...REPORT_CSV_COLUMNS], all());
};
