import { sql, type RawBuilder } from 'kysely';
import type { Filters } from '../metrics/filters/model';
import { caseFilterSql, feedbackFilterSql } from '../metrics/filters/case-filter-sql.server';

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
 * The documents in scope. Comments are dated by submission and take their case's dimensions
 * (region also from the feedback itself), as on the Satisfaction page. Subjects are dated by the
 * case's creation and carry the CSAT of the case's first rated answer.
 */
export function documentsSql(source: ThemeSource, filters: Filters, today: Date): RawBuilder<FrictionDocument> {
	if (source === 'subjects') {
		const where = caseFilterSql(filters, today);
		return sql<FrictionDocument>`SELECT c.case_id AS doc_id, c.case_id, c.created_at AS "at", c.subject AS body, s.csat, c.region, c.channel, c.category
			FROM cases c LEFT JOIN (SELECT case_id, arg_min(csat, submitted_at) AS csat FROM feedback WHERE csat IS NOT NULL AND case_id IS NOT NULL GROUP BY case_id) s ON s.case_id = c.case_id
			WHERE c.subject IS NOT NULL AND trim(c.subject) <> '' AND ${where}`;
	}
	const where = feedbackFilterSql(filters, today);
	return sql<FrictionDocument>`SELECT f.feedback_id AS doc_id, f.case_id, f.submitted_at AS "at", f.comment AS body, f.csat, coalesce(c.region, f.region) AS region, c.channel, c.category
		FROM feedback f LEFT JOIN cases c ON c.case_id = f.case_id
		WHERE f.comment IS NOT NULL AND trim(f.comment) <> '' AND ${where}`;
}
