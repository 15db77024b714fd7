import { sql, type RawBuilder } from 'kysely';
import type { Filters } from '../metrics/filters/model';
import { answerFilterSql } from '../metrics/filters/case-filter-sql.server';

/** Where themes are read from: feedback comments, or the subjects of cases. */
export const THEME_SOURCES = ['comments', 'subjects'] as const;
export type ThemeSource = (typeof THEME_SOURCES)[number];

export function isThemeSource(value: string | null | undefined): value is ThemeSource {
	return (THEME_SOURCES as readonly string[]).includes(value ?? '');
}

/** A text with what the theme statistics need: (doc_id, case_id, at, body, csat, region, channel, category). */
export interface FrictionDocument {
	doc_id: string;
	case_id: string | null;
	at: Date;
	body: string;
	csat: number | null;
	region: string | null;
	channel: string | null;
	category: string | null;
}

/**
 * Every document of `source`, with the columns the filters read under the names caseFilterSql
 * expects (`at` for the date, `case_batch_id` for the case's import): comments are dated by
 * submission and take their case's dimensions (region also from the feedback itself), as on the
 * Satisfaction page; subjects are dated by the case's creation and carry the CSAT of the case's
 * first rated answer.
 */
export function allDocumentsSql(source: ThemeSource): RawBuilder<FrictionDocument> {
	if (source === 'subjects') {
		return sql<FrictionDocument>`SELECT c.case_id AS doc_id, c.case_id, c.created_at AS "at", c.subject AS body, s.csat, c.region, c.channel, c.category,
				c.country, c.stage, c.team, c.agent_id, c.batch_id, c.batch_id AS case_batch_id
			FROM cases c LEFT JOIN (SELECT case_id, arg_min(csat, submitted_at) AS csat FROM feedback WHERE csat IS NOT NULL AND case_id IS NOT NULL GROUP BY case_id) s ON s.case_id = c.case_id
			WHERE c.subject IS NOT NULL AND trim(c.subject) <> ''`;
	}
	return sql<FrictionDocument>`SELECT f.feedback_id AS doc_id, f.case_id, f.submitted_at AS "at", f.comment AS body, f.csat, coalesce(c.region, f.region) AS region, c.channel, c.category,
			c.country, c.stage, c.team, c.agent_id, f.batch_id, c.batch_id AS case_batch_id
		FROM feedback f LEFT JOIN cases c ON c.case_id = f.case_id
		WHERE f.comment IS NOT NULL AND trim(f.comment) <> ''`;
}

/** The filters over documents `d` of allDocumentsSql (or the table kept from it), as over feedback on the Satisfaction page. */
export function documentFilterSql(filters: Filters, today: Date): RawBuilder<boolean> {
	return answerFilterSql(filters, today, { alias: 'd', date: sql.ref('d.at'), answerBatch: sql.ref('d.batch_id'), caseBatch: sql.ref('d.case_batch_id') });
}

/** The documents in scope, with their text. */
export function documentsSql(source: ThemeSource, filters: Filters, today: Date): RawBuilder<FrictionDocument> {
	return sql<FrictionDocument>`SELECT d.doc_id, d.case_id, d."at", d.body, d.csat, d.region, d.channel, d.category
		FROM (${allDocumentsSql(source)}) d WHERE ${documentFilterSql(filters, today)}`;
}
