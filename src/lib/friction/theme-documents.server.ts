import { sql, type Kysely } from 'kysely';
import type { Role } from '../core/auth/roles';
import { maskPersonalData } from '../core/mask-personal-data';
import type { Database } from '../core/db/schema';
import type { FrictionDocument } from './documents-sql.server';
import { withThemeTables, type ThemeOptions } from './themes.server';
import { can } from '../core/auth/access-rules';

export interface ThemeDocuments {
	total: number;
	rows: FrictionDocument[];
}

/** The documents holding a theme's term, newest first, for the theme page; masked for viewers. */
export async function themeDocuments(db: Kysely<Database>, options: ThemeOptions & { term: string; offset: number; limit: number; role: Role }): Promise<ThemeDocuments> {
	return withThemeTables(db, options, async ({ conn, docs, terms }) => {
		const matching = sql`${docs} d JOIN (SELECT doc_id FROM ${terms} WHERE term = ${options.term}) t ON t.doc_id = d.doc_id`;
		const total = await sql<{ n: number }>`SELECT count(*) AS n FROM ${matching}`.execute(conn);
		const { rows } = await sql<FrictionDocument>`SELECT d.doc_id, d.case_id, d."at", d.body, d.csat, d.region, d.channel, d.category FROM ${matching} ORDER BY d."at" DESC, d.doc_id LIMIT ${options.limit} OFFSET ${options.offset}`.execute(conn);
		return { total: total.rows[0].n, rows: !can(options.role, 'personal_data.unmasked') ? rows.map((r) => ({ ...r, body: maskPersonalData(r.body) })) : rows };
	});
}
