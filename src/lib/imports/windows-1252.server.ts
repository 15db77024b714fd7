/**
 * Files the sniffer reads as Latin-1 are in practice Windows-1252 (what Excel and most Western
 * Windows software write): the same as ISO-8859-1 except bytes 0x80-0x9F, which hold €, curly
 * quotes, dashes and a few letters instead of invisible control characters. DuckDB's reader only
 * knows ISO-8859-1, so such files are transcoded to UTF-8 first.
 *
 * The table comes from iconv-lite's 'win1252'. The five bytes Windows-1252 leaves undefined
 * (0x81, 0x8D, 0x8F, 0x90, 0x9D) keep their Latin-1 meaning, as in the WHATWG encoding standard,
 * rather than becoming U+FFFD: the text is never made lossier than the file.
 *
 * Relative imports only: this module also runs under a plain tsx CLI without the `$lib` alias.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/** Character of each byte. */
const CHARS: string[] = Array.from(iconv.decode(ALL_BYTES, 'win1252'), (c, i) => (c === '\uFFFD' ? String.fromCharCode(i) : c));

/** UTF-8 bytes of each byte's character. */
const UTF8: Buffer[] = CHARS.map((c) => Buffer.from(c, 'utf8'));

export function decodeWindows1252(bytes: Uint8Array): string {
	return windows1252ToUtf8(bytes).toString('utf8');
}

/** One chunk of Windows-1252 as UTF-8 (a single-byte encoding needs no state across chunks). */
export function windows1252ToUtf8(chunk: Uint8Array): Buffer {
	const out = Buffer.allocUnsafe(chunk.length * 3);
	let o = 0;
	for (let i = 0; i < chunk.length; i++) {
		const b = chunk[i];
		if (b < 0x80) {
			out[o++] = b;
			continue;
		}
		const seq = UTF8[b];
		for (let k = 0; k < seq.length; k++) out[o++] = seq[k];
	}
	return out.subarray(0, o);
}

/** Streams `source` (Windows-1252) into `target` (UTF-8) in fixed-size chunks: bounded memory. */
export async function transcodeWindows1252File(source: string, target: string): Promise<void> {
	const transcode = new Transform({
		transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
			done(null, windows1252ToUtf8(chunk));
		}
	});
	await pipeline(createReadStream(source, { highWaterMark: 1024 * 1024 }), transcode, createWriteStream(target));
}
