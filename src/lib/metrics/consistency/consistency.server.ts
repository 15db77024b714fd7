import { cachedReport } from '../filters/data-version.server';
import { sql, type Kysely } from 'kysely';
import { DIMENSION_COLUMNS, type Filters } from '../filters/model';
import { formatPValue, formatShare } from '../../core/format';
import { chiSquareHomogeneity, consistencyIndex, CRESSIE_READ, poolSparseColumns, totalVariationDistance } from '../../core/stats/chi-square';
import { benjaminiHochberg } from '../../core/stats/multiple-testing';
import type { Database } from '../../core/db/schema';
import { currentPolicy } from '../../core/policy/policy.server';
import { caseFilterSql, restrictsCases } from '../filters/case-filter-sql.server';
import { agentTeamsSql, countsSql, keepConsistencyCounts, type AgentTeamRow, type CountRow } from './consistency-counts.server';
import { fairnessSettings } from '../fairness/fairness-groups.server';
import { resolveToday } from '../filters/period.server';
import { archiveCoverage, missingColumn, singleRegion, tooFewGroups, type CoverageColumn } from '../coverage.server';
import { firstNotTestable, noneMatch, notTestable, WIDEN_FILTERS_FIX, type NotTestable } from '../model';
import { CONSISTENCY_DIMENSIONS, STANDARD_ROOT_CAUSES, FLAG_Q, MIN_EXPECTED, CONSISTENCY_DEFINITION, CONSISTENCY_METHOD, type ConsistencyDimension, type ConsistencyCell, type ConsistencyKey } from './model';
export { CONSISTENCY_DIMENSIONS, STANDARD_ROOT_CAUSES, FLAG_Q, MIN_EXPECTED, CONSISTENCY_DEFINITION, CONSISTENCY_METHOD } from './model';
export type { ConsistencyDimension, ConsistencyCell, ConsistencyKey } from './model';

/**
 * Consistency (README.md, Metrics): same problem, same resolution. Within each category
 * (and each root cause), the outcome distribution of every region, team, agent and channel
 * against the category's global distribution: total variation distance per cell, a chi-square
 * test of that group against the other groups, Benjamini-Hochberg q-values over every cell
 * tested, a 0-100 consistency index, and the standard resolution of each root cause.
 */

export interface HomogeneityTest {
	category: string | null;
	root_cause: string | null;
	dimension: ConsistencyDimension;
	groups: number;
	n: number;
	statistic: number;
	df: number;
	p_value: number | null;
	q_value: number | null;
}

export interface IndexRow {
	dimension: ConsistencyDimension;
	/** null = the whole dimension. */
	group: string | null;
	n: number;
	index: number | null;
}

/** A dimension's index, with why it could not be computed (no column, or no cell large enough). */
export interface DimensionIndexRow extends IndexRow {
	group: null;
	/** Cells (category × group) with enough decided cases to be tested. */
	cells_tested: number;
	/** Cells with too few decided cases, shown grey and not tested. */
	cells_small: number;
	not_testable: NotTestable | null;
}

export interface StandardResolutionRow {
	root_cause: string;
	/** The modal outcome over all decided cases with this root cause. */
	standard: string | null;
	standard_share: number | null;
	dimension: ConsistencyDimension;
	group: string;
	n: number;
	/** Share of the group's cases with another outcome. */
	deviating_share: number | null;
	small: boolean;
}

export interface ConsistencyReport {
	policy_version: number;
	settings: { min_group_size: number; tvd_threshold: number };
	outcomes: string[];
	categories: string[];
	root_causes: string[];
	/** The overall index (all dimensions) and one per dimension. */
	index: { overall: number | null; dimensions: DimensionIndexRow[]; groups: IndexRow[] };
	/** Decided cases (with an outcome) the filters match. */
	decided: number;
	/** Cells tested and cells too small to test, over every dimension, categories and root causes. */
	cells_tested: number;
	cells_small: number;
	/** Set when nothing could be tested: no outcome imported, no decided case in the filters, or every cell too small. */
	not_testable: NotTestable | null;
	/** Set when the standard resolution per root cause cannot be shown (no root cause imported or none in the filters). */
	standard_resolution_not_testable: NotTestable | null;
	rows: ConsistencyCell[];
	tests: HomogeneityTest[];
	standard_resolution: StandardResolutionRow[];
	global: { key: ConsistencyKey; value: string; n: number; outcomes: Record<string, number> }[];
	definition: string;
	method: string;
}

const GROUP_NOUN: Record<ConsistencyDimension, string> = { region: 'Region', team: 'Team', agent: 'Agent', channel: 'Channel' };

function formatQ(q: number | null): string {
	const text = formatPValue(q);
	return text === '–' ? 'not tested' : text.startsWith('<') ? `q ${text}` : `q = ${text}`;
}


/** The cell's finding in plain words, and the statistics behind it for "details". */
export function consistencySentence(cell: Omit<ConsistencyCell, 'sentence' | 'details' | 'explained_by'>, dimensionLabelPlural: string): { sentence: string; details: string } {
	const what = cell.category !== null ? `${cell.category.replace(/_/g, ' ')} cases` : `cases with root cause ${cell.root_cause?.replace(/_/g, ' ')}`;
	const who = `${GROUP_NOUN[cell.dimension]} ${cell.group}`;
	if (cell.tvd === null) return { sentence: `${who}: no decided ${what}.`, details: '' };
	const whole = cell.category !== null ? 'the same cases elsewhere' : `all ${cell.root_cause?.replace(/_/g, ' ')} cases`;
	const main = cell.main_outcome && cell.main_share !== null && cell.main_global_share !== null ? `: ${formatShare(cell.main_share, 0)} end as ${cell.main_outcome.replace(/_/g, ' ')}, against ${formatShare(cell.main_global_share, 0)} overall` : '';
	const perHundred = Math.round(cell.tvd * 100);
	const sentence =
		cell.tvd >= 0.05
			? `${who} resolves ${what} differently from ${whole}${main}. About ${perHundred} in 100 of its cases would need another outcome to match.`
			: `${who} resolves ${what} like ${whole}${main}.`;
	const details = `Total variation distance ${cell.tvd.toFixed(2)}; ${formatQ(cell.q_value)} (Cressie-Read chi-square test against the other ${dimensionLabelPlural}, Benjamini-Hochberg over every cell tested); ${cell.n.toLocaleString('en')} decided cases.`;
	return { sentence, details };
}

const PLURAL: Record<ConsistencyDimension, string> = { region: 'regions', team: 'teams', agent: 'agents', channel: 'channels' };

/**
 * An agent's flag is the team's when the agent works (mostly) in a team flagged on the same
 * category or root cause, with the same outcome furthest from the whole and leaning the same way.
 */
function explainAgents(cells: Omit<ConsistencyCell, 'sentence' | 'details' | 'explained_by'>[], teamOf: Map<string, string>): Map<object, { dimension: 'team'; group: string }> {
	const teamFlags = new Map(cells.filter((c) => c.flagged && c.dimension === 'team').map((c) => [`${c.category}|${c.root_cause}|${c.group}`, c]));
	const explained = new Map<object, { dimension: 'team'; group: string }>();
	for (const c of cells) {
		if (!c.flagged || c.dimension !== 'agent') continue;
		const team = teamOf.get(c.group);
		const t = team === undefined ? undefined : teamFlags.get(`${c.category}|${c.root_cause}|${team}`);
		if (!t || t.main_outcome !== c.main_outcome || t.main_share === null || c.main_share === null || t.main_global_share === null || c.main_global_share === null) continue;
		if (Math.sign(t.main_share - t.main_global_share) === Math.sign(c.main_share - c.main_global_share)) explained.set(c, { dimension: 'team', group: t.group });
	}
	return explained;
}

export interface ConsistencyOptions {
	filters: Filters;
	today?: Date;
}

async function computeConsistencyReport(db: Kysely<Database>, options: ConsistencyOptions): Promise<ConsistencyReport> {
	const today = options.today ?? (await resolveToday(db, options.filters));
	const [{ version, policy }, cov] = await Promise.all([currentPolicy(db), archiveCoverage(db)]);
	const settings = fairnessSettings(policy);
	const min = settings.min_group_size;
	const where = caseFilterSql(options.filters, today);
	const dims = CONSISTENCY_DIMENSIONS;
	// Over the whole archive the counts are kept per import; a filter counts the cases it keeps.
	const unfiltered = !restrictsCases(options.filters, today);
	if (unfiltered) await keepConsistencyCounts(db);
	const { rows } = await (unfiltered ? sql<CountRow>`SELECT * FROM consistency_counts` : countsSql(where)).execute(db);

	const outcomes = [...new Set(rows.map((r) => r.outcome))].sort();
	const oi = new Map(outcomes.map((o, i) => [o, i]));
	// (kt, key, dim) -> group -> counts; group null kept for the global distribution only.
	type Block = { kt: ConsistencyKey; key: string; dim: ConsistencyDimension; global: number[]; groups: Map<string, number[]> };
	const blocks = new Map<string, Block>();
	for (const r of rows) {
		const id = `${r.kt}\u0001${r.key}\u0001${r.dim}`;
		let b = blocks.get(id);
		if (!b) {
			b = { kt: r.kt, key: r.key, dim: r.dim, global: outcomes.map(() => 0), groups: new Map() };
			blocks.set(id, b);
		}
		const n = Number(r.n);
		const j = oi.get(r.outcome) as number;
		b.global[j] += n;
		if (r.grp !== null) {
			const g = b.groups.get(r.grp) ?? outcomes.map(() => 0);
			g[j] += n;
			b.groups.set(r.grp, g);
		}
	}

	const cells: Omit<ConsistencyCell, 'sentence' | 'details' | 'explained_by'>[] = [];
	const tests: HomogeneityTest[] = [];
	for (const b of [...blocks.values()].sort((x, y) => x.kt.localeCompare(y.kt) || x.key.localeCompare(y.key) || dims.indexOf(x.dim) - dims.indexOf(y.dim))) {
		const globalN = b.global.reduce((s, v) => s + v, 0);
		// In group order, so the same counts give the same bits whatever order the rows came in.
		const groups = [...b.groups.entries()].sort((x, y) => x[0].localeCompare(y[0]));
		for (const [group, counts] of groups) {
			const n = counts.reduce((s, v) => s + v, 0);
			const rest = b.global.map((v, j) => v - counts[j]);
			const restN = globalN - n;
			const small = n < min;
			const tvd = n > 0 ? totalVariationDistance(counts, b.global) : NaN;
			let p: number | null = null;
			if (!small && restN > 0) {
				const test = chiSquareHomogeneity(poolSparseColumns([counts, rest], MIN_EXPECTED), { lambda: CRESSIE_READ });
				p = test.df > 0 ? test.pValue : 1;
			}
			let main = -1;
			let best = -1;
			for (let j = 0; j < outcomes.length; j++) {
				const d = Math.abs(counts[j] / (n || 1) - b.global[j] / globalN);
				if (d > best) {
					best = d;
					main = j;
				}
			}
			cells.push({
				category: b.kt === 'category' ? b.key : null,
				root_cause: b.kt === 'root_cause' ? b.key : null,
				dimension: b.dim,
				group,
				n,
				tvd: Number.isFinite(tvd) ? tvd : null,
				p_value: p,
				q_value: null,
				group_test_q: null,
				flagged: false,
				small,
				outcomes: Object.fromEntries(outcomes.map((o, j) => [o, counts[j]]).filter(([, v]) => (v as number) > 0)),
				main_outcome: main >= 0 && n > 0 ? outcomes[main] : null,
				main_share: main >= 0 && n > 0 ? counts[main] / n : null,
				main_global_share: main >= 0 && globalN > 0 ? b.global[main] / globalN : null
			});
		}
		// The r x c test across every group with enough cases.
		const big = groups.map(([, c]) => c).filter((c) => c.reduce((s, v) => s + v, 0) >= min);
		if (big.length >= 2) {
			const t = chiSquareHomogeneity(poolSparseColumns(big, MIN_EXPECTED), { lambda: CRESSIE_READ });
			tests.push({
				category: b.kt === 'category' ? b.key : null,
				root_cause: b.kt === 'root_cause' ? b.key : null,
				dimension: b.dim,
				groups: big.length,
				n: big.reduce((s, c) => s + c.reduce((x, v) => x + v, 0), 0),
				statistic: t.statistic,
				df: t.df,
				p_value: t.df > 0 ? t.pValue : null,
				q_value: null
			});
		}
	}
	const tq = benjaminiHochberg(tests.map((t) => t.p_value));
	tests.forEach((t, i) => (t.q_value = Number.isFinite(tq[i]) ? tq[i] : null));
	const blockQ = new Map(tests.map((t) => [`${t.category}|${t.root_cause}|${t.dimension}`, t.q_value]));
	const q = benjaminiHochberg(cells.map((c) => c.p_value));
	cells.forEach((c, i) => {
		c.q_value = Number.isFinite(q[i]) ? q[i] : null;
		c.group_test_q = blockQ.get(`${c.category}|${c.root_cause}|${c.dimension}`) ?? null;
		// Gatekeeping: a cell counts only where the test across all groups is significant too.
		c.flagged = !c.small && c.q_value !== null && c.q_value < FLAG_Q && c.group_test_q !== null && c.group_test_q < FLAG_Q && c.tvd !== null && c.tvd > settings.tvd_threshold;
	});

	// Index over category cells with enough cases.
	const indexCells = cells.filter((c) => c.category !== null && !c.small && c.tvd !== null) as ((typeof cells)[number] & { tvd: number })[];
	const idx = (list: typeof indexCells) => {
		const v = consistencyIndex(list);
		return Number.isFinite(v) ? v : null;
	};
	const decided = rows.filter((r) => r.kt === 'category' && r.dim === dims[0]).reduce((s, r) => s + Number(r.n), 0);
	const tooFew = (what: string) =>
		notTestable(`no cell could be tested: ${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what} needs ${min} or more decided cases in a category that other ${what}s handle too`, `${WIDEN_FILTERS_FIX}; or lower fairness.min_group_size under Admin → Policy`);
	const noDecided = firstNotTestable(
		missingColumn(cov, 'outcome'),
		decided === 0 && noneMatch('decided case (a case with an outcome)', options.filters)
	);
	const dimensionIndex: DimensionIndexRow[] = dims.map((d) => {
		const list = indexCells.filter((c) => c.dimension === d);
		const mine = cells.filter((c) => c.dimension === d);
		const tested = mine.filter((c) => c.p_value !== null).length;
		return {
			dimension: d,
			group: null,
			n: list.reduce((s, c) => s + c.n, 0),
			index: idx(list),
			cells_tested: tested,
			cells_small: mine.filter((c) => c.small).length,
			not_testable: firstNotTestable(
				noDecided,
				d === 'region' ? singleRegion(cov) : missingColumn(cov, DIMENSION_COLUMNS[d] as CoverageColumn),
				tooFewGroups([...new Set(mine.map((c) => c.group))].sort(), 'decided case', d, Boolean(options.filters.dims[d]?.length)),
				tested === 0 && tooFew(d)
			)
		};
	});
	const groupIndex: IndexRow[] = [];
	for (const d of dims) {
		const byGroup = new Map<string, typeof indexCells>();
		for (const c of indexCells) if (c.dimension === d) byGroup.set(c.group, [...(byGroup.get(c.group) ?? []), c]);
		for (const [group, list] of [...byGroup.entries()].sort((a, b) => a[0].localeCompare(b[0]))) groupIndex.push({ dimension: d, group, n: list.reduce((s, c) => s + c.n, 0), index: idx(list) });
	}

	// Standard resolution per root cause: the modal outcome, and each group's share deviating from it.
	const standard: StandardResolutionRow[] = [];
	const global: ConsistencyReport['global'] = [];
	const seenGlobal = new Set<string>();
	for (const b of blocks.values()) {
		const id = `${b.kt}\u0001${b.key}`;
		if (seenGlobal.has(id)) continue;
		seenGlobal.add(id);
		global.push({ key: b.kt, value: b.key, n: b.global.reduce((s, v) => s + v, 0), outcomes: Object.fromEntries(outcomes.map((o, j) => [o, b.global[j]]).filter(([, v]) => (v as number) > 0)) });
	}
	global.sort((a, b) => a.key.localeCompare(b.key) || a.value.localeCompare(b.value));
	for (const b of blocks.values()) {
		if (b.kt !== 'root_cause' || !(STANDARD_ROOT_CAUSES as readonly string[]).includes(b.key)) continue;
		const globalN = b.global.reduce((s, v) => s + v, 0);
		let mode = -1;
		b.global.forEach((v, j) => {
			if (mode < 0 || v > b.global[mode]) mode = j;
		});
		for (const [group, counts] of b.groups) {
			const n = counts.reduce((s, v) => s + v, 0);
			standard.push({
				root_cause: b.key,
				standard: mode >= 0 ? outcomes[mode] : null,
				standard_share: mode >= 0 && globalN ? b.global[mode] / globalN : null,
				dimension: b.dim,
				group,
				n,
				deviating_share: n && mode >= 0 ? (n - counts[mode]) / n : null,
				small: n < min
			});
		}
	}
	standard.sort((a, b) => STANDARD_ROOT_CAUSES.indexOf(a.root_cause as never) - STANDARD_ROOT_CAUSES.indexOf(b.root_cause as never) || dims.indexOf(a.dimension) - dims.indexOf(b.dimension) || a.group.localeCompare(b.group));

	const cellsTested = cells.filter((c) => c.p_value !== null).length;
	// Only when an agent is flagged: the agent's team in these filters (the one most of its cases carry).
	const teamOf = new Map<string, string>();
	if (cells.some((c) => c.flagged && c.dimension === 'agent')) {
		const { rows: teams } = await (unfiltered ? sql<AgentTeamRow>`SELECT * FROM consistency_agent_teams` : agentTeamsSql(where)).execute(db);
		for (const t of teams) teamOf.set(t.agent, t.team);
	}
	const explained = explainAgents(cells, teamOf);
	return {
		policy_version: version,
		settings: { min_group_size: min, tvd_threshold: settings.tvd_threshold },
		decided,
		cells_tested: cellsTested,
		cells_small: cells.filter((c) => c.small).length,
		not_testable: firstNotTestable(noDecided, cellsTested === 0 && tooFew('group')),
		standard_resolution_not_testable: firstNotTestable(
			noDecided,
			missingColumn(cov, 'root_cause'),
			standard.length === 0 && notTestable(`no decided case in these filters has a ${STANDARD_ROOT_CAUSES.join(', ').replace('human_error', 'human-error')} root cause`, WIDEN_FILTERS_FIX)
		),
		outcomes,
		categories: [...new Set(cells.filter((c) => c.category !== null).map((c) => c.category as string))].sort(),
		root_causes: [...new Set(cells.filter((c) => c.root_cause !== null).map((c) => c.root_cause as string))].sort(),
		index: { overall: idx(indexCells), dimensions: dimensionIndex, groups: groupIndex },
		rows: cells.map((c) => ({ ...c, ...consistencySentence(c, PLURAL[c.dimension]), explained_by: explained.get(c) ?? null })),
		tests,
		standard_resolution: standard,
		global,
		definition: CONSISTENCY_DEFINITION,
		method: CONSISTENCY_METHOD
	};
}

/** Cached per data version and request (src/lib/metrics/filters/data-version.server.ts). */
export const consistencyReport = cachedReport('consistency', computeConsistencyReport);
