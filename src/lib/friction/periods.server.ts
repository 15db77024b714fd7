import { sql, type RawBuilder } from 'kysely';
import { dateBounds, type Filters } from '../metrics/filters/model';

const DAY = 86_400_000;

/** The recent period and the one of equal length before it, as SQL conditions on a timestamp. */
export interface Periods {
	days: number;
	/** The end of the analysed range: the filter's last day, else the latest record. */
	end: Date;
	recentFrom: Date;
	previousFrom: Date;
	inRecent: (column: RawBuilder<unknown>) => RawBuilder<boolean>;
	inPrevious: (column: RawBuilder<unknown>) => RawBuilder<boolean>;
}

export function trendPeriods(filters: Filters, today: Date, last: Date | null, days: number): Periods | null {
	const { to } = dateBounds(filters, today);
	const end = to ? new Date(Date.parse(`${to}T00:00:00Z`) + DAY - 1000) : last;
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
