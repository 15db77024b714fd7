import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const CR = 0x0d;
const LF = 0x0a;

/** `bytes` with every CR that comes right before an LF left out. */
function dropCrBeforeLf(bytes: Buffer): Buffer {
	const parts: Buffer[] = [];
	let start = 0;
	for (let at = bytes.indexOf(CR); at !== -1 && at < bytes.length - 1; at = bytes.indexOf(CR, at + 1)) {
		if (bytes[at + 1] !== LF) continue;
		parts.push(bytes.subarray(start, at));
		start = at + 1;
	}
	if (start === 0) return bytes;
	parts.push(bytes.subarray(start));
	return Buffer.concat(parts);
}

/**
 * Copies a text file with CR LF line ends turned into LF, streaming. A CR at the end of a chunk
 * waits for the next chunk's first byte. Used for files whose lines end both ways (see
 * SniffResult.mixedLineEnds), which DuckDB's strict CSV reader refuses.
 */
export async function copyWithLfLineEnds(source: string, target: string): Promise<void> {
	let pending: Buffer | null = null;
	const transform = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			let bytes: Buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
			pending = null;
			if (bytes.length && bytes[bytes.length - 1] === CR) {
				pending = bytes.subarray(bytes.length - 1);
				bytes = bytes.subarray(0, bytes.length - 1);
			}
			callback(null, dropCrBeforeLf(bytes));
		},
		flush(callback) {
			callback(null, pending ?? Buffer.alloc(0));
		}
	});
	await pipeline(createReadStream(source), transform, createWriteStream(target, { mode: 0o600 }));
}
