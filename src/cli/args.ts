import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FILTER_DIMENSIONS } from '../lib/metrics/filters/model';

export class UsageError extends Error {}

/** parseArgs with errors turned into usage errors (exit code 2) instead of stack traces. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
	try {
		return parseArgs({ args, options, allowPositionals: true, strict: true });
	} catch (error) {
		throw new UsageError(error instanceof Error ? error.message : String(error));
	}
}

export function positiveInteger(value: string | undefined, name: string, fallback: number): number {
	if (value === undefined) return fallback;
	const n = Number(value.replaceAll('_', ''));
	if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
	return n;
}

/** The pages' filters as options (--region V, repeatable), one per filter dimension. */
export const FILTER_OPTIONS = Object.fromEntries(FILTER_DIMENSIONS.map((d) => [d, { type: 'string', multiple: true }] as const));

/** What every reading command takes to choose its scope the way the pages' filter bar does, plus --db and --json. */
export const SCOPE_OPTIONS = {
	range: { type: 'string' },
	anchor: { type: 'string' },
	from: { type: 'string' },
	to: { type: 'string' },
	batch: { type: 'string', multiple: true },
	db: { type: 'string' },
	json: { type: 'boolean', default: false },
	...FILTER_OPTIONS
} as const;
