import type { DuckDBInstance } from '@duckdb/node-api';
import { CompiledQuery, type DatabaseConnection, type Driver, type TransactionSettings } from 'kysely';
import { DuckDBKyselyConnection } from './connection';

export interface DuckDBDialectConfig {
	/** The instance owns the file lock; the dialect never opens or closes it. */
	instance: DuckDBInstance | (() => Promise<DuckDBInstance>);
	/** Runs once on every new connection (e.g. `SET TimeZone = 'UTC'`). */
	onCreateConnection?: (connection: DuckDBKyselyConnection) => Promise<void>;
}

/**
 * Keeps idle connections for reuse. DuckDB runs queries of different connections in parallel
 * inside one process, so there is no upper bound to enforce here; a connection is only ever
 * lent to one Kysely caller at a time because transactions are per connection.
 */
export class DuckDBDriver implements Driver {
	readonly #config: DuckDBDialectConfig;
	readonly #idle: DuckDBKyselyConnection[] = [];
	readonly #all = new Set<DuckDBKyselyConnection>();
	#instance: DuckDBInstance | undefined;

	constructor(config: DuckDBDialectConfig) {
		this.#config = config;
	}

	async init(): Promise<void> {
		const { instance } = this.#config;
		this.#instance = typeof instance === 'function' ? await instance() : instance;
	}

	async acquireConnection(): Promise<DatabaseConnection> {
		const reused = this.#idle.pop();
		if (reused) return reused;
		if (!this.#instance) throw new Error('DuckDB driver used before init()');
		const connection = new DuckDBKyselyConnection(await this.#instance.connect());
		await this.#config.onCreateConnection?.(connection);
		this.#all.add(connection);
		return connection;
	}

	async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
		await connection.executeQuery(CompiledQuery.raw('BEGIN TRANSACTION'));
	}

	async commitTransaction(connection: DatabaseConnection): Promise<void> {
		await connection.executeQuery(CompiledQuery.raw('COMMIT'));
	}

	async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
		await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
	}

	async releaseConnection(connection: DatabaseConnection): Promise<void> {
		this.#idle.push(connection as DuckDBKyselyConnection);
	}

	async destroy(): Promise<void> {
		for (const connection of this.#all) connection.raw.closeSync();
		this.#all.clear();
		this.#idle.length = 0;
	}
}
