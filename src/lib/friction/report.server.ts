import { cachedReport } from '../metrics/filters/data-version.server';
import type { Kysely } from 'kysely';
import { describeFilters, parseFilters, type Filters } from '../metrics/filters/model';
import { formatPValue, formatRatio, formatShare } from '../core/format';
import { liftSummary } from './format-friction';
import { STATUS_LABELS } from './items';
import { maskPersonalData } from '../core/mask-personal-data';
import type { Database } from '../core/db/schema';
import { isThemeSource, type ThemeSource } from './documents-sql.server';
import { itemImpact, type ItemImpact } from './impact.server';
import { listItems, type FrictionItem } from './items.server';
import { STRUCTURAL_LABELS } from './structural-metrics';
import { structuralFriction, type StructuralReport, type StructuralRow } from './structural.server';
import { frictionThemes, type Theme, type ThemeOptions, type ThemeReport } from './themes.server';
import { keptThemeReport } from './theme-report-table.server';
import { restrictsCases } from '../metrics/filters/case-filter-sql.server';
import { frictionSettings } from './friction-config.server';
import { markRising } from './trend-test.server';
import { resolveToday } from '../metrics/filters/period.server';

/** What a friction request asks for, from URL parameters (page, report, API and CLI alike). */
export interface FrictionOptions {
	filters: Filters;
	source: ThemeSource;
	/** Recent-period length in days; undefined = the configured default. */
	periodDays?: number;
}

export function frictionOptions(params: URLSearchParams): FrictionOptions {
	const source = params.get('source');
	const period = Number(params.get('period'));
	return {
		filters: parseFilters(params),
		source: isThemeSource(source) ? source : 'comments',
		periodDays: Number.isInteger(period) && period >= 1 && period <= 366 ? period : undefined
	};
}

export interface TrackedItem extends FrictionItem {
	impact: ItemImpact | null;
}

export interface FrictionReport extends ThemeReport {
	generated_at: Date;
	/** The filters in words. */
	scope: string;
	structural: StructuralReport;
	items: TrackedItem[];
}

export async function trackedItems(db: Kysely<Database>, today = new Date()): Promise<TrackedItem[]> {
	const items = await listItems(db);
	const out: TrackedItem[] = [];
	for (const item of items) out.push({ ...item, impact: await itemImpact(db, item, { today }) });
	return out;
}

/** The whole archive's themes with the configured settings and period are kept per import (theme-report-table.server.ts). */
function themes(db: Kysely<Database>, options: ThemeOptions & { today: Date }): Promise<ThemeReport> {
	const whole = options.periodDays === undefined && options.settings === undefined && !restrictsCases(options.filters, options.today);
	return whole ? keptThemeReport(db, options.source ?? 'comments') : frictionThemes(db, options);
}

// Themes and structural friction depend only on the data and the request: cached per data version
// (src/lib/metrics/filters/data-version.server.ts), shared by /friction, its report, the CSV, the
// Markdown and the API. Tracked items change with every edit on the items page, so they are read fresh.
const cachedThemes = cachedReport('friction-themes', themes);
const cachedStructural = cachedReport('friction-structural', structuralFriction);

/** `today`: what the date presets count back from; by default the archive's snapshot (period.server.ts). */
export async function frictionReport(db: Kysely<Database>, options: FrictionOptions, anchor?: Date): Promise<FrictionReport> {
	const today = anchor ?? (await resolveToday(db, options.filters));
	// Independent reads on separate pooled connections: DuckDB runs them side by side.
	const [themes, structural, items] = await Promise.all([
		cachedThemes(db, { filters: options.filters, source: options.source, periodDays: options.periodDays, today }),
		cachedStructural(db, { filters: options.filters, periodDays: options.periodDays, today }),
		trackedItems(db, today)
	]);
	// One page, one family of tests: themes and structural friction are corrected together, so a
	// page of sixty tests does not get two chances at a 5% false discovery rate.
	const s = frictionSettings();
	const [themeRows, structuralRows] = markRising<Theme | StructuralRow>([themes.themes, structural.rows], s.significance, s.min_rising_count) as [Theme[], StructuralRow[]];
	const rows = structuralRows.sort((a, b) => Number(b.rising) - Number(a.rising) || (b.excess ?? 0) - (a.excess ?? 0));
	return { ...themes, themes: themeRows, generated_at: new Date(), scope: describeFilters(options.filters, today), structural: { ...structural, rows }, items };
}

/** A theme as the Friction page and the report page show it: their table's columns, the lift in words. */
interface ShownTheme {
	key: string;
	theme: string;
	rising: boolean;
	count: number;
	share: number;
	csat_mean: number | null;
	csat_rest: number | null;
	trend_ratio: number | null;
	q_value: number | null;
	recent: number;
	previous: number;
	where: string;
}

function shownTheme(t: Theme): ShownTheme {
	return {
		key: t.key,
		theme: t.theme,
		rising: t.rising,
		count: t.count,
		share: t.share,
		csat_mean: t.csat_mean,
		csat_rest: t.csat_rest,
		trend_ratio: t.trend_ratio,
		q_value: t.q_value,
		recent: t.recent,
		previous: t.previous,
		where: liftSummary(t.lift)
	};
}

// The page data travels inside the HTML, so each page gets the report cut to what it shows.

/** The Friction page: every theme (it lists them all on demand) with its columns, the first structural rows. */
export function frictionPageReport(r: FrictionReport) {
	const { themes, structural, ...rest } = r;
	return { ...rest, themes: themes.map(shownTheme), structural: { ...structural, rows: structural.rows.slice(0, 20), rising: structural.rows.filter((s) => s.rising).length } };
}

/** The report page: the rising themes and the top 20 with their first example, the first structural rows. */
export function reportPageReport(r: FrictionReport) {
	const { themes, structural, ...rest } = r;
	const withExample = (t: Theme) => ({ ...shownTheme(t), example: t.examples?.[0]?.text ?? null });
	return { ...rest, rising: themes.filter((t) => t.rising).map(withExample), top: themes.slice(0, 20).map(withExample), structural: { ...structural, rows: structural.rows.slice(0, 15) } };
}

const num = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? '–' : v.toFixed(digits));

/**
 * Text from the data (themes, comments, item titles, filter values) as literal Markdown: a comment
 * holding "<img onerror=...>" or "|" must neither become HTML in a renderer nor break a table.
 */
export function markdownText(text: string): string {
	return text
		.replace(/[\\`*_[\]#|~]/g, (c) => `\\${c}`)
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/\s+/g, ' ')
		.trim();
}

function table(head: string[], rows: string[][]): string {
	return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(markdownText).join(' | ')} |`)].join('\n');
}

/** The report as Markdown, personal data masked for everyone (it leaves the QA team). */
export function reportMarkdown(r: FrictionReport, limit = 25): string {
	const rising = r.themes.filter((t) => t.rising);
	const lines = [
		'# Friction report',
		'',
		`Generated ${r.generated_at.toISOString().slice(0, 16).replace('T', ' ')} UTC · ${markdownText(r.scope)} · themes from ${r.source === 'subjects' ? 'case subjects' : 'feedback comments'} · ${r.documents} documents${r.csat_mean === null ? '' : `, mean CSAT ${num(r.csat_mean)}`}`,
		r.period ? `Trend: last ${r.period.days} days (${r.period.recent_documents} documents) against the ${r.period.days} days before (${r.period.previous_documents}).` : '',
		'',
		`## Rising themes (${rising.length})`,
		'',
		rising.length ? rising.map((t) => `- **${markdownText(t.theme)}**: ${t.recent} in the last period against ${t.previous} before (${formatRatio(t.trend_ratio)}, q ${formatPValue(t.q_value)})`).join('\n') : 'None.',
		'',
		`## Top themes by satisfaction cost${r.score_basis === 'volume' ? ' (no CSAT in scope: by volume)' : ''}`,
		'',
		table(
			['#', 'theme', 'count', 'share', 'CSAT', 'CSAT rest', 'trend', 'q', 'rising', 'where (lift)', 'example'],
			r.themes.slice(0, limit).map((t, i) => [
				String(i + 1),
				t.theme,
				String(t.count),
				formatShare(t.share),
				num(t.csat_mean),
				num(t.csat_rest),
				formatRatio(t.trend_ratio),
				formatPValue(t.q_value),
				t.rising ? 'yes' : '',
				liftSummary(t.lift),
				maskPersonalData(t.examples?.[0]?.text ?? '')
			])
		),
		'',
		'## Structural friction',
		'',
		table(
			['measure', 'group', 'cases', 'rate', 'overall', 'excess', 'trend', 'q', 'rising'],
			r.structural.rows.slice(0, limit).map((s) => [STRUCTURAL_LABELS[s.metric], `${s.dimension} ${s.value}`, String(s.n), formatShare(s.rate), formatShare(s.overall_rate), num(s.excess, 0), formatRatio(s.trend_ratio), formatPValue(s.q_value), s.rising ? 'yes' : ''])
		),
		'',
		'## Tracked items',
		'',
		r.items.length
			? table(
					['item', 'owner', 'status', 'fix date', 'share before → after', 'p', 'CSAT 4-5 before → after', 'p'],
					r.items.map((i) => [
						`#${i.item_id} ${maskPersonalData(i.title)}`,
						i.owner ?? '–',
						STATUS_LABELS[i.status],
						i.fix_date ?? '–',
						i.impact?.before && i.impact.after ? `${formatShare(i.impact.before.share, 2)} → ${formatShare(i.impact.after.share, 2)}` : '–',
						formatPValue(i.impact?.share_p),
						i.impact?.before && i.impact.after ? `${formatShare(i.impact.before.csat_share)} → ${formatShare(i.impact.after.csat_share)}` : '–',
						formatPValue(i.impact?.csat_p)
					])
				)
			: 'No items yet.',
		'',
		'## Definitions',
		'',
		r.definition,
		'',
		r.structural.definition,
		''
	];
	return lines.join('\n');
}

export const REPORT_CSV_COLUMNS = ['section', 'rank', 'name', 'count', 'total', 'share', 'csat_mean', 'csat_rest', 'score', 'recent', 'previous', 'trend_ratio', 'p_value', 'q_value', 'rising', 'top_region', 'top_category', 'example'] as const;
export type ReportCsvRow = Record<(typeof REPORT_CSV_COLUMNS)[number], string | number | boolean | null>;

/** Themes then structural points, one row each; examples masked for everyone. */
export function reportCsvRows(r: FrictionReport): ReportCsvRow[] {
	const themes = r.themes.map((t, i) => ({
		section: 'theme',
		rank: i + 1,
		name: t.theme,
		count: t.count,
		total: r.documents,
		share: t.share,
		csat_mean: t.csat_mean,
		csat_rest: t.csat_rest,
		score: t.score,
		recent: t.recent,
		previous: t.previous,
		trend_ratio: t.trend_ratio,
		p_value: t.p_value,
		q_value: t.q_value,
		rising: t.rising,
		top_region: t.lift?.region[0]?.value ?? null,
		top_category: t.lift?.category[0]?.value ?? null,
		example: t.examples?.[0] ? maskPersonalData(t.examples[0].text) : null
	}));
	const structural = r.structural.rows.map((s, i) => ({
		section: `structural:${s.metric}`,
		rank: i + 1,
		name: `${s.dimension} ${s.value}`,
		count: s.events,
		total: s.n,
		share: s.rate,
		csat_mean: null,
		csat_rest: null,
		score: s.excess,
		recent: s.recent,
		previous: s.previous,
		trend_ratio: s.trend_ratio,
		p_value: s.p_value,
		q_value: s.q_value,
		rising: s.rising,
		top_region: s.dimension === 'region' ? s.value : null,
		top_category: s.dimension === 'category' ? s.value : null,
		example: null
	}));
	return [...themes, ...structural];
}
