import type { Kysely } from 'kysely';
import { appConfig } from '../../lib/core/config.server';
import type { Database } from '../../lib/core/db/schema';
import { FILTER_DIMENSIONS } from '../../lib/metrics/filters/model';
import { complianceReport, type ComplianceReport } from '../../lib/metrics/compliance/compliance.server';
import { CONSISTENCY_DIMENSIONS, consistencyReport, type ConsistencyReport } from '../../lib/metrics/consistency/consistency.server';
import { csatReport, type CsatReport } from '../../lib/metrics/csat/csat.server';
import { FAIRNESS_DIMENSIONS, FAIRNESS_MEASURES, fairnessReport, type FairnessReport } from '../../lib/metrics/fairness/fairness.server';
import { consistencyOptions, fairnessOptions } from '../../lib/metrics/fairness/fairness-options.server';
import { speedReport, type SpeedReport } from '../../lib/metrics/speed/speed.server';
import { formatChange, formatHours, formatPoints, formatShare } from '../../lib/core/format';
import { describeNotTestable } from '../../lib/metrics/model';
import { BASIS_LABEL } from '../../lib/metrics/speed/model';
import { parse, SCOPE_OPTIONS, UsageError } from '../args';
import { onDatabaseOrServer } from '../server-handoff';
import { METRICS, METRIC_NAMES, type MetricName } from '../../lib/metrics/registry.server';

const KINDS = METRIC_NAMES;
type Kind = MetricName;

export const metricsHelp = `caselens metrics speed|compliance|csat|consistency|fairness|all [--by DIM] [filters] [--json]

The numbers behind the Speed, Compliance, Satisfaction, Consistency and Fairness pages, for
scripted reports. --json prints what the page's /api/metrics/... endpoint returns.
  all                   every one of them in one run (speed for both measures), the first full
                        view of an archive without a process start per metric; --json prints
                        {"speed_first_response": ..., "speed_resolution": ..., "compliance": ...,
                        "csat": ..., "consistency": ..., "fairness": ...}
  --by DIM              breakdown: ${FILTER_DIMENSIONS.join(', ')} (compliance: region, team, agent);
                        consistency: only the rows of one of ${CONSISTENCY_DIMENSIONS.join(', ')}
  --measure M           speed: first_response (default) or resolution;
                        fairness: only the rows of one of ${FAIRNESS_MEASURES.join(', ')}
  --dimension D         fairness: only the rows of one of ${FAIRNESS_DIMENSIONS.join(', ')}
  --grain G             trend: day, week (default) or month
  --range R             7d, 30d, 90d, quarter, all (default)
  --anchor A            what --range counts back from: archive (its latest record, default) or today
  --from D --to D       custom dates (YYYY-MM-DD, inclusive)
  --batch N             only the cases and feedback of import N (repeat or comma-separate)
  --region V ... --agent V   filters, as on the pages (repeat or comma-separate values)
  --db PATH  --json
A number the data cannot support prints "Not testable" with the reason and the fix (in --json:
"not_testable": {"status": "not_testable", "reason": ..., "fix": ...}).
While the server holds the database, the numbers are read from its JSON endpoints.`;


type Report = SpeedReport | ComplianceReport | CsatReport | ConsistencyReport | FairnessReport;

/** The report as the endpoint returns it (src/lib/metrics/registry.server.ts). */
async function computeReport(db: Kysely<Database>, kind: Kind, params: URLSearchParams, hasBy: boolean): Promise<Report> {
	return METRICS[kind](db, params, hasBy);
}

const fmtIndex = (v: number | null) => (v === null ? '–' : v.toFixed(1));

function printText(kind: Kind, report: Report): void {
	if (kind === 'speed') {
		const r = report as SpeedReport;
		if (r.not_testable) return console.log(`${r.definition}\n${describeNotTestable(r.not_testable)}`);
		console.log(`${r.definition}\nMedian (Kaplan-Meier) ${formatHours(r.overall.km_median)} [${formatHours(r.overall.km_median_low)} – ${formatHours(r.overall.km_median_high)}], p90 ${formatHours(r.overall.km_p90)}, ${r.overall.n} cases, ${formatShare(r.overall.open_share)} open`);
		// The share within the policy's target, on the basis the policy measures it in.
		const within = (g: SpeedReport['overall']) => {
			const a = r.target && g.attainment ? g.attainment[r.target.basis] : null;
			return a ? `  within target ${formatShare(a.share).padStart(6)} (${a.within} of ${a.within + a.breached})` : '';
		};
		if (r.target) console.log(`Target ${r.target.hours} h in ${BASIS_LABEL[r.target.basis]}${Object.keys(r.target.channels).length ? ` (${Object.entries(r.target.channels).map(([c, h]) => `${c} ${h} h`).join(', ')})` : ''}:${within(r.overall)}`);
		for (const g of r.groups) console.log(`  ${String(g.group).padEnd(22)} median ${formatHours(g.km_median).padStart(8)}  p90 ${formatHours(g.km_p90).padStart(8)}  n ${g.n}${within(g)}`);
	} else if (kind === 'compliance') {
		for (const rule of (report as ComplianceReport).rules) {
			console.log(rule.not_testable ? `${rule.label.padEnd(40)} ${describeNotTestable(rule.not_testable)}` : `${rule.label.padEnd(40)} ${formatShare(rule.rate, 2).padStart(7)}  (${rule.flagged} of ${rule.eligible})`);
		}
	} else if (kind === 'csat') {
		const r = report as CsatReport;
		if (r.response_rate_not_testable) console.log(`Response rate: ${describeNotTestable(r.response_rate_not_testable)}`);
		if (r.not_testable) return console.log(`CSAT: ${describeNotTestable(r.not_testable)}`);
		console.log(`CSAT ${formatShare(r.overall.csat)} [${formatShare(r.overall.ci_low)} – ${formatShare(r.overall.ci_high)}], mean ${r.overall.mean?.toFixed(2) ?? '–'}, n ${r.overall.rated}, response rate ${formatShare(r.overall.response_rate)}`);
		for (const g of r.groups) console.log(`  ${String(g.group).padEnd(22)} ${formatShare(g.csat).padStart(7)}  n ${g.rated}`);
	} else if (kind === 'consistency') {
		const r = report as ConsistencyReport;
		if (r.not_testable) return console.log(`Consistency: ${describeNotTestable(r.not_testable)}`);
		console.log(`Consistency index ${fmtIndex(r.index.overall)} (${r.index.dimensions.map((d) => `${d.dimension} ${fmtIndex(d.index)}`).join(', ')})`);
		// An agent flagged the way its team is flagged is listed under the team's finding.
		const flags = r.rows.filter((x) => x.flagged && !x.explained_by);
		console.log(flags.length ? `${flags.length} finding${flags.length === 1 ? '' : 's'}:` : `No cell is flagged among the ${r.cells_tested} cells tested (${r.cells_small} too small to test).`);
		for (const d of r.index.dimensions) if (d.not_testable) console.log(`  ${d.dimension}: ${describeNotTestable(d.not_testable)}`);
		for (const f of flags) {
			console.log(`  ${f.sentence}\n    ${f.details}`);
			const agents = r.rows.filter((x) => x.explained_by?.group === f.group && x.category === f.category && x.root_cause === f.root_cause);
			if (agents.length) console.log(`    Also in ${agents.length} of its agents: ${agents.map((a) => a.group).join(', ')}.`);
		}
	} else {
		const r = report as FairnessReport;
		if (r.not_testable) return console.log(`Fairness: ${describeNotTestable(r.not_testable)}`);
		const flags = r.rows.filter((x) => x.flagged);
		console.log(flags.length ? `${flags.length} flagged:` : `Nothing is flagged among the ${r.compared} comparisons made.`);
		for (const c of r.checks) if (c.not_testable) console.log(`  ${c.dimension} × ${c.measure}: ${describeNotTestable(c.not_testable)}`);
		for (const f of flags) console.log(`  ${f.sentence}\n    ${f.details}`);
		console.log('');
		for (const x of r.rows) {
			const diff = x.measure === 'resolution_time' ? formatChange(x.diff) : formatPoints(x.diff);
			console.log(`  ${x.measure.padEnd(16)} ${x.dimension.padEnd(12)} ${x.group.padEnd(20)} n ${String(x.n).padStart(7)}  adjusted diff ${diff.padStart(8)}  q ${x.q_value === null ? '–' : x.q_value.toPrecision(2)}${x.flagged ? '  FLAGGED' : ''}`);
		}
	}
}

export async function metricsCommand(args: string[]): Promise<number> {
	const { values, positionals } = parse(args, {
		by: { type: 'string' },
		measure: { type: 'string' },
		dimension: { type: 'string' },
		grain: { type: 'string' },
		...SCOPE_OPTIONS
	});
	const kind = positionals[0] as Kind | 'all';
	if (kind !== 'all' && !(KINDS as readonly string[]).includes(kind)) throw new UsageError(`say which metrics: ${KINDS.join(', ')}, or all`);
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(values)) {
		if (key === 'db' || key === 'json' || value === undefined) continue;
		for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
	}
	if (kind === 'all') {
		if (values.measure || values.dimension) throw new UsageError('--measure and --dimension pick rows of one metric: use them with speed or fairness, not all');
		return allMetrics(params, Boolean(values.by), Boolean(values.json), values.db as string | undefined);
	}
	if (kind === 'consistency' && values.by && !consistencyOptions(params).by) throw new UsageError(`--by for consistency is one of ${CONSISTENCY_DIMENSIONS.join(', ')}`);
	if (kind === 'fairness') {
		const o = fairnessOptions(params);
		if (values.dimension && !o.dimension) throw new UsageError(`--dimension is one of ${FAIRNESS_DIMENSIONS.join(', ')}`);
		if (values.measure && !o.measure) throw new UsageError(`--measure for fairness is one of ${FAIRNESS_MEASURES.join(', ')}`);
	}
	const report = await reportsOf(values.db as string | undefined, [{ kind, params }], Boolean(values.by));
	if (values.json) console.log(JSON.stringify(report[0]));
	else printText(kind, report[0]);
	return 0;
}

/** The reports asked for, in order, from the database or, while the server holds it, from its endpoints. */
function reportsOf(db: string | undefined, asked: { kind: Kind; params: URLSearchParams }[], hasBy: boolean): Promise<Report[]> {
	return onDatabaseOrServer(
		appConfig(db).dbPath,
		async (conn) => {
			const out: Report[] = [];
			for (const a of asked) out.push(await computeReport(conn, a.kind, a.params, hasBy));
			return out;
		},
		async (ask) => {
			const out: Report[] = [];
			for (const a of asked) out.push((await (await ask({ path: `/api/metrics/${a.kind}`, params: a.params, instead: 'Open the page in the browser' })).json()) as Report);
			return out;
		}
	);
}

const ALL_SECTIONS: { key: string; kind: Kind; title: string; measure?: 'first_response' | 'resolution' }[] = [
	{ key: 'speed_first_response', kind: 'speed', title: 'Speed: first response', measure: 'first_response' },
	{ key: 'speed_resolution', kind: 'speed', title: 'Speed: resolution', measure: 'resolution' },
	{ key: 'compliance', kind: 'compliance', title: 'Compliance' },
	{ key: 'csat', kind: 'csat', title: 'Satisfaction' },
	{ key: 'consistency', kind: 'consistency', title: 'Consistency' },
	{ key: 'fairness', kind: 'fairness', title: 'Fairness' }
];

/** `caselens metrics all`: every metric under the same scope, as each command alone would print it. */
async function allMetrics(params: URLSearchParams, hasBy: boolean, json: boolean, db: string | undefined): Promise<number> {
	const asked = ALL_SECTIONS.map((s) => {
		const p = new URLSearchParams(params);
		if (s.measure) p.set('measure', s.measure);
		return { kind: s.kind, params: p };
	});
	const reports = await reportsOf(db, asked, hasBy);
	if (json) {
		console.log(JSON.stringify(Object.fromEntries(ALL_SECTIONS.map((s, i) => [s.key, reports[i]]))));
		return 0;
	}
	ALL_SECTIONS.forEach((s, i) => {
		console.log(`${i ? '\n' : ''}== ${s.title}`);
		printText(s.kind, reports[i]);
	});
	return 0;
}
