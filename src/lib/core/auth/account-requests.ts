import { strictObject, v } from '../validate';

/**
 * What a JSON account request may hold, for the users API (src/routes/api/users). Lengths bound
 * what reaches the account service; the service itself decides what a valid name, role or
 * password is (src/lib/core/auth/users.server.ts), for this API and Admin → Users' forms alike.
 */
const field = (max: number) => v.pipe(v.string('must be a string'), v.maxLength(max, `is longer than ${max} characters`));
/** Optional, with null (or an empty form field) counted as absent. */
const optionalField = (max: number) => v.optional(v.pipe(v.nullish(field(max)), v.transform((x) => (x === null || x === '' ? undefined : x))), undefined);

export const newAccount = strictObject({ username: field(64), role: field(32), display_name: optionalField(200), password: optionalField(1024) });
export const passwordReset = strictObject({ password: optionalField(1024) });
export const accountChange = v.pipe(
	strictObject({ role: optionalField(32), status: v.optional(v.nullish(v.picklist(['active', 'deactivated'], 'must be "active" or "deactivated"')), undefined) }),
	v.check((body) => (body.role === undefined) !== (body.status === undefined), 'give either a role or a status, one change per request')
);
