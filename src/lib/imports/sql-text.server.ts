/** Quoting for the few places where SQL is assembled as text (identifiers from file headers, file paths). */
export function quoteIdent(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
	return `'${value.replaceAll("'", "''")}'`;
}

export function listLiteral(values: readonly string[]): string {
	return `[${values.map(quoteLiteral).join(', ')}]`;
}
