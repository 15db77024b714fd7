import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { detectPreset } from '../../src/lib/imports/presets';

const EXTERNAL = join(import.meta.dirname, '../fixtures/external');

/** The header line of a real export in the fixtures. */
function headersOf(file: string): string[] {
	const text = readFileSync(join(EXTERNAL, file), 'utf8').replace(/^\uFEFF/, '');
	return (Papa.parse<string[]>(text.slice(0, text.indexOf('\n'))).data[0] ?? []).map((h) => h.trim());
}

describe('detectPreset', () => {
	it('recognises the real exports of the tools it has presets for', () => {
		expect(detectPreset(headersOf('freshdesk/80000422910_tickets-February-04-2025-12_12(Sheet1).csv'))).toBe('freshdesk');
		expect(detectPreset(headersOf('salesforce/Case.csv'))).toBe('salesforce');
		expect(detectPreset(headersOf('servicenow/incident_event_log_first5MB.csv'))).toBe('servicenow');
		expect(detectPreset(headersOf('zendesk-explore/Q425_Raw_Data_01132026_1623.csv'))).toBe('zendesk_explore');
		expect(detectPreset(['case_id', 'created_at', 'status', 'region', 'category'])).toBe('canonical');
	});

	it('does not take another help desk for one it knows from two generic headers', () => {
		// Zoho Desk shares "Ticket Id" and "Created Time" with Freshdesk; its dates are not Freshdesk's.
		const zoho = ['Ticket Id', 'Request Id', 'Subject', 'Status', 'Priority', 'Channel', 'Department', 'Ticket Owner', 'Created Time', 'Modified Time', 'Closed Time', 'First Response Time (in Hours)', 'Resolution Time (in Hours)', 'Category'];
		expect(detectPreset(zoho)).toBeUndefined();
		// HubSpot shares "Ticket ID" and "Ticket status" with Zendesk Explore.
		const hubspot = ['Ticket ID', 'Ticket name', 'Ticket status', 'Pipeline', 'Ticket priority', 'Source', 'Ticket owner', 'Create date', 'Close date', 'Time to first agent reply (HH:mm:ss)', 'Category'];
		expect(detectPreset(hubspot)).toBeUndefined();
		// Kaggle's synthetic tickets share two Zendesk Explore names and are read by a mapping instead.
		expect(detectPreset(headersOf('kaggle-support-tickets/customer_support_tickets.csv'))).toBeUndefined();
	});
});
