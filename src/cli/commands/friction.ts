import { appConfig } from '../../lib/core/config.server';
import { formatPValue, formatRatio, formatShare } from '../../lib/core/format';
import { STRUCTURAL_LABELS } from '../../lib/friction/structural-metrics';
import { frictionOptions, frictionReport, reportMarkdown, type FrictionReport } from '../../lib/friction/report.server';
import { parse, SCOPE_OPTIONS, UsageError } from '../args';
import { onDatabaseOrServer } from '../server-handoff';

export const frictionHelp = `caselens friction [filters] [--source comments|subjects] [--period DAYS] [--json | --markdown]

The Friction report: themes ranked by satisfaction cost with their trend (rising = Benjamini-
Hochberg q < 0.05 and a higher share than in the period before), structural friction (reopen,
repeat contact, escalation) and the tracked items with their before/after.
  --source S            themes from feedback comments (default) or case subjects
  --period DAYS         recent period compared with the one before (default: config/friction.json)
  --range R             7d, 30d, 90d, quarter, all (default)
  --anchor A            what --range counts back from: archive (its latest record, default) or today
  --from D --to D       custom dates (YYYY-MM-DD, inclusive)
  --batch N             only the cases and feedback of import N (repeat or comma-separate)
  --region V ... --agent V   filters, as on the pages (repeat or comma-separate values)
  --json                the report as JSON (per theme: theme, count, share, csat_mean, csat_rest,
                        trend_ratio, p_value, q_value, rising, ...), as /api/friction returns it
  --markdown            the report as Markdown, as /friction/report.md
  --db PATH
While the server holds the database, the report is read from those two addresses.`;


export async function frictionCommand(args: string[]): Promise<number> {
	const { values, positionals } = parse(args, {
		source: { type: 'string' },
		period: { type: 'string' },
		...SCOPE_OPTIONS,
		markdown: { type: 'boolean', default: false }
	});
	if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
	if (values.source !== undefined && values.source !== 'comments' && values.source !== 'subjects') throw new UsageError('--source is comments or subjects');
	if (values.period !== undefined && !/^\d+$/.test(String(values.period))) throw new UsageError('--period is a number of days');
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(values)) {
		if (key === 'db' || key === 'json' || key === 'markdown' || value === undefined) continue;
		for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
	}
	// Parsed here, not only by the server, so a bad filter is a usage error either way.
	const options = frictionOptions(params);
	const instead = 'Open the Friction page in the browser';
	// The server's JSON carries dates as strings; the text below prints none of them.
	const r: FrictionReport | string = await onDatabaseOrServer(
		appConfig(values.db as string | undefined).dbPath,
		async (db) => {
			const report = await frictionReport(db, options);
			return values.markdown ? reportMarkdown(report) : report;
		},
		async (ask) => (values.markdown ? (await ask({ path: '/friction/report.md', params, accept: 'text/markdown, application/json', instead })).text() : (await ask({ path: '/api/friction', params, instead })).json())
	);
	if (typeof r === 'string') console.log(r);
	else if (values.json) console.log(JSON.stringify(r));
	else {
		console.log(`${r.documents} documents (${r.source}), ${r.themes.length} themes, ${r.themes.filter((t) => t.rising).length} rising`);
		for (const t of r.themes.slice(0, 20)) {
			console.log(`  ${t.theme.slice(0, 32).padEnd(32)} ${String(t.count).padStart(6)} ${formatShare(t.share).padStart(6)}  CSAT ${t.csat_mean?.toFixed(2) ?? '–'} vs ${t.csat_rest?.toFixed(2) ?? '–'}  trend ${formatRatio(t.trend_ratio).padStart(6)} q ${formatPValue(t.q_value)}${t.rising ? '  RISING' : ''}`);
		}
		for (const s of r.structural.rows.filter((x) => x.rising)) console.log(`  rising: ${STRUCTURAL_LABELS[s.metric]} in ${s.dimension} ${s.value} (${formatRatio(s.trend_ratio)}, q ${formatPValue(s.q_value)})`);
	}
	return 0;
}
