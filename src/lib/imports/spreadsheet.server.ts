/**
 * Spreadsheet exports turned into a UTF-8 CSV file that the CSV import then reads: DuckDB here
 * cannot read Excel (its excel extension cannot be downloaded).
 *
 * Two formats: the .xlsx workbook (a ZIP of XML parts), and the Excel 2003 "XML Spreadsheet"
 * (SpreadsheetML), one XML document, which Freshdesk's "Export tickets" writes with a .xls name.
 * Both are read as streams, row by row, so a large workbook is never held in memory whole (but for
 * a small .xlsx whose parts are stored in an order the streaming reader cannot follow: see
 * readXlsxStreaming).
 *
 * One sheet becomes the CSV: the one asked for by name, or else the one with the most data rows.
 * Its header is the first row with at least two filled cells (analysts' workbooks often put a title
 * above the table); every later row with any filled cell is a record.
 *
 * Cells are written as Excel shows their value, minus locale: numbers to 15 significant digits
 * (what Excel keeps and displays, so 1.1 stays 1.1), dates as `YYYY-MM-DD HH:MM:SS` wall-clock
 * times (Excel stores no time zone, so none is applied), times of day as `HH:MM:SS`, durations in
 * an elapsed format (`[h]:mm:ss`) as hours past 24, booleans as true/false, formulas as their
 * cached result.
 *
 * Relative imports only: this module also runs under a plain tsx CLI without the `$lib` alias.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import type { Cell, Row } from 'exceljs';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { IngestError } from './ingest-error';
import { openFile, statRegularFile } from './sniff/io.server';

/**
 * exceljs, loaded when a workbook is read: importing it took 0.3 s of every CLI command's 0.9 s
 * start and of the server's, and most imports are CSV.
 */
const excelJs = async () => (await import('exceljs')).default;

export type SpreadsheetFormat = 'xlsx' | 'spreadsheetml';

export interface SheetInfo {
	name: string;
	/** Data rows below the header (fully empty rows not counted). */
	rows: number;
}

export interface SpreadsheetConversion {
	format: SpreadsheetFormat;
	/** The sheet written to the CSV. */
	sheet: string;
	/** Every worksheet, in workbook order. */
	sheets: SheetInfo[];
	/** Data rows written (the header not counted). */
	rows: number;
	/** 1-based row of the header in the sheet; the rows above it (titles) are not records. */
	headerRow: number;
}

export interface SpreadsheetOptions {
	/** Sheet to convert, by name, case-insensitive. Default: the one with the most data rows (ties: the first). */
	sheet?: string;
	/**
	 * Largest CSV to write, in bytes: the upload limit, since the CSV import refuses a larger file
	 * anyway. It also bounds how much XML the workbook may unpack to, which stops a ZIP bomb.
	 */
	maxBytes?: number;
}

const SS_NAMESPACE = 'urn:schemas-microsoft-com:office:spreadsheet';
const KiB = 1024;
const MiB = 1024 * KiB;
/** Enough for the XML prolog and the root element of any SpreadsheetML file. */
const XML_HEAD_BYTES = 64 * KiB;
/** The ZIP end-of-central-directory record is 22 bytes plus a comment of at most 64 KiB. */
const ZIP_TAIL_BYTES = 22 + 0xffff + 20;
/** An .xlsx lists a few hundred parts; a directory larger than this is not a workbook's. */
const MAX_ZIP_DIRECTORY_BYTES = 16 * MiB;
/**
 * Sheet XML per byte of CSV, generously: a cell costs some 30-60 bytes of XML (`<c r="AB12" s="3"
 * t="s"><v>917</v></c>`) and 5-20 of CSV. Beyond this ratio the workbook is a ZIP bomb, not data.
 */
const XML_PER_CSV_BYTE = 32;
/** The whole-workbook reader (see readXlsxWhole) holds every cell as an object: keep it small. */
const MAX_WHOLE_WORKBOOK_XML_BYTES = 64 * MiB;
const FLUSH_CHARS = 64 * KiB;
const SECONDS_PER_DAY = 86_400;
const MS_PER_DAY = SECONDS_PER_DAY * 1000;
/** Day 0 of Excel's 1900 date system as days since 1970-01-01 (1899-12-30: see formatSerial). */
const EPOCH_1900_DAYS = -25_569;
/** Day 0 of the 1904 date system (Mac Excel before 2011): 1904-01-01. */
const EPOCH_1904_DAYS = -24_107;

// ---------------------------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------------------------

export async function detectSpreadsheet(path: string): Promise<SpreadsheetFormat | undefined> {
	// The first look at the file: a missing or unreadable one is refused here, with its fix.
	await statRegularFile(path);
	const handle = await openFile(path);
	try {
		const head = await readAt(handle, 0, XML_HEAD_BYTES);
		if (isZipStart(head)) {
			const directory = await readZipDirectory(handle);
			return directory?.some((e) => e.name === 'xl/workbook.xml') ? 'xlsx' : undefined;
		}
		return rootIsSpreadsheetMl(head) ? 'spreadsheetml' : undefined;
	} finally {
		await handle.close();
	}
}

function isZipStart(head: Buffer): boolean {
	// Local file header, or the end record of an empty archive.
	return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

function rootIsSpreadsheetMl(head: Buffer): boolean {
	const text = decoderFor(head, false).decode(head);
	if (!text.trimStart().startsWith('<')) return false;
	let root: SaxesTagNS | undefined;
	const parser = new SaxesParser({ xmlns: true, position: false });
	parser.on('opentag', (tag) => {
		root ??= tag;
	});
	try {
		// The head may end mid-element: only a problem once `close()` is called, which it is not.
		parser.write(text);
	} catch {
		// Not XML, or XML broken after its root element opened: the root (if any) still says what it is.
	}
	return root !== undefined && root.local === 'Workbook' && root.uri === SS_NAMESPACE;
}

// ---------------------------------------------------------------------------------------------
// Conversion
// ---------------------------------------------------------------------------------------------

export async function spreadsheetToCsv(path: string, outPath: string, options: SpreadsheetOptions = {}): Promise<SpreadsheetConversion> {
	const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
	const format = await detectSpreadsheet(path);
	if (format === undefined) throw await notASpreadsheet(path);
	try {
		if (format === 'spreadsheetml') {
			return { format, ...(await convert(() => readSpreadsheetMl(path), outPath, options.sheet, maxBytes)) };
		}
		const layout = await xlsxLayout(path, maxBytes);
		let reason = layout.notStreamable;
		if (reason === undefined) {
			try {
				return { format, ...(await convert(() => readXlsxStreaming(path, layout), outPath, options.sheet, maxBytes)) };
			} catch (error) {
				if (!(error instanceof NotStreamable)) throw error;
				reason = error.message;
			}
		}
		if (layout.sheetXmlBytes > MAX_WHOLE_WORKBOOK_XML_BYTES) throw tooLargeToReadWhole(layout.sheetXmlBytes, reason);
		return { format, ...(await convert(() => readXlsxWhole(path), outPath, options.sheet, maxBytes)) };
	} catch (error) {
		if (error instanceof IngestError) throw error;
		throw unreadable(format, error);
	}
}

/** What a reader yields: a sheet starts, then its rows; the next sheet (or the end) closes it. */
type WorkbookEvent = { type: 'sheet'; name: string; position: number } | { type: 'row'; number: number; cells: string[] };
type WorkbookSource = () => AsyncIterable<WorkbookEvent>;

type Outcome = Omit<SpreadsheetConversion, 'format'>;

/**
 * One pass writes every candidate sheet to its own temp file next to `outPath` and keeps the best.
 * A row longer than its header makes the CSV ragged; that sheet is then read again, knowing its
 * full width from the start (the header gains `column_<n>` names), which is rare and keeps the
 * common case to one pass.
 */
async function convert(source: WorkbookSource, outPath: string, wanted: string | undefined, maxBytes: number): Promise<Outcome> {
	const matches = wanted === undefined ? () => true : (name: string) => name.toLowerCase() === wanted.trim().toLowerCase();
	const first = await convertPass(source, outPath, matches, new Map(), maxBytes);
	const sheets = [...first.tables].sort((a, b) => a.position - b.position).map((t) => ({ name: t.name, rows: t.rows }));
	let best = first.best;
	if (best === undefined || best.headerRow === undefined) {
		await first.discard();
		if (wanted !== undefined && best === undefined) throw unknownSheet(wanted, sheets);
		throw noTable(wanted === undefined ? undefined : best?.name, sheets);
	}
	if (best.overflowed) {
		await first.discard();
		const name = best.name;
		const second = await convertPass(source, outPath, (n) => n === name, new Map([[name, best.width]]), maxBytes);
		best = second.best;
		if (best === undefined || best.headerRow === undefined || best.overflowed) {
			await second.discard();
			throw new Error(`sheet "${name}" read differently the second time`);
		}
		await second.keep(outPath);
	} else {
		await first.keep(outPath);
	}
	return { sheet: best.name, sheets, rows: best.rows, headerRow: best.headerRow };
}

interface Pass {
	tables: SheetTable[];
	best: SheetTable | undefined;
	/** Moves the best sheet's CSV to `outPath` and removes the other temp files. */
	keep(outPath: string): Promise<void>;
	discard(): Promise<void>;
}

async function convertPass(
	source: WorkbookSource,
	outPath: string,
	writes: (name: string) => boolean,
	widths: ReadonlyMap<string, number>,
	maxBytes: number
): Promise<Pass> {
	const tables: SheetTable[] = [];
	const temps = new Set<string>();
	let best: SheetTable | undefined;
	let current: SheetTable | undefined;
	const discard = async () => {
		await Promise.all(tables.map((t) => t.file?.close()));
		await Promise.all([...temps].map((p) => rm(p, { force: true })));
	};
	const settle = async (table: SheetTable) => {
		await table.file?.close();
		if (!table.file) return;
		if (best === undefined || better(table, best)) {
			if (best?.file) {
				await rm(best.file.path, { force: true });
				temps.delete(best.file.path);
			}
			best = table;
		} else {
			await rm(table.file.path, { force: true });
			temps.delete(table.file.path);
		}
	};
	try {
		for await (const event of source()) {
			if (event.type === 'sheet') {
				if (current) await settle(current);
				let file: CsvFile | undefined;
				if (writes(event.name)) {
					const path = `${outPath}.sheet-${tables.length + 1}.part`;
					temps.add(path);
					file = await CsvFile.create(path, event.name, maxBytes);
				}
				current = new SheetTable(event.name, event.position, file, widths.get(event.name) ?? 0);
				tables.push(current);
			} else if (current) {
				await current.add(event.number, event.cells);
			}
		}
		if (current) await settle(current);
	} catch (error) {
		await discard();
		throw error;
	}
	return {
		tables,
		best,
		discard,
		async keep(target) {
			if (best?.file) {
				await rename(best.file.path, target);
				temps.delete(best.file.path);
			}
			await discard();
		}
	};
}

/** More data rows wins; then a sheet with a header over one without; then the earlier sheet. */
function better(a: SheetTable, b: SheetTable): boolean {
	if (a.rows !== b.rows) return a.rows > b.rows;
	const aHeader = a.headerRow !== undefined;
	const bHeader = b.headerRow !== undefined;
	if (aHeader !== bHeader) return aHeader;
	return a.position < b.position;
}

/** One sheet's table: finds the header, counts the records and, for a candidate sheet, writes them. */
class SheetTable {
	headerRow: number | undefined;
	rows = 0;
	/** Fields per CSV record: the header's, or the widest row's when that is wider. */
	width = 0;
	/** A row was wider than the header already written: this CSV must be written again. */
	overflowed = false;

	constructor(
		readonly name: string,
		readonly position: number,
		readonly file: CsvFile | undefined,
		private readonly knownWidth: number
	) {}

	async add(rowNumber: number, cells: readonly string[]): Promise<void> {
		const used = usedWidth(cells);
		if (used === 0) return;
		if (this.headerRow === undefined) {
			if (cells.filter(filled).length < 2) return;
			this.headerRow = rowNumber;
			this.width = Math.max(used, this.knownWidth);
			const names = Array.from({ length: this.width }, (_, i) => (filled(cells[i] ?? '') ? cells[i] : `column_${i + 1}`));
			await this.file?.write(csvRecord(names));
			return;
		}
		this.rows += 1;
		if (used > this.width) {
			this.width = used;
			this.overflowed = true;
		}
		if (!this.overflowed) await this.file?.write(csvRecord(cells, this.width));
	}
}

function filled(cell: string): boolean {
	return cell.trim() !== '';
}

/** Columns up to the last filled cell: trailing empty cells are formatting, not data. */
function usedWidth(cells: readonly string[]): number {
	for (let i = cells.length - 1; i >= 0; i--) if (filled(cells[i] ?? '')) return i + 1;
	return 0;
}

/** RFC 4180: comma separated, CRLF after every record, quotes only where a field needs them. */
function csvRecord(cells: readonly string[], width = cells.length): string {
	let line = '';
	for (let i = 0; i < width; i++) {
		const cell = cells[i] ?? '';
		if (i > 0) line += ',';
		line += /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
	}
	return `${line}\r\n`;
}

class CsvFile {
	private pending = '';
	private bytes = 0;
	private closed = false;

	private constructor(
		readonly path: string,
		private readonly sheet: string,
		private readonly handle: FileHandle,
		private readonly maxBytes: number
	) {}

	static async create(path: string, sheet: string, maxBytes: number): Promise<CsvFile> {
		return new CsvFile(path, sheet, await open(path, 'w'), maxBytes);
	}

	async write(text: string): Promise<void> {
		this.bytes += Buffer.byteLength(text);
		if (this.bytes > this.maxBytes) throw csvTooLarge(this.sheet, this.maxBytes);
		this.pending += text;
		if (this.pending.length >= FLUSH_CHARS) await this.flush();
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		try {
			await this.flush();
		} finally {
			await this.handle.close();
		}
	}

	private async flush(): Promise<void> {
		if (this.pending === '') return;
		const text = this.pending;
		this.pending = '';
		await this.handle.write(text, null, 'utf8');
	}
}

// ---------------------------------------------------------------------------------------------
// .xlsx
// ---------------------------------------------------------------------------------------------

interface ZipEntry {
	name: string;
	/** Where its local header starts: the order in which a streaming unzip meets the entries. */
	offset: number;
	uncompressedSize: number;
}

interface XlsxLayout {
	/** Uncompressed bytes of the worksheets and the shared strings. */
	sheetXmlBytes: number;
	hasStyles: boolean;
	/** Why exceljs's streaming reader would misread this workbook (see readXlsxStreaming); undefined when it will not. */
	notStreamable: string | undefined;
}

/** exceljs's streaming reader would misread this workbook: the conversion starts over with the whole reader. */
class NotStreamable extends Error {}

async function xlsxLayout(path: string, maxBytes: number): Promise<XlsxLayout> {
	const handle = await open(path, 'r');
	let entries: ZipEntry[] | undefined;
	try {
		entries = await readZipDirectory(handle);
	} finally {
		await handle.close();
	}
	if (entries === undefined) throw new Error('its ZIP directory cannot be read');
	const sheetXmlBytes = entries
		.filter((e) => /^xl\/worksheets\/[^/]+\.xml$/.test(e.name) || e.name === 'xl/sharedStrings.xml')
		.reduce((sum, e) => sum + e.uncompressedSize, 0);
	if (sheetXmlBytes > maxBytes * XML_PER_CSV_BYTE) throw unpacksTooLarge(sheetXmlBytes, maxBytes);
	const hasStyles = entries.some((e) => e.name === 'xl/styles.xml');
	return { sheetXmlBytes, hasStyles, notStreamable: streamingProblem(entries) };
}

/** Replays exceljs's streaming reader over the entry order (see readXlsxStreaming). */
function streamingProblem(entries: ZipEntry[]): string | undefined {
	const at = (name: string) => entries.find((e) => e.name === name)?.offset;
	const sharedStrings = at('xl/sharedStrings.xml');
	const relationships = at('xl/_rels/workbook.xml.rels');
	const workbook = at('xl/workbook.xml') ?? Number.POSITIVE_INFINITY;
	const styles = at('xl/styles.xml') ?? Number.NEGATIVE_INFINITY;
	const sheets = entries.filter((e) => /^xl\/worksheets\/[^/]+\.xml$/.test(e.name));
	// exceljs reads only parts named sheet<n>.xml and would skip any other sheet without a word.
	if (sheets.some((e) => !/^xl\/worksheets\/sheet\d+\.xml$/.test(e.name))) return 'a sheet part has a name other than sheet<n>.xml';
	if (sharedStrings === undefined || relationships === undefined) return undefined; // every sheet waits for the end
	const readAt = Math.max(sharedStrings, relationships);
	for (const sheet of sheets) {
		if (sheet.offset < readAt) continue; // set aside, read after all other parts
		if (sheet.offset < workbook) return 'a sheet comes before xl/workbook.xml';
		if (sheet.offset < styles) return 'a sheet comes before xl/styles.xml';
	}
	return undefined;
}

/**
 * exceljs's streaming reader meets the ZIP entries in file order. It sets a worksheet aside in a
 * temp file until the shared strings and the workbook relationships have been read, but it does
 * not wait for xl/styles.xml (the number formats that make a number a date: without them a date
 * comes out as its serial number) nor xl/workbook.xml (the sheet names and the 1904 date system:
 * without it exceljs throws). Excel and exceljs write the sheets before the shared strings, so
 * they wait; a workbook laid out otherwise is found from its ZIP directory (streamingProblem)
 * and read whole instead (readXlsxWhole), which the caller allows only for a small one. The
 * checks below catch what the directory cannot show, before any row is used.
 */
async function* readXlsxStreaming(path: string, layout: XlsxLayout): AsyncGenerator<WorkbookEvent> {
	const ExcelJS = await excelJs();
	const input: ReadStream = createReadStream(path);
	const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
		worksheets: 'emit',
		sharedStrings: 'cache',
		styles: 'cache',
		hyperlinks: 'ignore',
		entries: 'ignore'
	});
	const defaultStyles = field(reader, 'styles');
	try {
		for await (const worksheet of reader) {
			const names = sheetNames(field(reader, 'model'));
			if (names === undefined) throw new NotStreamable('the sheets come before xl/workbook.xml');
			if (layout.hasStyles && field(reader, 'styles') === defaultStyles) throw new NotStreamable('a sheet comes before xl/styles.xml');
			const name = field(worksheet, 'name');
			const position = typeof name === 'string' ? names.indexOf(name) : -1;
			// Unmatched (a relationship written as an absolute path, say), the sheet would carry a
			// made-up name ("Sheet7") the user never saw.
			if (typeof name !== 'string' || position < 0) throw new NotStreamable('a sheet could not be matched to its name in xl/workbook.xml');
			const date1904 = field(field(field(reader, 'properties'), 'model'), 'date1904') === true;
			yield { type: 'sheet', name, position };
			for await (const row of worksheet) {
				yield { type: 'row', number: row.number, cells: xlsxRowCells(row, date1904) };
			}
		}
	} finally {
		input.destroy();
	}
}

/** The non-streaming exceljs reader: every cell in memory, so only for a small workbook. */
async function* readXlsxWhole(path: string): AsyncGenerator<WorkbookEvent> {
	const ExcelJS = await excelJs();
	const workbook = new ExcelJS.Workbook();
	await workbook.xlsx.readFile(path);
	const date1904 = workbook.properties?.date1904 === true;
	for (const [position, worksheet] of workbook.worksheets.entries()) {
		yield { type: 'sheet', name: worksheet.name, position };
		const rows: Row[] = [];
		worksheet.eachRow((row) => rows.push(row));
		for (const row of rows) yield { type: 'row', number: row.number, cells: xlsxRowCells(row, date1904) };
	}
}

function sheetNames(model: unknown): string[] | undefined {
	const sheets = field(model, 'sheets');
	if (!Array.isArray(sheets)) return undefined;
	return sheets.map((s: unknown) => String(field(s, 'name') ?? ''));
}

function xlsxRowCells(row: Row, date1904: boolean): string[] {
	const cells: string[] = [];
	row.eachCell({ includeEmpty: false }, (cell: Cell, column: number) => {
		// A merged range keeps its value in its top-left cell; the whole-workbook reader repeats it
		// in every covered cell, which would duplicate it in the CSV.
		if (cell.master !== cell) return;
		cells[column - 1] = xlsxCellText(cell.value, cell.numFmt, date1904);
	});
	return Array.from(cells, (c) => c ?? '');
}

function xlsxCellText(value: unknown, numFmt: string | undefined, date1904: boolean): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'string') return decodeOoxmlEscapes(value);
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	if (typeof value === 'number') {
		const kind = dateKind(numFmt);
		return kind ? formatSerial(value, date1904, kind) : formatNumber(value);
	}
	if (value instanceof Date) {
		// exceljs built this Date as UTC from the serial: undo that to format the wall-clock value.
		const serial = value.getTime() / MS_PER_DAY - (date1904 ? EPOCH_1904_DAYS : EPOCH_1900_DAYS);
		return formatSerial(serial, date1904, dateKind(numFmt) ?? (serial >= 0 && serial < 1 ? 'time' : 'datetime'));
	}
	if (typeof value !== 'object') return String(value);
	const richText = field(value, 'richText');
	if (Array.isArray(richText)) return decodeOoxmlEscapes(richText.map((run: unknown) => String(field(run, 'text') ?? '')).join(''));
	const error = field(value, 'error');
	if (typeof error === 'string') return error;
	if ('formula' in value || 'sharedFormula' in value) {
		// The streaming reader parses every non-text cached result as a float, so an error result
		// (#N/A) arrives as NaN; the whole-workbook reader gives it as { error }. Either way it is
		// written empty, as it holds no value (nor does a formula without a cached result).
		const result = field(value, 'result');
		if ((typeof result === 'number' && Number.isNaN(result)) || field(result, 'error') !== undefined) return '';
		return xlsxCellText(result, numFmt, date1904);
	}
	if ('hyperlink' in value) return xlsxCellText(field(value, 'text'), numFmt, date1904);
	// The shared strings were never read (a part name exceljs does not know): retry whole.
	if ('sharedString' in value) throw new NotStreamable('the shared strings were not found');
	return '';
}

/** OOXML writes characters XML cannot hold (a CR, control characters) as `_xHHHH_`; exceljs leaves them. */
function decodeOoxmlEscapes(text: string): string {
	if (!text.includes('_x')) return text;
	return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The ZIP central directory, read from the end of the file: the entry names say whether this is a
 * workbook and the sizes bound what it unpacks to, without reading the whole file.
 */
async function readZipDirectory(handle: FileHandle): Promise<ZipEntry[] | undefined> {
	const { size } = await handle.stat();
	const tailStart = Math.max(0, size - ZIP_TAIL_BYTES);
	const tail = await readAt(handle, tailStart, size - tailStart);
	let end = -1;
	for (let i = tail.length - 22; i >= 0; i--) {
		if (tail.readUInt32LE(i) === 0x06054b50) {
			end = i;
			break;
		}
	}
	if (end < 0) return undefined;
	let count = tail.readUInt16LE(end + 10);
	let directorySize = tail.readUInt32LE(end + 12);
	let directoryOffset = tail.readUInt32LE(end + 16);
	if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
		// ZIP64: the real values sit in a record the locator (just before the end record) points to.
		const locator = end - 20;
		if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) return undefined;
		const record = await readAt(handle, Number(tail.readBigUInt64LE(locator + 8)), 56);
		if (record.length < 56 || record.readUInt32LE(0) !== 0x06064b50) return undefined;
		count = Number(record.readBigUInt64LE(32));
		directorySize = Number(record.readBigUInt64LE(40));
		directoryOffset = Number(record.readBigUInt64LE(48));
	}
	if (directorySize > MAX_ZIP_DIRECTORY_BYTES || directoryOffset + directorySize > size) return undefined;
	const directory = await readAt(handle, directoryOffset, directorySize);
	const entries: ZipEntry[] = [];
	let at = 0;
	for (let n = 0; n < count; n++) {
		if (at + 46 > directory.length || directory.readUInt32LE(at) !== 0x02014b50) return undefined;
		const nameLength = directory.readUInt16LE(at + 28);
		const extraLength = directory.readUInt16LE(at + 30);
		const commentLength = directory.readUInt16LE(at + 32);
		const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
		let uncompressedSize = directory.readUInt32LE(at + 24);
		let offset = directory.readUInt32LE(at + 42);
		const extra = directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
		for (let e = 0; e + 4 <= extra.length; e += 4 + extra.readUInt16LE(e + 2)) {
			if (extra.readUInt16LE(e) !== 0x0001) continue;
			// ZIP64 extra field: 8-byte values, only for the fields whose 4-byte value is saturated.
			let v = e + 4;
			if (uncompressedSize === 0xffffffff && v + 8 <= extra.length) (uncompressedSize = Number(extra.readBigUInt64LE(v))), (v += 8);
			if (directory.readUInt32LE(at + 20) === 0xffffffff) v += 8;
			if (offset === 0xffffffff && v + 8 <= extra.length) offset = Number(extra.readBigUInt64LE(v));
		}
		entries.push({ name, offset, uncompressedSize });
		at += 46 + nameLength + extraLength + commentLength;
	}
	return entries;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
	const buffer = Buffer.alloc(length);
	const { bytesRead } = await handle.read(buffer, 0, length, position);
	return buffer.subarray(0, bytesRead);
}

// ---------------------------------------------------------------------------------------------
// SpreadsheetML (Excel 2003 XML Spreadsheet)
// ---------------------------------------------------------------------------------------------

/** Excel's names for its built-in formats, as the number format codes they stand for. */
const NAMED_FORMATS: Record<string, string> = {
	'general date': 'yyyy-mm-dd h:mm:ss',
	'short date': 'yyyy-mm-dd',
	'medium date': 'dd-mmm-yy',
	'long date': 'dddd, mmmm d, yyyy',
	'short time': 'h:mm',
	'medium time': 'h:mm AM/PM',
	'long time': 'h:mm:ss AM/PM'
};

interface MlCell {
	column: number;
	styleId: string | undefined;
	type: string | undefined;
	text: string;
}

async function* readSpreadsheetMl(path: string): AsyncGenerator<WorkbookEvent> {
	const parser = new SaxesParser({
		xmlns: true,
		position: false,
		// Lenient with a writer that forgot a declaration: an unbound prefix would otherwise stop the read.
		resolvePrefix: (prefix: string) => (prefix === 'ss' ? SS_NAMESPACE : `urn:unbound:${prefix}`)
	});
	const pending: WorkbookEvent[] = [];
	const styles = new Map<string, { parent?: string; format?: string }>();
	/** Local names of the open SpreadsheetML elements ('' for other namespaces). */
	const stack: string[] = [];
	let style: { parent?: string; format?: string } | undefined;
	let sheets = 0;
	let rowNumber = 0;
	let cells: string[] = [];
	let column = 0;
	/** Cells covered by a MergeDown from a row above: [first column, last column, last row]. */
	let covered: [number, number, number][] = [];
	let cell: MlCell | undefined;
	/** Depth inside the <Data> being read: its nested formatting (<Font>, <B>) only adds text. */
	let dataDepth = 0;

	const formatOf = (id: string | undefined): string | undefined => {
		for (let hops = 0; id !== undefined && hops < 32; hops++) {
			const s = styles.get(id);
			if (s?.format !== undefined) return NAMED_FORMATS[s.format.toLowerCase()] ?? s.format;
			id = s?.parent;
		}
		return undefined;
	};

	parser.on('opentag', (tag) => {
		if (dataDepth > 0) {
			dataDepth++;
			return;
		}
		const parent = stack[stack.length - 1];
		stack.push(tag.uri === SS_NAMESPACE ? tag.local : '');
		if (tag.uri !== SS_NAMESPACE) return;
		switch (tag.local) {
			case 'Style':
				if (parent !== 'Styles') break;
				style = { parent: attribute(tag, 'Parent') };
				styles.set(attribute(tag, 'ID') ?? '', style);
				break;
			case 'NumberFormat':
				if (parent === 'Style' && style) style.format = attribute(tag, 'Format');
				break;
			case 'Worksheet':
				sheets++;
				pending.push({ type: 'sheet', name: attribute(tag, 'Name') ?? `Sheet${sheets}`, position: sheets - 1 });
				rowNumber = 0;
				covered = [];
				break;
			case 'Row': {
				if (parent !== 'Table') break;
				const index = integer(attribute(tag, 'Index'));
				rowNumber = index ?? rowNumber + 1;
				cells = [];
				column = 0;
				break;
			}
			case 'Cell': {
				if (parent !== 'Row') break;
				const index = integer(attribute(tag, 'Index'));
				if (index !== undefined) column = index - 1;
				else while (covered.some(([from, to, last]) => column >= from && column <= to && rowNumber <= last)) column++;
				cell = { column, styleId: attribute(tag, 'StyleID'), type: undefined, text: '' };
				// A merged range keeps its value in its first cell: the next cell starts after the range.
				const across = integer(attribute(tag, 'MergeAcross')) ?? 0;
				const down = integer(attribute(tag, 'MergeDown')) ?? 0;
				if (down > 0) covered.push([column, column + across, rowNumber + down]);
				column += 1 + across;
				break;
			}
			case 'Data':
				if (parent !== 'Cell' || !cell) break;
				cell.type = attribute(tag, 'Type');
				dataDepth = 1;
				break;
		}
	});
	const onText = (text: string) => {
		if (dataDepth > 0 && cell) cell.text += text;
	};
	parser.on('text', onText);
	parser.on('cdata', onText);
	parser.on('closetag', (tag) => {
		if (dataDepth > 1) {
			dataDepth--;
			return;
		}
		if (dataDepth === 1) dataDepth = 0;
		const local = stack.pop();
		if (local === 'Cell' && cell) {
			cells[cell.column] = mlCellText(cell, formatOf(cell.styleId));
			cell = undefined;
		} else if (local === 'Row') {
			pending.push({ type: 'row', number: rowNumber, cells: Array.from(cells, (c) => c ?? '') });
			covered = covered.filter(([, , last]) => last > rowNumber);
		} else if (local === 'Style') {
			style = undefined;
		}
	});

	let decoder: TextDecoder | undefined;
	for await (const chunk of createReadStream(path, { highWaterMark: 64 * KiB }) as AsyncIterable<Buffer>) {
		decoder ??= decoderFor(chunk, true);
		parser.write(decoder.decode(chunk, { stream: true }));
		yield* pending.splice(0);
	}
	parser.write((decoder ?? new TextDecoder()).decode());
	parser.close();
	yield* pending.splice(0);
}

function mlCellText(cell: MlCell, format: string | undefined): string {
	const text = cell.text;
	switch (cell.type) {
		case 'Number': {
			const n = Number(text.trim());
			return text.trim() !== '' && Number.isFinite(n) ? formatNumber(n) : text;
		}
		case 'Boolean': {
			const t = text.trim().toLowerCase();
			return t === '1' || t === 'true' ? 'true' : t === '0' || t === 'false' ? 'false' : text;
		}
		case 'DateTime': {
			const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?/.exec(text.trim());
			if (!m) return text;
			const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0'] = m;
			const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Math.round(Number(`0.${frac}`) * 1000));
			let serial = ms / MS_PER_DAY - EPOCH_1900_DAYS;
			// SpreadsheetML writes real calendar dates; Excel's serials before March 1900 count a
			// 29 February 1900 that never was (see formatSerial), so they are one lower.
			if (serial < 61) serial -= 1;
			return formatSerial(serial, false, dateKind(format) ?? (serial >= 0 && serial < 1 ? 'time' : 'datetime'));
		}
		default:
			return text;
	}
}

function attribute(tag: SaxesTagNS, local: string): string | undefined {
	for (const a of Object.values(tag.attributes)) {
		if (a.local === local && (a.uri === SS_NAMESPACE || a.uri === '')) return a.value;
	}
	return undefined;
}

function integer(text: string | undefined): number | undefined {
	if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
	return parseInt(text, 10);
}

/** UTF-8 unless a byte-order mark or the XML declaration says otherwise. */
function decoderFor(head: Buffer, fatal: boolean): TextDecoder {
	if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder('utf-16le', { fatal });
	if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder('utf-16be', { fatal });
	const declared = /^(?:\uFEFF)?\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head.toString('latin1', 0, 256))?.[1];
	try {
		return new TextDecoder(declared ?? 'utf-8', { fatal });
	} catch {
		if (fatal) throw new IngestError('invalid_encoding', `The XML spreadsheet declares the text encoding "${declared}", which Caselens cannot read.`, SAVE_AGAIN_HINT);
		return new TextDecoder('utf-8');
	}
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

type DateKind = 'date' | 'datetime' | 'time' | 'elapsed';

/**
 * What a number format shows of a date serial: a date, a date and time, a time of day, or an
 * elapsed duration (`[h]:mm:ss`); undefined for a format that is not a date (`0.00`, `@`).
 */
function dateKind(format: string | undefined): DateKind | undefined {
	if (!format) return undefined;
	// exceljs's table of built-in formats gives id 22 as `m/d/yy "h":mm`; Excel's is m/d/yy h:mm.
	if (format === 'm/d/yy "h":mm') return 'datetime';
	// Quoted literals, backslash escapes and padding (`_)`, `*-`) are text, not date codes; only
	// the first section (positive numbers) is looked at.
	const section = format.replace(/"[^"]*"/g, '').replace(/\\./g, '').replace(/[_*]./g, '').split(';')[0];
	if (/\[(h+|m+|s+)\]/i.test(section)) return 'elapsed';
	const codes = section
		.replace(/\[[^\]]*\]/g, '')
		.replace(/general/gi, '')
		.replace(/am\/pm|a\/p/gi, 'h');
	const time = /[hs]/i.test(codes);
	// `m` is minutes next to hours or seconds, and months otherwise.
	const date = /[yd]/i.test(codes) || (!time && /m/i.test(codes));
	if (date) return time ? 'datetime' : 'date';
	return time ? 'time' : undefined;
}

/**
 * An Excel date serial (days since day 0, the fraction being the time of day) as wall-clock text.
 * Rounded to the second, as Excel displays it.
 */
function formatSerial(serial: number, date1904: boolean, kind: DateKind): string {
	if (!Number.isFinite(serial)) return '';
	const seconds = Math.round(serial * SECONDS_PER_DAY);
	// A time-of-day format on a value of a day or more is a duration formatted carelessly: the
	// hours past 24 are kept rather than dropped as Excel's display does.
	if (kind === 'elapsed' || (kind === 'time' && (seconds < 0 || seconds >= SECONDS_PER_DAY))) return elapsed(seconds);
	const days = Math.floor(seconds / SECONDS_PER_DAY);
	const clock = hms(seconds - days * SECONDS_PER_DAY);
	if (kind === 'time') return clock;
	// Excel's 1900 system counts a 29 February 1900 (kept from Lotus 1-2-3 for compatibility), so
	// day 0 is 1899-12-30 from March 1900 on, and 1899-12-31 before it.
	const epoch = date1904 ? EPOCH_1904_DAYS : days < 60 ? EPOCH_1900_DAYS + 1 : EPOCH_1900_DAYS;
	const date = new Date((epoch + days) * MS_PER_DAY);
	const ymd = `${String(date.getUTCFullYear()).padStart(4, '0')}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
	return kind === 'date' && clock === '00:00:00' ? ymd : `${ymd} ${clock}`;
}

function hms(seconds: number): string {
	return `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}`;
}

function elapsed(seconds: number): string {
	return (seconds < 0 ? '-' : '') + hms(Math.abs(seconds));
}

function pad2(n: number): string {
	return String(n).padStart(2, '0');
}

/**
 * Excel keeps 15 significant digits and writes the double nearest to them, so 1.1 is stored as
 * 1.1000000000000001: rounding to 15 digits gives back the number the user typed.
 */
function formatNumber(n: number): string {
	if (!Number.isFinite(n)) return '';
	const rounded = Number(n.toPrecision(15));
	return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** A property of a value whose shape the library's types do not describe (exceljs's streaming reader). */
function field(value: unknown, key: string): unknown {
	return typeof value === 'object' && value !== null && key in value ? (value as Record<string, unknown>)[key] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

const SAVE_AGAIN_HINT =
	'Open the file in Excel or LibreOffice and save it again as .xlsx, or save the sheet you need as "CSV UTF-8" and upload that file.';
const LIMIT_HINT =
	'Raise the limit by setting the environment variable CASELENS_MAX_UPLOAD_MB and restarting Caselens, or split the export into smaller files and import them one by one.';

/** Why a file that reached the spreadsheet conversion is not one it can read. */
async function notASpreadsheet(path: string): Promise<IngestError> {
	const handle = await open(path, 'r');
	try {
		const head = await readAt(handle, 0, 8);
		if (head.equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) {
			// An OLE2 compound file: the binary .xls of Excel 97-2003, or any workbook with a password.
			return new IngestError(
				'unknown_format',
				'The file is a binary Excel 97-2003 workbook (.xls) or a password-protected workbook, which Caselens cannot read.',
				'Open it in Excel, remove the password if it has one, save it as .xlsx or as "CSV UTF-8", and upload that file.'
			);
		}
		if (isZipStart(head)) {
			const entries = await readZipDirectory(handle);
			if (entries === undefined) {
				return new IngestError(
					'malformed_file',
					'The file starts like an .xlsx workbook (a ZIP archive) but its table of contents is missing: the file is truncated or damaged.',
					'Export or download the workbook again and upload the complete file. If Excel still opens it, save it again as .xlsx or save the sheet as "CSV UTF-8".'
				);
			}
			if (entries.some((e) => e.name === 'xl/workbook.bin')) {
				return new IngestError('unknown_format', 'The file is an Excel binary workbook (.xlsb), which Caselens cannot read.', SAVE_AGAIN_HINT);
			}
			return new IngestError(
				'unknown_format',
				'The file is a ZIP archive but not an Excel workbook: it has no xl/workbook.xml.',
				'Upload the .xlsx workbook itself (not a ZIP that contains it), or the export as CSV.'
			);
		}
		return new IngestError(
			'unknown_format',
			'The file is not a spreadsheet Caselens can read: neither an .xlsx workbook nor an Excel 2003 XML spreadsheet.',
			'Upload the export as .xlsx, as the XML spreadsheet the help desk wrote, or as CSV.'
		);
	} finally {
		await handle.close();
	}
}

function unreadable(format: SpreadsheetFormat, error: unknown): IngestError {
	const detail = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim().replace(/\.$/, '');
	const what = format === 'xlsx' ? 'The .xlsx workbook' : 'The XML spreadsheet';
	return new IngestError('malformed_file', `${what} is damaged and cannot be read (${detail}).`, SAVE_AGAIN_HINT);
}

function unknownSheet(wanted: string, sheets: SheetInfo[]): IngestError {
	return new IngestError(
		'bad_request',
		`The workbook has no sheet named "${wanted}". Its sheets are: ${sheets.map(describeSheet).join(', ')}.`,
		`Choose one of: ${sheets.map((s) => s.name).join(', ')}.`
	);
}

function noTable(sheet: string | undefined, sheets: SheetInfo[]): IngestError {
	const withRows = sheets.filter((s) => s.rows > 0);
	if (sheet !== undefined) {
		return new IngestError(
			'empty_file',
			`Sheet "${sheet}" holds no table: none of its rows has two or more filled cells to serve as the header.`,
			withRows.length > 0 ? `Choose one of: ${withRows.map((s) => s.name).join(', ')}.` : 'Check that the workbook holds the export, with a header row, and upload it again.'
		);
	}
	return new IngestError(
		'empty_file',
		sheets.length === 0 ? 'The workbook has no worksheets.' : 'No sheet of the workbook holds a table: none has a row with two or more filled cells to serve as the header.',
		'Check that the workbook holds the export, with a header row above the data, and upload it again.'
	);
}

function describeSheet(s: SheetInfo): string {
	return `${s.name} (${s.rows.toLocaleString('en-US')} ${s.rows === 1 ? 'row' : 'rows'})`;
}

function csvTooLarge(sheet: string, maxBytes: number): IngestError {
	return new IngestError('file_too_large', `Sheet "${sheet}" converts to more than ${formatMB(maxBytes)} of CSV, the upload limit.`, LIMIT_HINT);
}

function unpacksTooLarge(xmlBytes: number, maxBytes: number): IngestError {
	return new IngestError(
		'file_too_large',
		`The workbook unpacks to ${formatMB(xmlBytes)} of sheet data, more than ${XML_PER_CSV_BYTE} times the upload limit of ${formatMB(maxBytes)}.`,
		LIMIT_HINT
	);
}

function tooLargeToReadWhole(xmlBytes: number, reason: string): IngestError {
	return new IngestError(
		'file_too_large',
		`This workbook cannot be read row by row (${reason}), and at ${formatMB(xmlBytes)} of sheet data it is too large to read at once (the limit is ${formatMB(MAX_WHOLE_WORKBOOK_XML_BYTES)}).`,
		'Open it in Excel and save it again as .xlsx (Excel stores the parts in an order that can be read row by row), or save the sheet you need as "CSV UTF-8" and upload that file.'
	);
}

function formatMB(bytes: number): string {
	return `${(bytes / MiB).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;
}
