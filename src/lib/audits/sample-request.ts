/**
 * What a sampling request is, read the same way from the form, the JSON API and the CLI.
 * Browser-safe.
 */
import { ALLOCATIONS, type Allocation } from './allocation';
import { filtersToParams, parseFilters, type Filters } from '../metrics/filters/model';

export const SAMPLE_DESIGNS = ['simple', 'stratified', 'risk'] as const;
export type SampleDesignKind = (typeof SAMPLE_DESIGNS)[number];

export const DESIGN_LABELS: Record<SampleDesignKind, string> = {
	simple: 'Simple random',
	stratified: 'Stratified',
	risk: 'Risk-weighted'
};

/** Dimensions a sample can be stratified by (the cases column behind each is in filters.ts). */
export const STRATIFY_DIMENSIONS = ['region', 'team', 'agent', 'category'] as const;
export type StratifyDimension = (typeof STRATIFY_DIMENSIONS)[number];

export const CASE_STATUSES = ['open', 'pending', 'solved', 'closed'] as const;

export const RISK_FLAGS = ['low_csat', 'reopened', 'slow', 'escalated', 'compliance', 'auto_checks'] as const;
export type RiskFlag = (typeof RISK_FLAGS)[number];
export type RiskWeights = Record<RiskFlag, number>;

export const RISK_FLAG_LABELS: Record<RiskFlag, string> = {
	low_csat: 'Low CSAT (a rating of 1 or 2)',
	reopened: 'Reopened at least once',
	slow: 'First response later than the policy target (or none yet past it)',
	escalated: 'Escalated',
	compliance: 'Breaks a compliance rule',
	auto_checks: "Fails an automatic check the scorecard declares (see Automatic checks)"
};

/**
 * A case's risk size is 1 + the weights of its flags: a weight of 3 makes a flagged case 4 times as
 * likely to be drawn as an unflagged one. Failed automatic checks start at 0 (off): a sample stored
 * before the flag existed names no weight for it, and drawing it again must give the same cases.
 */
export const DEFAULT_RISK_WEIGHTS: RiskWeights = { low_csat: 3, reopened: 2, slow: 2, escalated: 2, compliance: 3, auto_checks: 0 };

export const MAX_SAMPLE_SIZE = 5000;
export const MAX_SEED = 4294967295;

export interface SampleRequest {
	design: SampleDesignKind;
	by: StratifyDimension | null;
	allocation: Allocation | null;
	size: number;
	/** null: choose one at random (and show it). */
	seed: number | null;
	filters: Filters;
	statuses: string[];
	excludeDays: number;
	riskWeights: RiskWeights | null;
	note: string;
}

function wholeNumber(raw: string | null, name: string, min: number, max: number, errors: string[]): number | null {
	if (raw === null || raw.trim() === '') return null;
	const n = Number(raw.trim().replaceAll('_', ''));
	if (!Number.isInteger(n) || n < min || n > max) {
		errors.push(`${name} must be a whole number from ${min} to ${max.toLocaleString('en')}.`);
		return null;
	}
	return n;
}

export function parseSampleRequest(params: URLSearchParams): { request: SampleRequest | null; errors: string[] } {
	const errors: string[] = [];
	const design = params.get('design') ?? '';
	if (!(SAMPLE_DESIGNS as readonly string[]).includes(design)) errors.push(`Choose a design: ${SAMPLE_DESIGNS.join(', ')}.`);
	const by = params.get('stratify') ?? params.get('stratify_by') ?? '';
	const allocation = params.get('allocation') ?? 'proportional';
	if (design === 'stratified') {
		if (!(STRATIFY_DIMENSIONS as readonly string[]).includes(by)) errors.push(`Choose what to stratify by: ${STRATIFY_DIMENSIONS.join(', ')}.`);
		if (!(ALLOCATIONS as readonly string[]).includes(allocation)) errors.push(`Choose an allocation: ${ALLOCATIONS.join(' or ')}.`);
	}
	const size = wholeNumber(params.get('size'), 'The sample size', 1, MAX_SAMPLE_SIZE, errors);
	if (size === null && !errors.some((e) => e.startsWith('The sample size'))) errors.push('Give the sample size.');
	const seed = wholeNumber(params.get('seed'), 'The seed', 0, MAX_SEED, errors);
	const excludeDays = wholeNumber(params.get('exclude_days'), 'The exclusion window', 0, 3650, errors) ?? 0;
	const statuses = params
		.getAll('status')
		.flatMap((s) => s.split(','))
		.map((s) => s.trim())
		.filter(Boolean);
	for (const s of statuses) if (!(CASE_STATUSES as readonly string[]).includes(s)) errors.push(`Unknown status "${s}"; use ${CASE_STATUSES.join(', ')}.`);
	let riskWeights: RiskWeights | null = null;
	if (design === 'risk') {
		riskWeights = { ...DEFAULT_RISK_WEIGHTS };
		for (const flag of RISK_FLAGS) {
			const raw = params.get(`weight_${flag}`);
			if (raw === null || raw.trim() === '') continue;
			const w = Number(raw);
			if (!(Number.isFinite(w) && w >= 0 && w <= 100)) errors.push(`The weight for "${RISK_FLAG_LABELS[flag]}" must be a number from 0 to 100.`);
			else riskWeights[flag] = w;
		}
	}
	if (errors.length || size === null) return { request: null, errors };
	return {
		request: {
			design: design as SampleDesignKind,
			by: design === 'stratified' ? (by as StratifyDimension) : null,
			allocation: design === 'stratified' ? (allocation as Allocation) : null,
			size,
			seed,
			filters: parseFilters(params),
			statuses: [...new Set(statuses)],
			excludeDays,
			riskWeights,
			note: (params.get('note') ?? '').slice(0, 500)
		},
		errors
	};
}

/** The request as URL parameters (what the CLI sends to a running server, and what reproduces a sample). */
export function sampleRequestToParams(r: SampleRequest): URLSearchParams {
	const params = filtersToParams(r.filters);
	params.set('design', r.design);
	if (r.by) params.set('stratify', r.by);
	if (r.allocation) params.set('allocation', r.allocation);
	params.set('size', String(r.size));
	if (r.seed !== null) params.set('seed', String(r.seed));
	if (r.excludeDays) params.set('exclude_days', String(r.excludeDays));
	for (const s of r.statuses) params.append('status', s);
	if (r.riskWeights) for (const flag of RISK_FLAGS) params.set(`weight_${flag}`, String(r.riskWeights[flag]));
	if (r.note) params.set('note', r.note);
	return params;
}
