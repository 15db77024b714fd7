/** A column of SortableTable: the raw value sorts, `format` displays, `href` drills down. */
export interface Column<R> {
	key: string;
	label: string;
	numeric?: boolean;
	format?: (row: R) => string;
	href?: (row: R) => string | null;
	title?: string;
}
