import * as v from 'valibot';
import { AppError } from './errors';

/**
 * Input from outside (API bodies, form fields, mapping files, scorecards, CLI options) is checked
 * against a valibot schema before any service sees it. A refusal names the first wrong field by
 * its path and says what it must be and what it was, so the person who wrote the input can fix it
 * without reading the code: "columns.case_id.from must be text, not 42".
 */

export type Schema = v.GenericSchema;

function shown(value: unknown): string {
	const text = JSON.stringify(value) ?? String(value);
	return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** A path as a person writes it: columns.case_id.from, values["Open "], items[2]. */
export function issuePath(issue: v.BaseIssue<unknown>): string {
	let out = '';
	for (const item of issue.path ?? []) {
		const key = item.key;
		if (typeof key === 'number') out += `[${key}]`;
		else if (typeof key === 'string' && /^[A-Za-z_][\w-]*$/.test(key)) out += out ? `.${key}` : key;
		else out += `[${JSON.stringify(key)}]`;
	}
	return out;
}

/**
 * One sentence for an issue. A type mismatch appends the value received; a rule (too short, out of
 * range) is its message alone. Messages written for the schema read as the end of "<field> ...".
 */
export function describeIssue(issue: v.BaseIssue<unknown>, fieldWord = ''): string {
	const path = issuePath(issue) && `${fieldWord}${issuePath(issue)}`;
	let what = issue.message;
	// A key that is missing altogether, whatever the schema's message for a wrong value.
	if (issue.kind === 'schema' && issue.received === 'undefined' && issue.expected !== 'never') what = 'is required';
	else if (issue.kind === 'schema' && issue.expected !== 'never') what = `${issue.message}, not ${shown(issue.input)}`;
	return path ? `${path} ${what}` : issue.kind === 'schema' ? `it ${what}` : what;
}

export interface InputContext {
	/** The problem code (bad_request, bad_mapping, ...). */
	code: string;
	/** How the message opens: "The column mapping is not valid". */
	subject: string;
	/** Put before a field's path: "the field " for request bodies. */
	fieldWord?: string;
	hint: string;
	status?: 400 | 422;
}

/** The value typed by the schema, or the sentence for its first wrong field. */
export function check<S extends Schema>(schema: S, value: unknown, fieldWord = ''): { ok: true; value: v.InferOutput<S> } | { ok: false; problem: string } {
	const result = v.safeParse(schema, value, { abortEarly: true });
	return result.success ? { ok: true, value: result.output } : { ok: false, problem: describeIssue(result.issues[0], fieldWord) };
}

/** The value typed by the schema, or an AppError naming the first wrong field. */
export function parseInput<S extends Schema>(schema: S, value: unknown, context: InputContext): v.InferOutput<S> {
	const result = check(schema, value, context.fieldWord);
	if (result.ok) return result.value;
	throw new AppError(context.code, `${context.subject}: ${result.problem}.`, context.hint, context.status ?? 400);
}

/** A JSON request body checked against the schema: wrong media type, broken JSON and wrong fields are each their own clear refusal. */
export async function readJsonBody<S extends Schema>(request: Request, schema: S, hint: string, code = 'bad_request'): Promise<v.InferOutput<S>> {
	if (!(request.headers.get('content-type') ?? '').includes('application/json')) throw new AppError('unsupported_media_type', 'The request body must be JSON.', hint, 415);
	let body: unknown;
	try {
		body = JSON.parse(await request.text());
	} catch {
		throw new AppError('bad_json', 'The request body is not valid JSON.', hint);
	}
	return parseInput(schema, body, { code, subject: 'The request is not valid', hint, fieldWord: 'the field ' });
}

/** A JSON object: not null, and not an array (valibot's object and record schemas take arrays). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const plainObject = (message: string) => v.custom<Record<string, unknown>>(isPlainObject, message);

/** An object that refuses fields it does not know, naming the ones it takes. */
export function strictObject<E extends v.ObjectEntries>(entries: E) {
	const fields = Object.keys(entries).join(', ');
	return v.pipe(
		plainObject('must be a JSON object'),
		v.strictObject(entries, (issue) => (issue.expected === 'never' ? `is not a field this takes (the fields are ${fields})` : 'must be an object'))
	);
}

export { v };
