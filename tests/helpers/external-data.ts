import type { ImportKind } from '../../src/lib/imports/canonical-columns';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { expect } from 'vitest';

/**
 * The real public exports (see README.md in that folder), copied byte for byte into the
 * repository so that the suite runs the same on a fresh clone as next to ../shared/data.
 */
export const EXTERNAL_DIR = process.env.CASELENS_EXTERNAL_DATA ?? fileURLToPath(new URL('../fixtures/external', import.meta.url));

/**
 * The help-desk tools' own export layouts, imported with presets or the mappings in config/mappings
 * (tests/integration/ingest-presets-real.test.ts).
 */
export interface RealImport {
	file: string;
	kind: ImportKind;
	preset?: string;
	mapping?: string;
	lookups?: Record<string, string>;
	/** The tool's own export: at least 99% of its rows must be accepted. */
	ownExport: boolean;
}

export const PRESET_IMPORTS: RealImport[] = [
	{ file: 'zendesk-explore/Q425_Raw_Data_01132026_1623.csv', kind: 'cases', ownExport: true },
	{ file: 'zendesk-explore/Q425_Raw_Data_01132026_1623.csv', kind: 'feedback', ownExport: false },
	{ file: 'zendesk-explore/tickets_export.csv', kind: 'cases', ownExport: true },
	{ file: 'freshdesk/80000422910_tickets-February-04-2025-12_12(Sheet1).csv', kind: 'cases', ownExport: true },
	{ file: 'freshdesk/80000422910_tickets-February-04-2025-12_12(Sheet1).csv', kind: 'feedback', ownExport: false },
	{ file: 'servicenow/incident_event_log_first5MB.csv', kind: 'cases', ownExport: true },
	{ file: 'salesforce/Case.csv', kind: 'cases', preset: 'salesforce', lookups: { accounts: 'salesforce/Account.csv' }, ownExport: true },
	// A synthetic data set, not a tool's export: a third of its tickets have no time at all.
	{ file: 'kaggle-support-tickets/customer_support_tickets.csv', kind: 'cases', mapping: 'kaggle-support-tickets-cases.json', ownExport: false },
	{ file: 'kaggle-support-tickets/customer_support_tickets.csv', kind: 'feedback', mapping: 'kaggle-support-tickets-feedback.json', ownExport: false },
	{ file: 'twitter-support/sample.csv', kind: 'feedback', mapping: 'twitter-support-feedback.json', ownExport: false }
];

/** Spreadsheet exports, imported through their conversion to CSV (see the Freshdesk workbook tests below). */
export const SPREADSHEETS = ['freshdesk/80000422910_tickets-February-04-2025-12_12.xls', 'freshdesk/Fresh_Desk_Tickets_December.xlsx'];


const parsed = new Map<string, Record<string, string>[]>();

/** A file's records as papaparse (an independent CSV parser) reads them: the reference for counts and values. */
export async function referenceRecords(file: string): Promise<Record<string, string>[]> {
	let rows = parsed.get(file);
	if (!rows) {
		const text = (await readFile(join(EXTERNAL_DIR, file), 'utf8')).replace(/^\uFEFF/, '');
		const out = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
		expect(out.errors, `${file}: papaparse errors`).toEqual([]);
		rows = out.data;
		parsed.set(file, rows);
	}
	return rows;
}
