import { sql, type Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import { normaliseSource, type ColumnSource, type NormalisedSource } from '../imports/column-mapping';
import { PRESETS } from '../imports/presets';
import { keptByData } from './filters/data-version.server';
import { notTestable, WIDEN_FILTERS_FIX, type NotTestable } from './model';

/**
 * What the archive holds, column by column: a column no imported case carries was not mapped
 * (or was empty in every export), and every test that needs it is not testable whatever the
 * filters. The metrics read this to say why a number is missing and what to import; the overview
 * lists it. Cached until the next import (data-version.server.ts).
 */
export const COVERAGE_COLUMNS = ['region', 'first_response_at', 'resolved_at', 'outcome', 'stage', 'delivered_at', 'refund_issued_at', 'return_shipping_fee', 'order_value', 'customer_since', 'root_cause', 'channel', 'team', 'agent_id'] as const;
export type CoverageColumn = (typeof COVERAGE_COLUMNS)[number];

export interface ArchiveCoverage {
	cases: number;
	/** Distinct regions ('unknown' included). */
	regions: number;
	/** Cases with a value, per optional column (order_value: converted to the reporting currency). */
	with: Record<CoverageColumn, number>;
	feedback: number;
	/** Answers of kind survey: surveys offered. */
	surveys: number;
	/** Answers with a 1-5 score. */
	rated: number;
	/** Rated answers whose case is imported (what Fairness compares). */
	rated_linked: number;
}

const NOUNS: Record<CoverageColumn | 'csat', string> = {
	region: 'a region',
	first_response_at: 'a first-reply time',
	resolved_at: 'a resolution time',
	outcome: 'an outcome',
	stage: 'a stage',
	delivered_at: 'a delivery date',
	refund_issued_at: 'a refund date',
	return_shipping_fee: 'a return-shipping fee',
	order_value: 'an order value',
	customer_since: 'an account-creation date',
	root_cause: 'a root cause',
	channel: 'a channel',
	team: 'a team',
	agent_id: 'an agent',
	csat: 'a 1-5 score'
};

/** The case column behind a coverage column. */
const SQL_COLUMN: Record<CoverageColumn, string> = { ...Object.fromEntries(COVERAGE_COLUMNS.map((c) => [c, c])), order_value: 'order_value_reporting' } as Record<CoverageColumn, string>;

/** What each column is needed for, as the overview lists it. */
const USES: Record<CoverageColumn | 'csat', string> = {
	region: 'Fairness and Consistency by region',
	first_response_at: 'Speed: first response time',
	resolved_at: 'Speed and Fairness: resolution time',
	outcome: 'Compliance (returns, claims without an outcome), Consistency, Fairness: favourable outcomes',
	stage: 'Compliance: claims without an outcome; Fairness: favourable outcomes of claims',
	delivered_at: 'Compliance: the return window',
	refund_issued_at: 'Compliance: refunds paid late',
	return_shipping_fee: 'Compliance: free returns',
	order_value: 'Fairness: order-value bands',
	customer_since: 'Fairness: account-tenure bands',
	root_cause: 'Consistency: by root cause and the standard resolution',
	channel: 'Consistency by channel; case-mix adjustment in Fairness',
	team: 'Consistency by team; Compliance by team',
	agent_id: 'Consistency by agent; Compliance by agent',
	csat: 'Satisfaction, Fairness: CSAT, friction themes ranked by CSAT'
};

/** One row of the overview's "what the data can answer": a column, how many records carry it, what needs it. */
export interface CoverageRow {
	column: CoverageColumn | 'csat';
	/** Cases (feedback answers, for csat) with a value; for region, the number of distinct regions. */
	with: number;
	of: number;
	unit: 'records' | 'regions';
	needed_for: string;
	/** Set when no record has the column: what needs it is not testable. */
	not_testable: NotTestable | null;
}

export function coverageRows(cov: ArchiveCoverage): CoverageRow[] {
	const rows: CoverageRow[] = COVERAGE_COLUMNS.map((column) => ({
		column,
		with: column === 'region' ? cov.regions : cov.with[column],
		of: cov.cases,
		unit: column === 'region' ? 'regions' : 'records',
		needed_for: USES[column],
		not_testable: column === 'region' ? singleRegion(cov) : missingColumn(cov, column)
	}));
	rows.push({ column: 'csat', with: cov.rated, of: cov.feedback, unit: 'records', needed_for: USES.csat, not_testable: missingRatings(cov) });
	return rows;
}

export function archiveCoverage(db: Kysely<Database>): Promise<ArchiveCoverage> {
	return keptByData(db, 'coverage', async () => {
		const counts = sql.join(COVERAGE_COLUMNS.map((c) => sql`count(${sql.ref(`c.${SQL_COLUMN[c]}`)}) AS ${sql.ref(c)}`));
		const [cases, feedback] = await Promise.all([
			sql<Record<string, number>>`SELECT count(*) AS cases, count(DISTINCT c.region) AS regions, ${counts} FROM cases c`.execute(db),
			sql<{ feedback: number; surveys: number; rated: number; rated_linked: number }>`
				SELECT count(*) AS feedback, count(*) FILTER (WHERE f.kind = 'survey') AS surveys, count(f.csat) AS rated,
					count(f.csat) FILTER (WHERE EXISTS (SELECT 1 FROM cases c WHERE c.case_id = f.case_id)) AS rated_linked
				FROM feedback f`.execute(db)
		]);
		const c = cases.rows[0];
		const f = feedback.rows[0];
		return {
			cases: Number(c.cases),
			regions: Number(c.regions),
			with: Object.fromEntries(COVERAGE_COLUMNS.map((col) => [col, Number(c[col])])) as Record<CoverageColumn, number>,
			feedback: Number(f.feedback),
			surveys: Number(f.surveys),
			rated: Number(f.rated),
			rated_linked: Number(f.rated_linked)
		};
	});
}

function headersOf(n: NormalisedSource | undefined): string[] {
	return n ? [...n.from, ...headersOf(n.otherwise)] : [];
}

function sourceOf(source: ColumnSource | undefined): NormalisedSource | undefined {
	return source === undefined ? undefined : normaliseSource(source);
}

const PRESET_NAMES = { zendesk: 'Zendesk', freshdesk: 'Freshdesk' } as const;

/**
 * "map a column to first_response_at when importing (Zendesk "First reply time in minutes";
 * Freshdesk "Initial response time" or ...)": the headers come from the presets themselves
 * (imports/presets.ts), so the hint names what the importer would have read.
 */
export function columnFix(column: CoverageColumn | 'csat'): string {
	const kind = column === 'csat' ? 'feedback' : 'cases';
	const target = column === 'order_value' ? 'order_value (and currency)' : column;
	const hints = (Object.keys(PRESET_NAMES) as (keyof typeof PRESET_NAMES)[])
		.map((p) => [PRESET_NAMES[p], headersOf(sourceOf(PRESETS[p][kind]?.columns[column]))] as const)
		.filter(([, headers]) => headers.length)
		.map(([name, headers]) => `${name} ${headers.map((h) => `"${h}"`).join(' or ')}`);
	const how = hints.length ? ` (${hints.join('; ')})` : ' (the Zendesk and Freshdesk presets have none: use a saved mapping)';
	return `map a column to ${target} when importing${how}`;
}

export const IMPORT_CASES_FIX = 'import a case export (Imports → Upload, or caselens ingest --kind cases)';
export const IMPORT_FEEDBACK_FIX = 'import a survey export as feedback (Imports → Upload, or caselens ingest --kind feedback)';

/** Not testable when the archive holds no case at all. */
export function noCases(cov: ArchiveCoverage): NotTestable | null {
	return cov.cases === 0 ? notTestable('the archive holds no case yet', IMPORT_CASES_FIX) : null;
}

/** Not testable when the archive holds no case, or no case with a value in `column`. */
export function missingColumn(cov: ArchiveCoverage, column: CoverageColumn): NotTestable | null {
	return noCases(cov) ?? (cov.with[column] === 0 ? notTestable(`no imported case has ${NOUNS[column]} (${column})`, columnFix(column)) : null);
}

/** Not testable when the archive holds no feedback, or no rated answer. */
export function missingRatings(cov: ArchiveCoverage): NotTestable | null {
	if (cov.feedback === 0) return notTestable('no feedback was imported', IMPORT_FEEDBACK_FIX);
	return cov.rated === 0 ? notTestable(`none of the ${cov.feedback.toLocaleString('en')} imported feedback answers has ${NOUNS.csat} (csat)`, columnFix('csat')) : null;
}

/** Not testable when every imported case is in the same region: there is no other region to compare with. */
export function singleRegion(cov: ArchiveCoverage): NotTestable | null {
	if (noCases(cov) || cov.regions >= 2) return noCases(cov);
	return notTestable('every imported case is in the same region', `${columnFix('region')}; or map country, from which config/country-regions.json derives the region`);
}

/**
 * Groups of one dimension to compare (regions, teams, bands): fewer than two is nothing to
 * compare, said with its cause. `unit` is what is counted ("decided case"), `noun` the dimension.
 */
export function tooFewGroups(groups: readonly string[], unit: string, noun: string, filtered: boolean): NotTestable | null {
	if (groups.length >= 2) return null;
	const article = /^[aeiou]/i.test(noun) ? 'an' : 'a';
	const what = groups.length === 0 ? `no ${unit} in these filters has ${article} ${noun}` : `every ${unit} in these filters has the same ${noun} (${groups[0]})`;
	return notTestable(`${what}, so there is nothing to compare`, filtered ? `remove the ${noun} filter, or ${WIDEN_FILTERS_FIX}` : WIDEN_FILTERS_FIX);
}
