import type { Kysely } from 'kysely';
import type { Database } from '../../core/db/schema';
import type { Filters } from './model';
import { snapshotTime } from './snapshot.server';

/**
 * The day the date presets count back from, resolved in this one place: the archive's snapshot
 * (the latest timestamp any case carries) unless the filters say anchor=today, then the wall
 * clock. An empty archive has no snapshot; the wall clock stands in (nothing matches either way).
 * Features take the result as their `today` option, so a page resolves it once per request.
 */
export async function resolveToday(db: Kysely<Database>, filters: Filters, now = new Date()): Promise<Date> {
	if (filters.anchor === 'today') return now;
	return (await snapshotTime(db)) ?? now;
}
