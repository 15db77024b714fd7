import { ResultReturnType, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import { rowValueConverter, toDuckDBParameter, type RowValue } from './values';

type Row = Record<string, RowValue | null>;

/** One DuckDB connection as Kysely sees it. Transactions are per connection in DuckDB. */
export class DuckDBKyselyConnection implements DatabaseConnection {
	readonly raw: DuckDBConnection;

	constructor(raw: DuckDBConnection) {
		this.raw = raw;
	}

	async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
		const params = compiledQuery.parameters.map(toDuckDBParameter);
		const result = await this.raw.run(compiledQuery.sql, params);
		// Ask DuckDB what the statement was rather than Kysely's node kind: `sql` / `sql.raw` writes
		// are RawNodes, and their affected-row count matters too (ingest counts replaced rows so).
		// A plain write returns one "Count" row, which is a count, not a result row.
		if (result.returnType === ResultReturnType.CHANGED_ROWS) {
			return { rows: [], numAffectedRows: BigInt(result.rowsChanged) };
		}
		const rows = (await result.convertRowObjects(rowValueConverter)) as Row[];
		// With RETURNING, DuckDB reports no changed-row count; each returned row is one affected row.
		const isWrite = [StatementType.INSERT, StatementType.UPDATE, StatementType.DELETE, StatementType.MERGE_INTO].includes(result.statementType);
		return {
			rows: rows as R[],
			...(isWrite ? { numAffectedRows: BigInt(rows.length) } : {})
		};
	}

	async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 2048): AsyncIterableIterator<QueryResult<R>> {
		const params = compiledQuery.parameters.map(toDuckDBParameter);
		const result = await this.raw.stream(compiledQuery.sql, params);
		let buffer: Row[] = [];
		for await (const batch of result.yieldConvertedRowObjects(rowValueConverter)) {
			buffer.push(...(batch as Row[]));
			if (buffer.length >= chunkSize) {
				yield { rows: buffer as R[] };
				buffer = [];
			}
		}
		if (buffer.length > 0) yield { rows: buffer as R[] };
	}
}
