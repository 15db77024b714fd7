/**
 * The options of a messages import as the outside gives them (`caselens ingest --kind messages
 * --format ...`, `POST /api/imports?kind=messages&format=...`, the upload page), checked with one
 * schema (src/lib/core/validate.ts). Browser-safe: the upload page lists the same choices.
 */
import { AppError } from '../core/errors';
import { check, strictObject, v } from '../core/validate';
import type { MessageFormat } from './model';

export type MessageFormatChoice = 'auto' | MessageFormat;

export interface MessageFormatOption {
	value: MessageFormatChoice;
	/** How the command line and the API spell it. */
	option: string;
	label: string;
	/** The layout the import expects, in a sentence or two (the upload page shows it). */
	layout: string;
}

export const MESSAGE_FORMAT_OPTIONS: readonly MessageFormatOption[] = [
	{
		value: 'auto',
		option: 'auto',
		label: 'Detect from the file',
		layout: 'A file with a comments list per ticket is read as Zendesk comments, one with tweet_id and in_response_to_tweet_id as tweets, anything else as canonical messages.'
	},
	{
		value: 'canonical',
		option: 'canonical',
		label: 'Canonical messages (CSV, NDJSON or JSON)',
		layout:
			'One message per row: case_id, sent_at, author_role (customer, agent, system or bot) and body are required; sequence, author_name, public (true, or false for an internal note) and message_id are optional. Common other spellings (ticket_id, created_at, role, text) are recognised.'
	},
	{
		value: 'zendesk_comments',
		option: 'zendesk-comments',
		label: 'Zendesk ticket comments (JSON or NDJSON)',
		layout:
			'One ticket per record, as the Zendesk API gives it: ticket_id (or id), requester_id and a comments list, each comment with id, author_id, public, body and created_at. The requester is the customer and every other author an agent, unless a users export (id, role, name) is given.'
	},
	{
		value: 'twitter',
		option: 'tweets',
		label: 'Tweets with reply links (CSV)',
		layout:
			'One tweet per row with tweet_id, author_id, inbound (True for the customer, False for the brand), created_at, text and in_response_to_tweet_id; each thread is followed up its reply links, and its first tweet in the file gives the case id.'
	}
];

/** Every spelling a format is accepted in: the option names above and the names the batch history stores. */
const SPELLINGS: Record<string, MessageFormatChoice> = Object.fromEntries(MESSAGE_FORMAT_OPTIONS.flatMap((o) => [[o.option, o.value], [o.value, o.value]]));
const LISTED = MESSAGE_FORMAT_OPTIONS.map((o) => o.option);
const LISTED_TEXT = `${LISTED.slice(0, -1).join(', ')} or ${LISTED.at(-1)}`;

const formatSchema = v.pipe(
	v.string('must be text'),
	v.transform((text) => text.trim().toLowerCase()),
	v.picklist(Object.keys(SPELLINGS), `must be ${LISTED_TEXT}`),
	v.transform((text) => SPELLINGS[text])
);

const optionsSchema = strictObject({
	format: v.optional(formatSchema),
	/** The Zendesk users export: a path on the command line, a held second file's name on the server. */
	users: v.optional(v.pipe(v.string('must be text'), v.minLength(1, 'must name a file')))
});

export interface MessageImportChoice {
	format: MessageFormatChoice;
	users?: string;
}

/** The options checked, or the sentence naming the first wrong one (the command line turns it into a usage error). */
export function checkMessageOptions(input: { format?: string; users?: string }): { ok: true; value: MessageImportChoice } | { ok: false; problem: string } {
	const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
	const result = check(optionsSchema, given);
	return result.ok ? { ok: true, value: { format: result.value.format ?? 'auto', users: result.value.users } } : result;
}

/** The options checked, or an AppError (400 bad_request) an API answers with. */
export function parseMessageOptions(input: { format?: string; users?: string }): MessageImportChoice {
	const result = checkMessageOptions(input);
	if (result.ok) return result.value;
	throw new AppError('bad_request', `The messages import options are not valid: ${result.problem}.`, `Give format=${LISTED.join('|')} (or leave it out to detect the format from the file).`);
}

/** The label of a format, for summaries. */
export function messageFormatLabel(format: string): string {
	return MESSAGE_FORMAT_OPTIONS.find((o) => o.value === format)?.label ?? format;
}

/** How the command line and the API spell a format (zendesk-comments for zendesk_comments). */
export function messageFormatOption(format: string): string {
	return MESSAGE_FORMAT_OPTIONS.find((o) => o.value === format)?.option ?? format;
}
