/**
 * Masks personal data in free text (comments, subjects, raw rows) for viewers and in reports
 * meant to leave the QA team: e-mail addresses, phone numbers and customer ids. A phone number
 * needs a phone's shape: a leading +, brackets or separators between digit groups, or a national
 * number written solid from its trunk 0. A bare run of digits is an id (an order number the
 * customer quotes), and so is one after `#` or a word and a joiner: masking those as "[phone]"
 * hid the order a complaint was about (docs/demo-data.md: order ids are `ORD-<9 digits>`).
 */
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;
// Seven or more digits, optionally with a leading +, separated by spaces, dots, dashes or brackets.
// Digits of any script (\p{Nd}: full-width ０-９ typed on a CJK keyboard passed the ASCII-only \d)
// and the full-width forms of + ( ) -. Not after a word and a joiner (ORD-12345678) nor after # (#123456789):
// those are ids. Words are told by alphabetic scripts only: Japanese and Chinese text runs into numbers without a space.
const PHONE = /(?<![\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{Nd}][-_/#\uFF03]?)(?<![#\uFF03]\s?)[+\uFF0B]?[(\uFF08]?\p{Nd}(?:[\s().\-\uFF08\uFF09\uFF0D\uFF0E]*\p{Nd}){6,}(?![\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{Nd}])/gu;
// Customer-id shapes: cust-0001234, customer #1234, client_998877, user 12345.
const CUSTOMER_ID = /\b(?:cust(?:omer)?|client|user|usuario|usuário|cliente)[\s_#:-]*\d{3,}\b/giu;

// Dates are digit runs too; one at the start of a match means it is not a phone number.
const DATE_START = /^\d{4}-\d{2}-\d{2}|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}/;
// A phone's shape: a plus or a bracket, or a separator between two digits.
const PHONE_SHAPE = /[+\uFF0B(\uFF08]|\p{Nd}[\s.\-\uFF0D\uFF0E)\uFF09]+\p{Nd}/u;
// Written solid, a national number starting with its trunk 0 (02079460958, 011987654321).
const SOLID_NATIONAL = /^[0\uFF10]\p{Nd}{9,11}$/u;

function isPhone(match: string): boolean {
	return !DATE_START.test(match) && (PHONE_SHAPE.test(match) || SOLID_NATIONAL.test(match));
}

export const MASKS = { email: '[email]', phone: '[phone]', customer: '[customer id]' } as const;

export function maskPersonalData(text: string): string;
export function maskPersonalData(text: string | null): string | null;
export function maskPersonalData(text: string | null): string | null {
	if (text === null) return null;
	return text
		.replace(EMAIL, MASKS.email)
		.replace(CUSTOMER_ID, MASKS.customer)
		.replace(PHONE, (match) => (isPhone(match) ? MASKS.phone : match));
}

/** A customer id column value shown to a viewer: enough to tell two apart, not to look one up. */
export function maskIdentifier(id: string | null): string | null {
	if (id === null || id.length === 0) return id;
	return `${id.slice(0, 2)}•••${id.length > 6 ? id.slice(-2) : ''}`;
}
