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
