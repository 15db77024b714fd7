/**
 * Masks personal data in free text (comments, subjects, raw rows) for viewers and in reports
 * meant to leave the QA team: e-mail addresses, phone numbers and customer ids. It errs towards
 * masking: a long number that only looks like a phone number is masked too.
 */
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;
// Seven or more digits, optionally with a leading +, separated by spaces, dots, dashes or brackets.
// Digits of any script (\p{Nd}: full-width ０-９ typed on a CJK keyboard passed the ASCII-only \d)
// and the full-width forms of + ( ) -. Not after a word and a joiner: ORD-12345678 is an order id.
// Words are told by alphabetic scripts only: Japanese and Chinese text runs into numbers without a space.
const PHONE = /(?<![\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{Nd}][-_/#]?)[+\uFF0B]?[(\uFF08]?\p{Nd}(?:[\s().\-\uFF08\uFF09\uFF0D\uFF0E]*\p{Nd}){6,}(?![\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{Nd}])/gu;
// Customer-id shapes: cust-0001234, customer #1234, client_998877, user 12345.
const CUSTOMER_ID = /\b(?:cust(?:omer)?|client|user|usuario|usuário|cliente)[\s_#:-]*\d{3,}\b/giu;

// Dates are digit runs too; one at the start of a match means it is not a phone number.
const DATE_START = /^\d{4}-\d{2}-\d{2}|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}/;

export const MASKS = { email: '[email]', phone: '[phone]', customer: '[customer id]' } as const;

export function maskPersonalData(text: string): string;
export function maskPersonalData(text: string | null): string | null;
export function maskPersonalData(text: string | null): string | null {
	if (text === null) return null;
	return text
		.replace(EMAIL, MASKS.email)
		.replace(CUSTOMER_ID, MASKS.customer)
		.replace(PHONE, (match) => (DATE_START.test(match) ? match : MASKS.phone));
}

/** A customer id column value shown to a viewer: enough to tell two apart, not to look one up. */
export function maskIdentifier(id: string | null): string | null {
	if (id === null || id.length === 0) return id;
	return `${id.slice(0, 2)}•••${id.length > 6 ? id.slice(-2) : ''}`;
}
