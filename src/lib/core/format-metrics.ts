/** Number formats for metric pages (pure; shared by pages, tables and tests). */
export function formatHours(hours: number | null | undefined): string {
	if (hours === null || hours === undefined || !Number.isFinite(hours)) return '–';
	if (hours < 1) return `${Math.round(hours * 60)} min`;
	if (hours < 48) return `${hours.toFixed(1)} h`;
	return `${(hours / 24).toFixed(1)} d`;
}

export function formatShare(share: number | null | undefined, digits = 1): string {
	if (share === null || share === undefined || !Number.isFinite(share)) return '–';
	return `${(share * 100).toFixed(digits)}%`;
}

export function formatInterval(low: number | null, high: number | null, format: (v: number | null) => string): string {
	if (low === null && high === null) return '';
	return `95% CI ${format(low)} – ${high === null ? 'not reached' : format(high)}`;
}

/** A p- or q-value as printed next to a test: "< 0.001", "0.004", "0.12"; "–" when missing. */
export function formatPValue(v: number | null | undefined): string {
	if (v === null || v === undefined || !Number.isFinite(v)) return '–';
	if (v < 0.001) return '< 0.001';
	return v < 0.01 ? v.toFixed(3) : v.toFixed(2);
}
