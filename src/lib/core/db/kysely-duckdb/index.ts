export { DuckDBDialect } from './dialect';
export type { DuckDBDialectConfig } from './driver';
export { DuckDBKyselyConnection } from './connection';
export type { RowValue } from './values';
