import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import { complianceReport } from './compliance/compliance.server';
import { consistencyReport } from './consistency/consistency.server';
import { csatReport } from './csat/csat.server';
import { fairnessReport } from './fairness/fairness.server';
import { consistencyOptions, fairnessOptions } from './fairness/fairness-options.server';
import { metricOptions } from './filters/request-options.server';
import { speedReport } from './speed/speed.server';

/**
 * Every metric's JSON, declared once: `/api/metrics/[metric]` and `caselens metrics` call the same
 * entry with the same URL parameters, so a slice (`?by=`, `?dimension=`, `?measure=`) means one
 * thing everywhere. A new metric is a folder under src/lib/metrics/ plus one line here.
 *
 * `breakdown: false` leaves out the per-group breakdown where it is optional (the CLI without --by).
 */
export const METRICS = {
	speed: (db: Kysely<Database>, params: URLSearchParams, breakdown = true) => {
		const o = metricOptions(params);
		return speedReport(db, { ...o, by: breakdown ? o.by : null });
	},
	compliance: (db: Kysely<Database>, params: URLSearchParams) => {
		const o = metricOptions(params);
		return complianceReport(db, { filters: o.filters, by: o.by });
	},
	csat: (db: Kysely<Database>, params: URLSearchParams, breakdown = true) => {
		const o = metricOptions(params);
		return csatReport(db, { ...o, by: breakdown ? o.by : null });
	},
	/** `?by=team` keeps only that dimension's rows (q-values stay those of the whole page). */
	consistency: async (db: Kysely<Database>, params: URLSearchParams) => {
		const o = consistencyOptions(params);
		const r = await consistencyReport(db, { filters: o.filters });
		const keep = <T extends { dimension: string }>(list: T[]) => (o.by ? list.filter((x) => x.dimension === o.by) : list);
		return { ...r, rows: keep(r.rows), tests: keep(r.tests), standard_resolution: keep(r.standard_resolution) };
	},
	/** `?dimension=` and `?measure=` keep only those rows (q-values stay those of the whole page). */
	fairness: async (db: Kysely<Database>, params: URLSearchParams) => {
		const o = fairnessOptions(params);
		const r = await fairnessReport(db, { filters: o.filters });
		const keep = (x: { dimension: string; measure: string }) => (!o.dimension || x.dimension === o.dimension) && (!o.measure || x.measure === o.measure);
		return { ...r, rows: r.rows.filter(keep), checks: r.checks.filter(keep) };
	}
} as const;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];
export type MetricReport<M extends MetricName> = Awaited<ReturnType<(typeof METRICS)[M]>>;

export function isMetricName(value: string): value is MetricName {
	return Object.hasOwn(METRICS, value);
}
