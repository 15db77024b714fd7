import { writeFile } from 'node:fs/promises';
import { appConfig } from '../../lib/core/config.server';
import { digestOptions, parseIsoWeek, WEEK_FORMAT_HINT } from '../../lib/digest/model';
import { digestFile, isDigestFormat, type DigestFile } from '../../lib/digest/files.server';
import { FILTER_OPTIONS, parse, UsageError } from '../args';
import { onDatabaseOrServer } from '../server-handoff';

export const reportHelp = `caselens report weekly [--week W] [--format md|html] [--out FILE] [--db PATH] [filters]

The weekly digest, as /reports/weekly shows it: one ISO week (Monday to Sunday, UTC) against the
week before: cases opened, first response and resolution medians, the share answered within the
policy's target, compliance per rule, CSAT and response rate, fairness and consistency flags new
or gone, and rising friction themes. For a cron job or a mail tool.
  --week W              an ISO week such as 2026-W47 (default: the last complete week before the
                        archive's latest record, or before today with --anchor today)
  --anchor A            archive (default) or today: what the default week counts back from
  --format F            md (Markdown, default) or html (self-contained, inline styles, no scripts)
  --out FILE            write the digest to FILE instead of printing it
  --batch N             only the cases and feedback of import N (repeat or comma-separate)
  --region V ... --agent V   filters, as on the pages (repeat or comma-separate values)
  --db PATH
While the server holds the database, the digest is read from /reports/weekly/report.md (.html).`;


export async function reportCommand(args: string[]): Promise<number> {
	const { values, positionals } = parse(args, {
		week: { type: 'string' },
		anchor: { type: 'string' },
		format: { type: 'string', default: 'md' },
		out: { type: 'string' },
		batch: { type: 'string', multiple: true },
		db: { type: 'string' },
		...FILTER_OPTIONS
	});
	if (positionals[0] !== 'weekly') throw new UsageError(positionals.length ? `unknown report "${positionals[0]}": the one report is "weekly"` : 'name the report: caselens report weekly');
	if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
	const format = values.format;
	if (!isDigestFormat(format)) throw new UsageError(`--format is md or html, got "${String(format)}"`);
	if (values.week !== undefined && !parseIsoWeek(String(values.week))) throw new UsageError(`--week must be ${WEEK_FORMAT_HINT}, got "${String(values.week)}"`);
	if (values.anchor !== undefined && values.anchor !== 'archive' && values.anchor !== 'today') throw new UsageError('--anchor is archive or today');
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(values)) {
		if (key === 'db' || key === 'format' || key === 'out' || value === undefined) continue;
		for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
	}
	// Parsed here, not only by the server, so a bad filter is a usage error either way.
	const options = digestOptions(params);
	const file: DigestFile = await onDatabaseOrServer(
		appConfig(values.db as string | undefined).dbPath,
		(db) => digestFile(db, options, format),
		async (ask) => {
			const response = await ask({ path: `/reports/weekly/report.${format}`, params, accept: `${format === 'md' ? 'text/markdown' : 'text/html'}, application/json`, instead: 'Open the Weekly page in the browser' });
			const week = response.headers.get('x-caselens-week') ?? options.week ?? '';
			return { week, body: await response.text(), contentType: response.headers.get('content-type') ?? '', fileName: '' };
		}
	);
	if (values.out === undefined) {
		console.log(file.body.trimEnd());
		return 0;
	}
	await writeFile(String(values.out), file.body, 'utf8');
	console.log(`Weekly digest ${file.week} written to ${String(values.out)} (${format === 'md' ? 'Markdown' : 'HTML'}).`);
	return 0;
}
