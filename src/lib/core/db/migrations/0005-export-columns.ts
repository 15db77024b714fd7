import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Columns that real help-desk exports carry and the first contract lacked (see the data contract in
 * README.md): reassignments and the tool's own SLA verdict (ServiceNow), first-reply and resolution
 * brackets where an export gives ranges instead of times (Zendesk Explore), and the basis of each
 * duration, because Zendesk and Freshdesk often give only business-hours minutes and a business-hours
 * reply time must never be read as a calendar one.
 */
export const exportColumnsMigration: Migration = {
	async up(db: Kysely<unknown>) {
		for (const statement of [
			sql`alter table cases add column reassignment_count integer`,
			sql`alter table cases add column sla_met boolean`,
			sql`alter table cases add column first_response_bracket varchar`,
			sql`alter table cases add column resolution_bracket varchar`,
			// 'calendar' or 'business_hours'; NULL when the time itself is empty
			sql`alter table cases add column first_response_basis varchar`,
			sql`alter table cases add column resolution_basis varchar`
		]) {
			await statement.execute(db);
		}
	}
};
