/**
 * Every display format in one place (pages, CLI, reports): English number style, UTC dates (the
 * archive's zone), '–' for a missing value. A page or report that formats a number by hand instead
 * of calling one of these gives the same quantity two spellings.
 */
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

export function formatHours(hours: number | null | undefined): string {
	if (hours === null || hours === undefined || !Number.isFinite(hours)) return '–';
	if (hours < 1) return `${Math.round(hours * 60)} min`;
	if (hours < 48) return `${hours.toFixed(1)} h`;
	return `${(hours / 24).toFixed(1)} d`;
}

/**
 * One case's duration, exact to the minute where that matters: "3:07 h" under 48 hours, "4.2 d"
 * beyond (the case list; aggregates keep formatHours). Rounded to the minute first, so 47:59.7
 * does not print as "48:00 h".
 */
export function formatCaseDuration(hours: number | null | undefined): string {
	if (hours === null || hours === undefined || !Number.isFinite(hours)) return '–';
	const minutes = Math.round(Math.max(0, hours) * 60);
	if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')} h`;
	return `${(hours / 24).toFixed(1)} d`;
}

/** A review or quality score on the 0-100 scale, one decimal; '–' when there is none. */
export function formatScore(score: number | null | undefined): string {
	return score === null || score === undefined || !Number.isFinite(score) ? '–' : score.toFixed(1);
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

/** A signed difference of two shares in percentage points: "+3.2 pp", "−0.4 pp". */
export function formatPoints(diff: number | null | undefined, unit = ' pp'): string {
	if (diff === null || diff === undefined || !Number.isFinite(diff)) return '–';
	return `${diff >= 0 ? '+' : '−'}${Math.abs(diff * 100).toFixed(1)}${unit}`;
}

/** A signed relative change: "+20.0%" (a fifth more), "−5.0%". */
export function formatChange(ratioMinusOne: number | null | undefined): string {
	if (ratioMinusOne === null || ratioMinusOne === undefined || !Number.isFinite(ratioMinusOne)) return '–';
	return `${ratioMinusOne >= 0 ? '+' : '−'}${Math.abs(ratioMinusOne * 100).toFixed(1)}%`;
}

/** A ratio of two rates: "×1.80". */
export function formatRatio(ratio: number | null | undefined): string {
	if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
	return `×${ratio.toFixed(2)}`;
}
