/**
 * Fast CSV writing for the demo generator (generate-demo.server.ts) and its conversations
 * (demo-messages.server.ts): bytes straight into buffers, dates from a precomputed table.
 * Relative imports only: this module also runs under plain `tsx` from the CLI.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

export const COMMA = 44;
export const NEWLINE = 10;
const SINK_BUFFER = 1 << 20;
const SINK_HIGH_WATER = 8 << 20;

const P2: string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);
const ZEROS = '000000000000';
export function pad(n: number, width: number): string {
	const s = String(n);
	return s.length >= width ? s : ZEROS.slice(0, width - s.length) + s;
}

/** `YYYY-MM-DD` of a day number since 1970-01-01 (Howard Hinnant's civil_from_days). */
function civilDate(day: number): string {
	const z = day + 719468;
	const era = Math.floor(z / 146097);
	const doe = z - era * 146097;
	const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
	const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
	const mp = Math.floor((5 * doy + 2) / 153);
	const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
	const m = mp < 10 ? mp + 3 : mp - 9;
	const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
	return pad(y, 4) + '-' + P2[m] + '-' + P2[d];
}

/** Date bytes (`YYYY-MM-DD`) for a range of day numbers, computed once. */
export class DayTable {
	readonly bytes: Uint8Array;

	constructor(
		readonly first: number,
		readonly count: number
	) {
		this.bytes = new Uint8Array(count * 10);
		for (let d = 0; d < count; d++) {
			const s = civilDate(first + d);
			for (let j = 0; j < 10; j++) this.bytes[d * 10 + j] = s.charCodeAt(j);
		}
	}
}

const NEEDS_QUOTES = /[",\n\r]/;
/** RFC 4180 field: quoted when it holds a comma, quote or line break; quotes doubled. */
export function csvField(s: string): string {
	return NEEDS_QUOTES.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** Decimal digits of a non-negative integer. */
function digitCount(n: number): number {
	let len = 1;
	for (let t = n; t >= 10; t = Math.floor(t / 10)) len++;
	return len;
}

/**
 * Writes CSV bytes straight into fixed-size buffers and hands full buffers to the file stream.
 * Structured fields (ids, timestamps, numbers, enumerations) are written byte by byte, without
 * building strings: building each row as a string and encoding it cost about three times as much
 * (garbage, rope flattening, UTF-8 encoding). Only free text goes through `Buffer.write`.
 * Memory is bounded by the stream's high-water mark plus one buffer.
 */
export class CsvSink {
	private buf: Buffer;
	private off = 0;
	private error: unknown = null;
	private readonly stream: WriteStream;

	constructor(
		path: string,
		private readonly days: DayTable
	) {
		this.stream = createWriteStream(path, { highWaterMark: SINK_HIGH_WATER });
		this.stream.on('error', (e) => (this.error ??= e));
		this.buf = Buffer.allocUnsafe(SINK_BUFFER);
	}

	/** Makes room for `n` bytes; call before each row with an upper bound of its structured bytes. */
	reserve(n: number): void {
		if (this.off + n > this.buf.length) {
			this.flush();
			if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
		}
	}

	byte(c: number): void {
		this.buf[this.off++] = c;
	}

	/** A string known to be ASCII without CSV-special characters. */
	ascii(s: string): void {
		const b = this.buf;
		let o = this.off;
		for (let i = 0; i < s.length; i++) b[o++] = s.charCodeAt(i);
		this.off = o;
	}

	/** `ascii(s)` and the comma that ends the field. */
	cell(s: string): void {
		this.ascii(s);
		this.buf[this.off++] = COMMA;
	}

	/** A non-negative integer. */
	uint(n: number): void {
		const b = this.buf;
		let p = this.off + digitCount(n);
		this.off = p;
		do {
			const q = Math.floor(n / 10);
			b[--p] = 48 + n - q * 10;
			n = q;
		} while (n > 0);
	}

	/** A non-negative integer, zero-padded to `width` digits. */
	padded(n: number, width: number): void {
		const b = this.buf;
		let o = this.off;
		for (let i = digitCount(n); i < width; i++) b[o++] = 48;
		this.off = o;
		this.uint(n);
	}

	/** An id: `prefix` and the number zero-padded to `width` digits (`case-00000042`). */
	id(prefix: string, n: number, width: number): void {
		this.ascii(prefix);
		this.padded(n, width);
	}

	private two(n: number): void {
		const q = (n / 10) | 0;
		this.buf[this.off++] = 48 + q;
		this.buf[this.off++] = 48 + n - q * 10;
	}

	/** `YYYY-MM-DD` of a day number since the epoch. */
	date(day: number): void {
		const i = day - this.days.first;
		if (i < 0 || i >= this.days.count) {
			this.ascii(civilDate(day));
			return;
		}
		const src = this.days.bytes;
		const b = this.buf;
		let o = this.off;
		for (let j = i * 10, e = j + 10; j < e; j++) b[o++] = src[j];
		this.off = o;
	}

	/** `YYYY-MM-DD HH:MM:SS` of whole epoch seconds (UTC). */
	ts(sec: number): void {
		const day = Math.floor(sec / 86400);
		this.date(day);
		let r = sec - day * 86400;
		const h = (r / 3600) | 0;
		r -= h * 3600;
		const m = (r / 60) | 0;
		this.buf[this.off++] = 32;
		this.two(h);
		this.buf[this.off++] = 58;
		this.two(m);
		this.buf[this.off++] = 58;
		this.two(r - m * 60);
	}

	/** An amount in minor units; whole-unit currencies get no decimals. */
	money(minor: number, whole: boolean): void {
		const units = Math.floor(minor / 100);
		this.uint(units);
		if (whole) return;
		this.buf[this.off++] = 46;
		this.two(minor - units * 100);
	}

	/** Free text as an RFC 4180 field, UTF-8 encoded. May flush mid-row, which is harmless. */
	text(s: string): void {
		if (s.length === 0) return;
		const field = csvField(s);
		this.reserve(field.length * 3 + 1);
		this.off += this.buf.write(field, this.off);
	}

	private flush(): void {
		if (this.off === 0) return;
		this.stream.write(this.buf.subarray(0, this.off));
		this.buf = Buffer.allocUnsafe(SINK_BUFFER);
		this.off = 0;
	}

	/** Writes out what is buffered and waits while the stream is over its high-water mark. */
	async drain(): Promise<void> {
		this.flush();
		if (this.error) throw this.error;
		if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
	}

	async close(): Promise<void> {
		this.flush();
		this.stream.end();
		await finished(this.stream).catch((e: unknown) => (this.error ??= e));
		if (this.error) throw this.error;
	}

	destroy(): void {
		this.stream.destroy();
	}
}
