import { appConfig } from '../../lib/server/app-config';
import { openDatabase } from '../../lib/server/db/database';
import { FILTER_DIMENSIONS } from '../../lib/filters/filters';
import { complianceReport } from '../../lib/server/metrics/compliance';
import { csatReport } from '../../lib/server/metrics/csat';
import { metricOptions } from '../../lib/server/metrics/request-options';
import { speedReport } from '../../lib/server/metrics/speed';
import { formatHours, formatShare } from '../../lib/format-metrics';
import { parse, UsageError } from '../args';

export const metricsHelp = `caselens metrics speed|compliance|csat [--by DIM] [filters] [--json]

The numbers behind the Speed, Compliance and Satisfaction pages, for scripted reports.
  --by DIM              breakdown: ${FILTER_DIMENSIONS.join(', ')} (compliance: region, team, agent)
  --measure M           speed only: first_response (default) or resolution
  --grain G             trend: day, week (default) or month
  --range R             7d, 30d, 90d, quarter, all (default)
  --from D --to D       custom dates (YYYY-MM-DD, inclusive)
  --region V ... --agent V   filters, as on the pages (repeat or comma-separate values)
  --db PATH  --json`;

const FILTER_OPTIONS = Object.fromEntries(FILTER_DIMENSIONS.map((d) => [d, { type: 'string', multiple: true }] as const));

export async function metricsCommand(args: string[]): Promise<number> {
	const { values, positionals } = parse(args, {
		by: { type: 'string' },
		measure: { type: 'string' },
		grain: { type: 'string' },
		range: { type: 'string' },
		from: { type: 'string' },
		to: { type: 'string' },
		db: { type: 'string' },
		json: { type: 'boolean', default: false },
		...FILTER_OPTIONS
	});
	const kind = positionals[0];
	if (kind !== 'speed' && kind !== 'compliance' && kind !== 'csat') throw new UsageError('say which metrics: speed, compliance or csat');
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(values)) {
		if (key === 'db' || key === 'json' || value === undefined) continue;
		for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
	}
	const options = metricOptions(params);
	const open = await openDatabase(appConfig(values.db as string | undefined).dbPath);
	try {
		if (kind === 'speed') {
			const r = await speedReport(open.db, { ...options, by: values.by ? options.by : null });
			if (values.json) console.log(JSON.stringify(r));
			else {
				console.log(`${r.definition}\nMedian (Kaplan-Meier) ${formatHours(r.overall.km_median)} [${formatHours(r.overall.km_median_low)} – ${formatHours(r.overall.km_median_high)}], p90 ${formatHours(r.overall.km_p90)}, ${r.overall.n} cases, ${formatShare(r.overall.open_share)} open`);
				for (const g of r.groups) console.log(`  ${String(g.group).padEnd(22)} median ${formatHours(g.km_median).padStart(8)}  p90 ${formatHours(g.km_p90).padStart(8)}  n ${g.n}`);
			}
		} else if (kind === 'compliance') {
			const r = await complianceReport(open.db, { filters: options.filters, by: options.by });
			if (values.json) console.log(JSON.stringify(r));
			else for (const rule of r.rules) console.log(`${rule.label.padEnd(40)} ${formatShare(rule.rate, 2).padStart(7)}  (${rule.flagged} of ${rule.eligible})`);
		} else {
			const r = await csatReport(open.db, { ...options, by: values.by ? options.by : null });
			if (values.json) console.log(JSON.stringify(r));
			else {
				console.log(`CSAT ${formatShare(r.overall.csat)} [${formatShare(r.overall.ci_low)} – ${formatShare(r.overall.ci_high)}], mean ${r.overall.mean?.toFixed(2) ?? '–'}, n ${r.overall.rated}, response rate ${formatShare(r.overall.response_rate)}`);
				for (const g of r.groups) console.log(`  ${String(g.group).padEnd(22)} ${formatShare(g.csat).padStart(7)}  n ${g.rated}`);
			}
		}
	} finally {
		await open.close();
	}
	return 0;
}
