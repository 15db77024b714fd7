import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { IngestError } from './ingest-error';
import { makeTempDir } from './temp-files.server';

/** How much of an over-size upload is read and dropped before the connection is cut. */
const UPLOAD_DRAIN_BYTES = 64 * 1024 * 1024;

export interface ReceivedUpload {
	path: string;
	bytes: number;
	discard(): Promise<void>;
}

/**
 * Streams a request body to a private temp file under a generated name, stopping as soon as it
 * passes the size limit, so a large upload never sits in memory and no client-supplied name
 * reaches the file system.
 */
export async function receiveUpload(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<ReceivedUpload> {
	if (!body) throw new IngestError('empty_file', 'The uploaded file is empty (0 bytes).', 'Choose a file and send it again.');
	const dir = await makeTempDir('upload');
	const path = join(dir, 'upload');
	const discard = () => rm(dir, { recursive: true, force: true });
	let bytes = 0;
	let dropped = 0;
	const tooLarge = () =>
		new IngestError(
			'file_too_large',
			`The upload is larger than the limit of ${Math.round(maxBytes / 1024 / 1024)} MB.`,
			'Split the export into smaller files, or raise CASELENS_MAX_UPLOAD_MB on the server.'
		);
	const limit = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			bytes += chunk.length;
			if (bytes <= maxBytes) return callback(null, chunk);
			// Past the limit nothing more is written, but what a client still sends is read (and
			// dropped) for a while, so that it receives the 413 and its message instead of a reset
			// connection; past UPLOAD_DRAIN_BYTES the connection is cut.
			dropped += chunk.length;
			callback(dropped > UPLOAD_DRAIN_BYTES ? tooLarge() : null);
		},
		flush(callback) {
			callback(bytes > maxBytes ? tooLarge() : null);
		}
	});
	try {
		await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), limit, createWriteStream(path, { mode: 0o600 }));
	} catch (error) {
		await discard();
		throw error;
	}
	return { path, bytes, discard };
}

/** A display name for the batch history: the base name only, printable characters, bounded length. */
export function displayFileName(raw: string | null): string {
	const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
	// eslint-disable-next-line no-control-regex
	const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
	return clean || 'upload';
}
