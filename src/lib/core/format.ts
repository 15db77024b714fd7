/** Display formatting shared by pages; English number style, UTC dates (the archive's zone). */
const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

export function formatCount(n: number | null | undefined): string {
	return n === null || n === undefined ? '–' : integer.format(n);
}

export function formatPercent(part: number, whole: number, digits = 1): string {
	if (!whole) return '–';
	return `${((100 * part) / whole).toFixed(digits)}%`;
}

export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	const units = ['KB', 'MB', 'GB', 'TB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDate(value: Date | string | null | undefined): string {
	if (!value) return '–';
	const date = typeof value === 'string' ? new Date(value) : value;
	return date.toISOString().slice(0, 10);
}

export function formatDateTime(value: Date | string | null | undefined): string {
	if (!value) return '–';
	const date = typeof value === 'string' ? new Date(value) : value;
	return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatDuration(ms: number): string {
	return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
