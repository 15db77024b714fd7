import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../core/db/schema';
import { keptByData } from '../metrics/filters/data-version.server';
import { dateBounds, type Filters } from '../metrics/filters/model';

const DAY = 86_400_000;

/** The recent period and the one of equal length before it, as SQL conditions on a timestamp. */
export interface Periods {
	days: number;
	/** The end of the analysed range: the filter's last day, else the archive's last day. */
	end: Date;
	recentFrom: Date;
	previousFrom: Date;
	inRecent: (column: RawBuilder<unknown>) => RawBuilder<boolean>;
	inPrevious: (column: RawBuilder<unknown>) => RawBuilder<boolean>;
}

/**
 * The end of the archive's last day (UTC): the latest time any case or feedback answer carries,
 * rounded up to midnight. The recent period ends here whatever the filters, so it is a fixed span
 * of whole days: ending it at the latest document in scope put that one document (and its
 * themes) in every "recent" count, which made small themes look rising on data without any trend.
 */
export function archiveEnd(db: Kysely<Database>): Promise<Date | null> {
	return keptByData(db, 'friction-archive-end', async () => {
		const { rows } = await sql<{ at: Date | null }>`
			SELECT greatest((SELECT greatest(max(created_at), max(first_response_at), max(resolved_at)) FROM cases), (SELECT max(submitted_at) FROM feedback)) AS at`.execute(db);
		const at = rows[0]?.at;
		return at ? new Date(Math.floor(at.getTime() / DAY) * DAY + DAY - 1000) : null;
	});
}

export function trendPeriods(filters: Filters, today: Date, archiveLastDay: Date | null, days: number): Periods | null {
	const { to } = dateBounds(filters, today);
	const end = to ? new Date(Date.parse(`${to}T00:00:00Z`) + DAY - 1000) : archiveLastDay;
	if (!end) return null;
	const recentFrom = new Date(end.getTime() - days * DAY);
	const previousFrom = new Date(end.getTime() - 2 * days * DAY);
	return {
		days,
		end,
		recentFrom,
		previousFrom,
		inRecent: (c) => sql<boolean>`(${c} > ${recentFrom} AND ${c} <= ${end})`,
		inPrevious: (c) => sql<boolean>`(${c} > ${previousFrom} AND ${c} <= ${recentFrom})`
	};
}
