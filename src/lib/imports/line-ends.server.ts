import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const CR = 0x0d;
const LF = 0x0a;

const QUOTE = 0x22;

/**
 * Drops each CR that comes right before an LF outside double quotes (a line break inside a quoted
 * value is part of the value and stays as written). `state.inQuotes` carries over between chunks.
 */
function dropCrBeforeLf(bytes: Buffer, state: { inQuotes: boolean }): Buffer {
	const parts: Buffer[] = [];
	let start = 0;
	let at = 0;
	for (;;) {
		const quote = bytes.indexOf(QUOTE, at);
		const cr = state.inQuotes ? -1 : bytes.indexOf(CR, at);
		if (quote === -1 && cr === -1) break;
		if (cr !== -1 && (quote === -1 || cr < quote)) {
			if (cr < bytes.length - 1 && bytes[cr + 1] === LF) {
				parts.push(bytes.subarray(start, cr));
				start = cr + 1;
			}
			at = cr + 1;
		} else {
			state.inQuotes = !state.inQuotes;
			at = quote + 1;
		}
	}
	if (start === 0) return bytes;
	parts.push(bytes.subarray(start));
	return Buffer.concat(parts);
}

/**
 * Copies a CSV file with CR LF record ends turned into LF, streaming. A CR at the end of a chunk
 * waits for the next chunk's first byte. Used for files whose lines end both ways (see
 * SniffResult.mixedLineEnds), which DuckDB's strict CSV reader refuses.
 */
export async function copyWithLfLineEnds(source: string, target: string): Promise<void> {
	let pending: Buffer | null = null;
	const state = { inQuotes: false };
	const transform = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			let bytes: Buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
			pending = null;
			if (bytes.length && bytes[bytes.length - 1] === CR) {
				pending = bytes.subarray(bytes.length - 1);
				bytes = bytes.subarray(0, bytes.length - 1);
			}
			callback(null, dropCrBeforeLf(bytes, state));
		},
		flush(callback) {
			callback(null, pending ?? Buffer.alloc(0));
		}
	});
	await pipeline(createReadStream(source), transform, createWriteStream(target, { mode: 0o600 }));
}
