import { sql, type RawBuilder } from 'kysely';

/**
 * In a query grouped by GROUPING SETS with one set per item, which set a row belongs to: `value` of
 * the first item whose column `col` is grouped in the row (GROUPING() = 0), NULL when none is (the
 * empty set, or a set of other columns). With `value` the item's name, the row's dimension; with
 * its column, the row's group.
 */
export function whichSet<T>(items: readonly T[], col: (item: T) => RawBuilder<unknown>, value: (item: T) => RawBuilder<unknown>): RawBuilder<unknown> {
	return sql`CASE ${sql.join(items.map((item) => sql`WHEN GROUPING(${col(item)}) = 0 THEN ${value(item)}`), sql` `)} END`;
}
