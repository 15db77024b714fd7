import type { DuckDBConnection } from '@duckdb/node-api';
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
		const rows = (await result.convertRowObjects(rowValueConverter)) as Row[];
		const changed = result.rowsChanged;
		const isWrite = ['InsertNode', 'UpdateNode', 'DeleteNode', 'MergeQueryNode'].includes(
			compiledQuery.query.kind
		);
		return {
			rows: rows as R[],
			...(isWrite ? { numAffectedRows: BigInt(changed) } : {})
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
