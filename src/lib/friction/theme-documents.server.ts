import { sql, type Kysely } from 'kysely';
import type { Role } from '../core/auth/roles';
import { maskPersonalData } from '../core/mask-personal-data';
import type { Database } from '../core/db/schema';
import type { FrictionDocument } from './documents-sql.server';
import { keptBodiesSql } from './document-table.server';
import { withThemeTables, type ThemeOptions } from './themes.server';
import { can } from '../core/auth/access-rules';
import { trendUnit, type ThemeTrendPoint, type TrendUnit } from './theme-trend';

export interface ThemeDocuments {
	total: number;
	rows: FrictionDocument[];
	/** The theme's documents and all documents per period, every period of the scope listed. */
	trend: { unit: TrendUnit; points: ThemeTrendPoint[] };
}

/** The documents holding a theme's term, newest first, for the theme page; masked for viewers. */
export async function themeDocuments(db: Kysely<Database>, options: ThemeOptions & { term: string; offset: number; limit: number; role: Role }): Promise<ThemeDocuments> {
	return withThemeTables(db, options, async ({ conn, source, docs, terms }) => {
		const holding = sql`(SELECT doc_id FROM ${terms} WHERE term = ${options.term})`;
		const matching = sql`${docs} d JOIN ${holding} t ON t.doc_id = d.doc_id`;
		const total = await sql<{ n: number }>`SELECT count(*) AS n FROM ${matching}`.execute(conn);
		const { rows } = await sql<FrictionDocument>`SELECT p.doc_id, p.case_id, p."at", b.body, p.csat, p.region, p.channel, p.category
			FROM (SELECT d.* FROM ${matching} ORDER BY d."at" DESC, d.doc_id LIMIT ${options.limit} OFFSET ${options.offset}) p JOIN ${keptBodiesSql(source)} b ON b.text_id = p.text_id
			ORDER BY p."at" DESC, p.doc_id`.execute(conn);
		const span = await sql<{ first: Date | null; last: Date | null }>`SELECT min("at") AS first, max("at") AS last FROM ${docs}`.execute(conn);
		const { first, last } = span.rows[0];
		const unit = trendUnit(first, last);
		// Every period from the first document's to the last one's, so that a quiet week shows as 0.
		const points = first
			? await sql<{ start: Date; documents: number; count: number }>`
				WITH periods AS (SELECT unnest(generate_series(date_trunc(${unit}, ${first}::TIMESTAMP), date_trunc(${unit}, ${last}::TIMESTAMP), ${sql.raw(`INTERVAL 1 ${unit}`)})) AS start),
				counts AS (
					SELECT date_trunc(${unit}, d."at") AS start, count(*) AS documents, count(t.doc_id) AS count
					FROM ${docs} d LEFT JOIN ${holding} t ON t.doc_id = d.doc_id GROUP BY 1
				)
				SELECT p.start, coalesce(c.documents, 0) AS documents, coalesce(c.count, 0) AS count FROM periods p LEFT JOIN counts c ON c.start = p.start ORDER BY p.start`.execute(conn)
			: { rows: [] };
		return {
			total: total.rows[0].n,
			rows: !can(options.role, 'personal_data.unmasked') ? rows.map((r) => ({ ...r, body: maskPersonalData(r.body) })) : rows,
			trend: { unit, points: points.rows.map((p) => ({ start: p.start, documents: Number(p.documents), count: Number(p.count) })) }
		};
	});
}
