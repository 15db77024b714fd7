import { appConfig } from '../../lib/core/config.server';
import { parseSampleRequest, RISK_FLAGS, sampleRequestToParams, STRATIFY_DIMENSIONS } from '../../lib/audits/sample-request';
import { AuditError } from '../../lib/audits/audit-error';
import { auditResults, type AuditResults } from '../../lib/audits/results.server';
import { drawAuditSample, type DrawnSample } from '../../lib/audits/sampling.server';
import { parse, SCOPE_OPTIONS, UsageError } from '../args';
import { localActor, onDatabaseOrServer, ServerRefusal } from '../server-handoff';

export const auditHelp = `caselens audit sample|results [options] [--json]

  caselens audit sample --design simple|stratified|risk [--by DIM] [--allocation proportional|equal]
                        --size N [--seed S] [--exclude-days D] [--status S ...] [--weight-FLAG W ...] [filters]
      Draws an audit sample and stores it (same seed, filters and design = same sample).
      --by DIM           stratify by ${STRATIFY_DIMENSIONS.join(', ')} (stratified design)
      --weight-FLAG W    risk design: weight of ${RISK_FLAGS.join(', ')} (e.g. --weight-low_csat 4)
      --exclude-days D   skip cases already in a sample drawn in the last D days
  caselens audit results [--by DIM] [--grain week|month] [--sample N]
      The quality score (IQS) from submitted reviews: weighted (Horvitz-Thompson) with its 95%
      interval, and the unweighted mean beside it.
  Filters as on the pages: --range R [--anchor archive|today], --from D --to D, --batch N,
  --region V ... --agent V.
  --db PATH  --json
  While the server holds the database (DuckDB lets one process open the file), both go through it.`;

const WEIGHT_OPTIONS = Object.fromEntries(RISK_FLAGS.map((f) => [`weight-${f}`, { type: 'string' }] as const));

function formatSample(s: DrawnSample): string {
	const lines = [`sample ${s.sample_id}: ${s.design}, ${s.size} of ${s.population} cases, seed ${s.seed}${s.excluded ? ` (${s.excluded} recently sampled cases excluded)` : ''}`];
	if (s.strata.length > 1) for (const h of s.strata) lines.push(`  ${h.stratum.padEnd(22)} ${String(h.sampled).padStart(5)} of ${h.population}  pi ${(h.sampled / h.population).toFixed(4)}`);
	return lines.join('\n');
}

function formatResults(r: AuditResults): string {
	const f = (v: number | null) => (v === null ? '–' : v.toFixed(1));
	if (r.reviews === 0) return 'No submitted audit review yet.';
	const lines = [`IQS (weighted) ${f(r.overall.estimate)} [95% CI ${f(r.overall.ci_low)} – ${f(r.overall.ci_high)}], unweighted mean ${f(r.overall.unweighted_mean)}, ${r.reviews} reviews`];
	for (const g of r.groups) lines.push(`  ${g.group.padEnd(22)} ${f(g.estimate).padStart(6)}  [${f(g.ci_low)} – ${f(g.ci_high)}]  unweighted ${f(g.unweighted_mean)}  n ${g.n}`);
	return lines.join('\n');
}

export async function auditCommand(args: string[]): Promise<number> {
	const { values, positionals } = parse(args, {
		design: { type: 'string' },
		by: { type: 'string' },
		allocation: { type: 'string' },
		size: { type: 'string' },
		seed: { type: 'string' },
		'exclude-days': { type: 'string' },
		status: { type: 'string', multiple: true },
		note: { type: 'string' },
		grain: { type: 'string' },
		sample: { type: 'string' },
		...SCOPE_OPTIONS,
		...WEIGHT_OPTIONS
	});
	const what = positionals[0];
	if (what !== 'sample' && what !== 'results') throw new UsageError('say what: sample or results');
	const config = appConfig(values.db as string | undefined);

	if (what === 'results') {
		if (values.sample !== undefined && !/^\d{1,9}$/.test(values.sample)) throw new UsageError('--sample is the number of a sample');
		const params = new URLSearchParams();
		for (const key of ['by', 'grain', 'sample'] as const) if (values[key] !== undefined) params.set(key, String(values[key]));
		const r: AuditResults = await onDatabaseOrServer(
			config.dbPath,
			(db) => auditResults(db, { by: values.by, grain: values.grain, sampleId: values.sample ? Number(values.sample) : null }),
			async (ask) => (await ask({ path: '/api/audits/results', params, instead: 'Open Audits → Results in the browser' })).json()
		);
		console.log(values.json ? JSON.stringify(r) : formatResults(r));
		return 0;
	}

	const params = new URLSearchParams();
	const rename: Record<string, string> = { by: 'stratify', 'exclude-days': 'exclude_days' };
	for (const [key, value] of Object.entries(values)) {
		if (['db', 'json', 'grain', 'sample'].includes(key) || value === undefined) continue;
		const name = rename[key] ?? key.replace(/^weight-/, 'weight_');
		for (const v of Array.isArray(value) ? value : [value]) params.append(name, String(v));
	}
	const { request, errors } = parseSampleRequest(params);
	if (!request) throw new UsageError(errors.join(' '));

	let sample: DrawnSample;
	try {
		sample = await onDatabaseOrServer(
			config.dbPath,
			(db) => drawAuditSample(db, request, localActor()),
			async (ask) => {
				const drawn = (await ask({ path: '/api/audits/samples', method: 'POST', params: sampleRequestToParams(request), instead: 'Draw it on Audits → New sample' })).json();
				if (!values.json) console.error(`(the server holds ${config.dbPath}; drawn through it)`);
				return drawn;
			}
		);
	} catch (error) {
		// The same refusal (too few cases left, say) reads the same whichever process drew.
		const refusal = error instanceof AuditError || (error instanceof ServerRefusal && error.status < 500) ? error.message : undefined;
		if (refusal === undefined) throw error;
		if (values.json) console.log(JSON.stringify({ error: refusal }));
		console.error(`caselens audit: ${refusal}`);
		return 1;
	}
	console.log(values.json ? JSON.stringify(sample) : formatSample(sample));
	return 0;
}
