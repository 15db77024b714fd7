import {
	PostgresQueryCompiler,
	type DatabaseIntrospector,
	type Dialect,
	type DialectAdapter,
	type Driver,
	type Kysely,
	type QueryCompiler
} from 'kysely';
import { DuckDBAdapter } from './adapter';
import { DuckDBDriver, type DuckDBDialectConfig } from './driver';
import { DuckDBIntrospector } from './introspector';

/** Kysely over @duckdb/node-api. DuckDB accepts PostgreSQL's `$1` placeholders and quoting. */
export class DuckDBDialect implements Dialect {
	readonly #config: DuckDBDialectConfig;

	constructor(config: DuckDBDialectConfig) {
		this.#config = config;
	}

	createDriver(): Driver {
		return new DuckDBDriver(this.#config);
	}

	createQueryCompiler(): QueryCompiler {
		return new PostgresQueryCompiler();
	}

	createAdapter(): DialectAdapter {
		return new DuckDBAdapter();
	}

	createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
		return new DuckDBIntrospector(db);
	}
}
