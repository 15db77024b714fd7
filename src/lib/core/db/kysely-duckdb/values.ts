import {
	DuckDBTimestampValue,
	DuckDBTypeId,
	JSDuckDBValueConverter,
	type DuckDBValue,
	type DuckDBValueConverter,
	type JS
} from '@duckdb/node-api';

/** A row value as the app sees it: JSON-safe except for Date. */
export type RowValue = string | number | boolean | null | Date | RowValue[] | { [key: string]: RowValue };

/**
 * Parameters arrive from Kysely as plain JS. A Date becomes a naive TIMESTAMP holding the UTC
 * wall clock, which is how every timestamp is stored (README.md, The data contract).
 */
export function toDuckDBParameter(value: unknown): DuckDBValue {
	if (value === undefined || value === null) return null;
	if (value instanceof Date) {
		if (Number.isNaN(value.getTime())) throw new TypeError('Invalid Date passed as a query parameter');
		return new DuckDBTimestampValue(BigInt(value.getTime()) * 1000n);
	}
	if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return value;
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new TypeError(`Non-finite number ${value} passed as a query parameter`);
		return value;
	}
	throw new TypeError(`Unsupported query parameter of type ${typeof value}`);
}

function safeInteger(big: bigint): number | string {
	return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
		? Number(big)
		: big.toString();
}

/**
 * Result conversion: the stock JS converter returns bigint for BIGINT (JSON.stringify throws on it)
 * and turns DECIMAL into a double by division. Counts and sums come back as BIGINT/HUGEINT all
 * the time, so they become numbers when exact and strings otherwise; decimals go through their
 * exact decimal text so 0.1 stays 0.1; DATE stays a 'YYYY-MM-DD' string because a Date would
 * invite a time-zone shift.
 */
const appConverter: DuckDBValueConverter<JS> = (value, type, converter) => {
	if (value === null) return null;
	switch (type.typeId) {
		case DuckDBTypeId.BIGINT:
		case DuckDBTypeId.HUGEINT:
		case DuckDBTypeId.UBIGINT:
		case DuckDBTypeId.UHUGEINT:
			return safeInteger(value as bigint);
		case DuckDBTypeId.DECIMAL:
			return Number(String(value));
		case DuckDBTypeId.DATE:
			return String(value);
		default:
			return JSDuckDBValueConverter(value, type, converter);
	}
};

export const rowValueConverter = appConverter as unknown as DuckDBValueConverter<RowValue>;
