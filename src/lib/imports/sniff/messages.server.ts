/**
 * Number formats of the sniffer's error messages. Sizes are in binary units (KiB, MiB) because they
 * name byte limits exactly; MB is the unit of CASELENS_MAX_UPLOAD_MB, so the upload limit is
 * spoken of in it.
 *
 * Relative imports only: this module also runs under a plain tsx CLI without the `$lib` alias.
 */
import { IngestError } from '../ingest-error';
import { KiB, MiB } from './bytes.server';

export const EXPORT_HINT =
	'Export the data from the help desk again as CSV, JSON, NDJSON or Parquet and upload that file.';

export function tooLarge(size: number, maxBytes: number): IngestError {
	const suggested = Math.ceil(size / MiB);
	return new IngestError(
		'file_too_large',
		`The file is ${formatMB(size)} (${formatInt(size)} bytes), larger than the upload limit of ${formatMB(maxBytes)}.`,
		`Raise the limit by setting the environment variable CASELENS_MAX_UPLOAD_MB (for example CASELENS_MAX_UPLOAD_MB=${suggested}) and restarting Caselens, or split the export into smaller files and import them one by one.`
	);
}

export function formatInt(n: number): string {
	return n.toLocaleString('en-US');
}

/** Megabytes as used by CASELENS_MAX_UPLOAD_MB (1 MB = 1,048,576 bytes). */
function formatMB(n: number): string {
	const mb = n / MiB;
	if (Number.isInteger(mb)) return `${mb} MB`;
	return `${mb < 10 ? mb.toFixed(2) : mb.toFixed(1)} MB`;
}

export function formatBytes(n: number): string {
	if (n >= MiB) {
		const v = n / MiB;
		return `${Number.isInteger(v) ? v : v.toFixed(1)} MiB`;
	}
	if (n >= KiB) {
		const v = n / KiB;
		return `${Number.isInteger(v) ? v : v.toFixed(1)} KiB`;
	}
	return `${n} bytes`;
}

export function hexByte(b: number): string {
	return '0x' + b.toString(16).toUpperCase().padStart(2, '0');
}
