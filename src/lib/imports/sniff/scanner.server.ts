/**
 * The sniffer's single pass over the whole file: SHA-256, strict UTF-8, line lengths and line-end
 * kinds are all computed on each chunk as it is read, so a multi-GB file is read once, not once per
 * check.
 *
 * Relative imports only: this module also runs under a plain tsx CLI without the `$lib` alias.
 */
import { createHash } from 'node:crypto';
import { isAscii, isUtf8 } from 'node:buffer';
import { IngestError } from '../ingest-error';
import { CR, LF, QUOTE, SAMPLE_BYTES } from './bytes.server';
import { completeUtf8Length, findInvalidUtf8, invalidUtf8Error, type Utf8Failure } from './encoding.server';
import { formatBytes, formatInt } from './messages.server';

export interface ScannerOptions {
	checkUtf8: boolean;
	failFastOnUtf8: boolean;
	maxLineBytes: number;
	/** Line terminator byte to count lines by ('\r' for old Mac files); null: do not look at lines (Parquet). */
	terminator: number | null;
	/** CSV: follow double quotes, so that a line break inside a quoted value is not taken for a record's end. */
	trackQuotes?: boolean;
}

const NO_BREAK_SPACE = Buffer.from([0xc2, 0xa0]);

export class Scanner {
	private readonly hash = createHash('sha256');
	private readonly opts: ScannerOptions;
	private offset = 0;
	private line = 1;
	private lineLen = 0;
	private longLine: { line: number } | null = null;
	private carry: Buffer | null = null;
	private sawNonAscii = false;
	sawNoBreakSpace = false;
	/** Line ends seen, by kind: a file with both (an export edited by hand on two systems) is read through a copy. */
	crlfLines = 0;
	lfLines = 0;
	private lastByte = -1;
	private inQuotes = false;
	utf8Failure: Utf8Failure | null = null;

	constructor(opts: ScannerOptions) {
		this.opts = opts;
	}

	get hasPendingLongLine(): boolean {
		return this.longLine !== null;
	}

	update(chunk: Buffer): void {
		const chunkStart = this.offset;
		const lineAtChunkStart = this.line;
		this.scanLines(chunk);
		this.hash.update(chunk);
		if (!this.sawNoBreakSpace && chunk.indexOf(NO_BREAK_SPACE) !== -1) this.sawNoBreakSpace = true;
		if (this.opts.checkUtf8 && !this.utf8Failure) this.checkUtf8(chunk, chunkStart, lineAtChunkStart);
		this.offset += chunk.length;
	}

	/** Call after the last chunk: reports a truncated UTF-8 sequence or a too-long last line. */
	finish(): void {
		if (this.longLine) throw this.lineTooLong();
		if (this.opts.checkUtf8 && !this.utf8Failure && this.carry) {
			this.recordUtf8Failure({
				offset: this.offset - this.carry.length,
				line: this.line,
				byte: this.carry[0],
				sample: this.offset >= SAMPLE_BYTES ? this.carry : null,
				utf8Before: this.sawNonAscii
			});
		}
	}

	digest(): string {
		return this.hash.digest('hex');
	}

	private scanLines(chunk: Buffer): void {
		const { terminator, maxLineBytes } = this.opts;
		if (terminator === null) return;
		let pos = 0;
		// The next quote is looked for once, not on every line: searching from each line start found
		// nothing in a file without quotes only at the end of the chunk, one 4 MB scan per line.
		let quote = this.opts.trackQuotes ? chunk.indexOf(QUOTE) : -1;
		for (;;) {
			const idx = chunk.indexOf(terminator, pos);
			const end = idx === -1 ? chunk.length : idx;
			for (; quote !== -1 && quote < end; quote = chunk.indexOf(QUOTE, quote + 1)) this.inQuotes = !this.inQuotes;
			this.lineLen += end - pos;
			if (this.lineLen > maxLineBytes && !this.longLine) this.longLine = { line: this.line };
			if (idx === -1) {
				if (chunk.length) this.lastByte = chunk[chunk.length - 1];
				return;
			}
			// Keep reading to the end of a too-long line so the error can name its real length.
			if (this.longLine) throw this.lineTooLong();
			if (terminator === LF && !this.inQuotes) {
				const before = idx > 0 ? chunk[idx - 1] : this.lastByte;
				if (before === CR) this.crlfLines++;
				else this.lfLines++;
			}
			this.line++;
			this.lineLen = 0;
			pos = idx + 1;
		}
	}

	private lineTooLong(): IngestError {
		const { maxLineBytes } = this.opts;
		const line = this.longLine?.line ?? this.line;
		return new IngestError(
			'line_too_long',
			`Line ${formatInt(line)} is ${formatInt(this.lineLen)} bytes (${formatBytes(this.lineLen)}) long, ` +
				`longer than the limit of ${formatInt(maxLineBytes)} bytes (${formatBytes(maxLineBytes)}) for a single line.`,
			'A line this long usually means the line breaks were lost or converted during export, or a quote is ' +
				'never closed. Open the file in a text editor to check line ' +
				`${formatInt(line)}, then export it again with one record per line; if records really are this long, raise the limit with the environment variable CASELENS_MAX_LINE_MB (in MB).`
		);
	}

	private checkUtf8(chunk: Buffer, chunkStart: number, lineAtChunkStart: number): void {
		const carryLen = this.carry ? this.carry.length : 0;
		const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
		const cut = completeUtf8Length(data);
		const body = cut === data.length ? data : data.subarray(0, cut);
		if (isUtf8(body)) {
			if (!this.sawNonAscii && !isAscii(body)) this.sawNonAscii = true;
			this.carry = cut < data.length ? Buffer.from(data.subarray(cut)) : null;
			return;
		}
		const local = findInvalidUtf8(body);
		const at = local < 0 ? 0 : local; // isUtf8 and findInvalidUtf8 agree; fallback is defensive
		const inChunk = Math.max(0, at - carryLen);
		let line = lineAtChunkStart;
		const term = this.opts.terminator;
		if (term !== null) {
			for (let p = chunk.indexOf(term); p !== -1 && p < inChunk; p = chunk.indexOf(term, p + 1)) line++;
		}
		const utf8Before = this.sawNonAscii || (at > 0 && !isAscii(body.subarray(0, at)));
		const offset = chunkStart - carryLen + at;
		const sample =
			offset < SAMPLE_BYTES ? null : Buffer.from(data.subarray(Math.max(0, at - SAMPLE_BYTES / 2), at + SAMPLE_BYTES / 2));
		this.carry = null;
		this.recordUtf8Failure({ offset, line, byte: data[at], sample, utf8Before });
	}

	private recordUtf8Failure(f: Utf8Failure): void {
		this.utf8Failure = f;
		if (this.opts.failFastOnUtf8) throw invalidUtf8Error(f);
	}
}
