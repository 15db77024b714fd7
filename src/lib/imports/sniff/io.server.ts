/**
 * File access for the sniffer: every failure to reach the file becomes an `unreadable_file`
 * IngestError that names the path and what to do, and whole-file passes read in fixed-size chunks
 * so that multi-GB exports take constant memory.
 *
 * Relative imports only: this module also runs under a plain tsx CLI without the `$lib` alias.
 */
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { IngestError } from '../ingest-error';
import { MiB } from './bytes.server';

/** Size of each of the two read buffers of the streaming pass. */
const CHUNK_BYTES = 4 * MiB;

/** SHA-256 (lower-case hex) of a whole file, computed by streaming. */
export async function sha256File(path: string): Promise<string> {
	await statRegularFile(path);
	const fh = await openFile(path);
	try {
		const hash = createHash('sha256');
		const buf = Buffer.allocUnsafe(CHUNK_BYTES);
		let pos = 0;
		for (;;) {
			const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
			if (bytesRead === 0) break;
			hash.update(buf.subarray(0, bytesRead));
			pos += bytesRead;
		}
		return hash.digest('hex');
	} finally {
		await fh.close();
	}
}

/** Size in bytes of the regular file at `path`. */
export async function statRegularFile(path: string): Promise<number> {
	try {
		const st = await stat(path);
		if (!st.isFile()) {
			throw new IngestError(
				'unreadable_file',
				`${path} is not a regular file${st.isDirectory() ? ' (it is a folder)' : ''}.`,
				'Give the path of the exported CSV, JSON, NDJSON or Parquet file itself.'
			);
		}
		return st.size;
	} catch (err) {
		if (err instanceof IngestError) throw err;
		throw unreadable(path, err);
	}
}

export async function openFile(path: string): Promise<FileHandle> {
	try {
		return await open(path, 'r');
	} catch (err) {
		throw unreadable(path, err);
	}
}

function unreadable(path: string, err: unknown): IngestError {
	const code = (err as NodeJS.ErrnoException | undefined)?.code;
	if (code === 'ENOENT') {
		return new IngestError(
			'unreadable_file',
			`The file ${path} does not exist.`,
			'Check the path and the file name (including the extension) and try again.'
		);
	}
	if (code === 'EACCES' || code === 'EPERM') {
		return new IngestError(
			'unreadable_file',
			`The file ${path} cannot be read: permission denied.`,
			'Give the user running Caselens read access to the file, or copy it to a folder you own.'
		);
	}
	return new IngestError(
		'unreadable_file',
		`The file ${path} cannot be read (${code ?? (err instanceof Error ? err.message : String(err))}).`,
		'Check that the file exists and is readable, then try again.'
	);
}

/** `length` bytes from `position`, fewer only where the file ends first. */
export async function readExactly(fh: FileHandle, length: number, position: number): Promise<Buffer> {
	const buf = Buffer.alloc(length);
	let filled = 0;
	while (filled < length) {
		const { bytesRead } = await fh.read(buf, filled, length - filled, position + filled);
		if (bytesRead === 0) break;
		filled += bytesRead;
	}
	return filled === length ? buf : buf.subarray(0, filled);
}

/**
 * Feed the file from `start` to its end to `sink` in fixed-size chunks; returns the file size read.
 * Two buffers take turns: the next chunk is read (on libuv's thread pool) while `sink` works on the
 * current one, so the checksum does not wait for the disk nor the disk for the checksum.
 */
export async function streamRest(fh: FileHandle, start: number, sink: { update(chunk: Buffer): void }): Promise<number> {
	const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
	let pos = start;
	let turn = 0;
	let reading = fh.read(buffers[turn], 0, CHUNK_BYTES, pos);
	for (;;) {
		const { bytesRead } = await reading;
		if (bytesRead === 0) break;
		const chunk = buffers[turn].subarray(0, bytesRead);
		pos += bytesRead;
		turn = 1 - turn;
		reading = fh.read(buffers[turn], 0, CHUNK_BYTES, pos);
		try {
			sink.update(chunk);
		} catch (error) {
			// Let the read in flight finish before the caller closes the file.
			await reading.catch(() => undefined);
			throw error;
		}
	}
	return pos;
}
