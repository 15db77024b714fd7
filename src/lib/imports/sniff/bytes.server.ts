/**
 * Byte values and sizes shared by the sniffer's parts. The sniffer looks at raw bytes (the encoding
 * is only decided at the end), so structure is found by ASCII byte values rather than characters.
 *
 * Relative imports only: this module also runs under a plain tsx CLI without the `$lib` alias.
 */

export const KiB = 1024;
export const MiB = 1024 * 1024;
/** Sample size for the binary check and for chardet. */
export const SAMPLE_BYTES = 64 * KiB;

export const BOM = [0xef, 0xbb, 0xbf];
export const LF = 0x0a;
export const CR = 0x0d;
export const QUOTE = 0x22;

export function startsWith(buf: Uint8Array, sig: readonly number[], at = 0): boolean {
	if (buf.length < at + sig.length) return false;
	for (let i = 0; i < sig.length; i++) if (buf[at + i] !== sig[i]) return false;
	return true;
}

function isWs(b: number): boolean {
	return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

export function skipWhitespace(buf: Uint8Array, i: number): number {
	while (i < buf.length && isWs(buf[i])) i++;
	return i;
}
