import { EXTERNAL_DIR } from '../helpers/external-data';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestError, type IngestErrorCode } from '../../src/lib/imports/ingest-error';
import { sniffFile } from '../../src/lib/imports/sniff-file.server';
import { detectSpreadsheet, spreadsheetToCsv, type SpreadsheetConversion } from '../../src/lib/imports/spreadsheet.server';

/**
 * The spreadsheet conversion against the real Freshdesk exports in tests/fixtures/external/freshdesk
 * (byte-for-byte copies of published files), checked against references that do not go through it:
 * the same tickets re-saved by Excel as CSV, and the raw XML of the workbook. Small workbooks
 * written here byte by byte cover what the real files do not contain.
 */
const FRESHDESK = join(EXTERNAL_DIR, 'freshdesk');
const XLS = join(FRESHDESK, '80000422910_tickets-February-04-2025-12_12.xls');
const XLS_AS_CSV = join(FRESHDESK, '80000422910_tickets-February-04-2025-12_12(Sheet1).csv');
const XLSX = join(FRESHDESK, 'Fresh_Desk_Tickets_December.xlsx');

type Record_ = Record<string, string>;

let dir: string;
let n = 0;
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'caselens-spreadsheet-'));
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

/** A fresh path in the temp dir. */
function temp(name: string): string {
	return join(dir, `${++n}-${name}`);
}

async function write(name: string, content: string | Uint8Array): Promise<string> {
	const path = temp(name);
	await writeFile(path, content);
	return path;
}

/** Converts and parses the CSV with papaparse, an independent reader. */
async function convert(path: string, options?: { sheet?: string; maxBytes?: number }): Promise<{ result: SpreadsheetConversion; rows: string[][]; text: string }> {
	const out = temp('out.csv');
	const result = await spreadsheetToCsv(path, out, options);
	const text = await readFile(out, 'utf8');
	const parsed = Papa.parse<string[]>(text, { delimiter: ',', skipEmptyLines: false });
	expect(parsed.errors).toEqual([]);
	// papaparse reads the last CRLF as the start of an empty record.
	const rows = parsed.data.filter((r, i) => !(i === parsed.data.length - 1 && r.length === 1 && r[0] === ''));
	return { result, rows, text };
}

function records(rows: string[][]): Record_[] {
	const [header, ...body] = rows;
	return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

async function expectIngestError(promise: Promise<unknown>, code: IngestErrorCode, message: RegExp): Promise<IngestError> {
	const error: unknown = await promise.then(
		() => undefined,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(IngestError);
	const e = error as IngestError;
	expect(e.code).toBe(code);
	expect(e.message).toMatch(message);
	expect(e.hint.length).toBeGreaterThan(20);
	return e;
}

/** No `.part` file left next to the output after a conversion, whatever its outcome. */
async function expectNoParts(): Promise<void> {
	expect((await readdir(dir)).filter((f) => f.endsWith('.part'))).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Handmade files: a stored (uncompressed) ZIP, written entry by entry in the order given.
// ---------------------------------------------------------------------------------------------

function zip(entries: [name: string, content: string | Buffer][]): Buffer {
	const locals: Buffer[] = [];
	const centrals: Buffer[] = [];
	let offset = 0;
	for (const [name, content] of entries) {
		const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
		const nameBytes = Buffer.from(name, 'utf8');
		const crc = crc32(data);
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4);
		local.writeUInt32LE(crc, 14);
		local.writeUInt32LE(data.length, 18);
		local.writeUInt32LE(data.length, 22);
		local.writeUInt16LE(nameBytes.length, 26);
		const central = Buffer.alloc(46);
		central.writeUInt32LE(0x02014b50, 0);
		central.writeUInt16LE(20, 4);
		central.writeUInt16LE(20, 6);
		central.writeUInt32LE(crc, 16);
		central.writeUInt32LE(data.length, 20);
		central.writeUInt32LE(data.length, 24);
		central.writeUInt16LE(nameBytes.length, 28);
		central.writeUInt32LE(offset, 42);
		locals.push(local, nameBytes, data);
		centrals.push(central, nameBytes);
		offset += local.length + nameBytes.length + data.length;
	}
	const directory = Buffer.concat(centrals);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(entries.length, 8);
	end.writeUInt16LE(entries.length, 10);
	end.writeUInt32LE(directory.length, 12);
	end.writeUInt32LE(offset, 16);
	return Buffer.concat([...locals, directory, end]);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

interface HandmadeSheet {
	name: string;
	/** The inner XML of <sheetData>. */
	rows: string;
	merges?: string[];
}

/** The parts of a minimal .xlsx, by name, so that a test can zip them in any order. */
function xlsxParts(sheets: HandmadeSheet[], options: { date1904?: boolean; sharedStrings: string[] }): Record<string, string> {
	const parts: Record<string, string> = {
		'[Content_Types].xml':
			`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('') +
			`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
		'_rels/.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		'xl/workbook.xml':
			`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${REL}">` +
			(options.date1904 ? '<workbookPr date1904="1"/>' : '<workbookPr/>') +
			`<sheets>${sheets.map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`,
		'xl/_rels/workbook.xml.rels':
			`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') +
			`<Relationship Id="rId100" Type="${REL}/styles" Target="styles.xml"/><Relationship Id="rId101" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		// Cell styles (the `s` attribute): 0 General, 1 m/d/yyyy (built-in 14), 2 m/d/yy h:mm (22),
		// 3 h:mm:ss (21), 4 [h]:mm:ss (46), 5 a custom date and time, 6 0.00%.
		'xl/styles.xml':
			`<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="${MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/></numFmts>` +
			`<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>` +
			`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
			`<cellXfs count="7">${[0, 14, 22, 21, 46, 164, 10].map((id) => `<xf numFmtId="${id}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`).join('')}</cellXfs></styleSheet>`,
		'xl/sharedStrings.xml': `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN}" count="${options.sharedStrings.length}" uniqueCount="${options.sharedStrings.length}">${options.sharedStrings.join('')}</sst>`
	};
	sheets.forEach((s, i) => {
		const merges = s.merges?.length ? `<mergeCells count="${s.merges.length}">${s.merges.map((m) => `<mergeCell ref="${m}"/>`).join('')}</mergeCells>` : '';
		parts[`xl/worksheets/sheet${i + 1}.xml`] = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}" xmlns:r="${REL}"><sheetData>${s.rows}</sheetData>${merges}</worksheet>`;
	});
	return parts;
}

function xlsx(parts: Record<string, string>, order: string[]): Buffer {
	const rest = Object.keys(parts).filter((k) => !order.includes(k));
	return zip([...order.filter((k) => k in parts), ...rest].map((k) => [k, parts[k]]));
}

/** Excel's own order: the sheets before the styles and the shared strings. */
const EXCEL_ORDER = ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', 'xl/styles.xml', 'xl/sharedStrings.xml'];
/** The shared strings and relationships first, then the sheets, then the styles and the workbook. */
const LATE_WORKBOOK_ORDER = ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', 'xl/styles.xml', 'xl/workbook.xml'];
/** The workbook first, but the styles after the sheets. */
const LATE_STYLES_ORDER = ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', 'xl/styles.xml'];

const SHARED = [
	'<si><t>Ticket</t></si>', // 0
	'<si><t>Opened</t></si>', // 1
	'<si><r><rPr><b/></rPr><t>Rich</t></r><r><t xml:space="preserve"> text</t></r></si>', // 2
	'<si><t>line one_x000D_\nline two</t></si>', // 3
	'<si><t>say "hi", twice</t></si>', // 4
	'<si><t>Ticket export, December</t></si>', // 5
	'<si><t>merged</t></si>' // 6
];

/** Sheet "Data": a title row, the header on row 3, every kind of cell, a ragged row and a merge. */
const DATA_ROWS =
	'<row r="1"><c r="A1" t="s"><v>5</v></c></row>' +
	'<row r="3"><c r="A3" t="s"><v>0</v></c><c r="B3" t="s"><v>1</v></c><c r="C3" t="inlineStr"><is><t>Value</t></is></c><c r="D3" t="inlineStr"><is><t>Note</t></is></c></row>' +
	'<row r="4"><c r="A4"><v>1001</v></c><c r="B4" s="1"><v>45665</v></c><c r="C4"><v>1.1000000000000001</v></c><c r="D4" t="s"><v>2</v></c></row>' +
	'<row r="5"><c r="A5"><v>1002</v></c><c r="B5" s="1"><v>45665.625</v></c><c r="C5"><v>0.30000000000000004</v></c><c r="D5" t="s"><v>3</v></c></row>' +
	'<row r="6"><c r="A6"><v>1003</v></c><c r="B6" s="2"><v>45665</v></c><c r="C6" t="b"><v>1</v></c><c r="D6" t="s"><v>4</v></c></row>' +
	'<row r="7"/>' +
	'<row r="8"><c r="A8"><v>1004</v></c><c r="B8" s="3"><v>0.62229166666666669</v></c><c r="C8" s="4"><v>1.5</v></c><c r="D8" t="str"><f>"A"&amp;"B"</f><v>AB</v></c></row>' +
	'<row r="9"><c r="A9"><v>1005</v></c><c r="B9" s="5"><v>45665.5</v></c><c r="C9"><f>1+2</f><v>3</v></c><c r="D9" t="e"><f>NA()</f><v>#N/A</v></c><c r="F9" t="inlineStr"><is><t>beyond the header</t></is></c></row>' +
	'<row r="10"><c r="A10"><v>1006</v></c><c r="B10" t="s"><v>6</v></c><c r="D10" s="6"><v>0.25</v></c></row>' +
	'<row r="11"><c r="A11" s="1"/><c r="B11" t="inlineStr"><is><t>   </t></is></c></row>';

/** What both readers must write for sheet "Data", by reasoning from the XML above. */
const DATA_CSV = [
	['Ticket', 'Opened', 'Value', 'Note', 'column_5', 'column_6'],
	['1001', '2025-01-08', '1.1', 'Rich text', '', ''],
	['1002', '2025-01-08 15:00:00', '0.3', 'line one\r\nline two', '', ''],
	['1003', '2025-01-08 00:00:00', 'true', 'say "hi", twice', '', ''],
	['1004', '14:56:06', '36:00:00', 'AB', '', ''],
	['1005', '2025-01-08 12:00:00', '3', '', '', 'beyond the header'],
	['1006', 'merged', '', '0.25', '', '']
];

function handmadeWorkbook(order: string[], date1904 = false): Buffer {
	const parts = xlsxParts(
		[
			{ name: 'Data', rows: DATA_ROWS, merges: ['B10:C10'] },
			{ name: 'Notes', rows: '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row>' }
		],
		{ sharedStrings: SHARED, date1904 }
	);
	return xlsx(parts, order);
}

// ---------------------------------------------------------------------------------------------

describe('detectSpreadsheet', () => {
	it('tells the Freshdesk .xls (SpreadsheetML) and the .xlsx apart by their bytes, not their names', async () => {
		expect(await detectSpreadsheet(XLS)).toBe('spreadsheetml');
		expect(await detectSpreadsheet(XLSX)).toBe('xlsx');
		const renamed = temp('tickets.csv');
		await copyFile(XLSX, renamed);
		expect(await detectSpreadsheet(renamed)).toBe('xlsx');
	});

	it('says undefined for CSV, JSON, other XML and other ZIP files', async () => {
		expect(await detectSpreadsheet(XLS_AS_CSV)).toBeUndefined();
		expect(await detectSpreadsheet(join(EXTERNAL_DIR, 'comcast_fcc_complaints.csv'))).toBeUndefined();
		expect(await detectSpreadsheet(await write('cases.json', JSON.stringify([{ case_id: '1', created_at: '2025-01-08' }])))).toBeUndefined();
		expect(await detectSpreadsheet(await write('cases.ndjson', '{"case_id":"1"}\n{"case_id":"2"}\n'))).toBeUndefined();
		// The right root name without the SpreadsheetML namespace is some other XML.
		expect(await detectSpreadsheet(await write('book.xml', '<?xml version="1.0"?><Workbook><Worksheet/></Workbook>'))).toBeUndefined();
		expect(await detectSpreadsheet(await write('report.docx', zip([['word/document.xml', '<document/>']])))).toBeUndefined();
		expect(await detectSpreadsheet(await write('empty.xlsx', ''))).toBeUndefined();
	});

	it('finds the SpreadsheetML root after a BOM, a processing instruction and comments', async () => {
		const xml = '\uFEFF<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<!-- exported -->\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet/></Workbook>';
		expect(await detectSpreadsheet(await write('book.xls', xml))).toBe('spreadsheetml');
	});
});

describe('Freshdesk "Export tickets" .xls (SpreadsheetML 2003)', () => {
	let converted: { result: SpreadsheetConversion; rows: string[][]; text: string };
	let reference: Record_[];
	let referenceHeader: string[];
	beforeAll(async () => {
		converted = await convert(XLS);
		const parsed = Papa.parse<Record_>((await readFile(XLS_AS_CSV, 'utf8')).replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true });
		expect(parsed.errors).toEqual([]);
		reference = parsed.data;
		referenceHeader = parsed.meta.fields ?? [];
	});

	it('converts its one sheet: 21 tickets, 29 columns, header on row 1', async () => {
		expect(converted.result).toEqual({ format: 'spreadsheetml', sheet: 'Sheet1', sheets: [{ name: 'Sheet1', rows: 21 }], rows: 21, headerRow: 1 });
		expect(converted.rows).toHaveLength(22);
		expect(converted.rows.every((r) => r.length === 29)).toBe(true);
		// CRLF after every record, and nothing else than UTF-8 text.
		expect(converted.text.split('\r\n')).toHaveLength(23);
		expect(converted.text).not.toMatch(/[^\r]\n/);
		await expectNoParts();
	});

	it("is a CSV the import's sniffer reads as UTF-8, comma separated, CRLF, with the same header", async () => {
		const out = temp('tickets.csv');
		await spreadsheetToCsv(XLS, out);
		const sniffed = await sniffFile(out, { maxBytes: 10 * 1024 * 1024 });
		expect([sniffed.format, sniffed.encoding, sniffed.bom, sniffed.delimiter, sniffed.lineEnding]).toEqual(['csv', 'utf-8', false, ',', 'crlf']);
		expect(sniffed.header).toEqual(converted.rows[0]);
	});

	it('has the headers and the Ticket IDs, in order, of the copy Excel saved as CSV', () => {
		expect(converted.rows[0]).toEqual(referenceHeader);
		expect(records(converted.rows).map((r) => r['Ticket ID'])).toEqual(reference.map((r) => r['Ticket ID']));
	});

	it('has the same created times, to the minute (the CSV copy is day-first without seconds)', () => {
		const dayFirst = (text: string) => {
			const [, d, m, y, h, min] = /^(\d\d)\/(\d\d)\/(\d{4}) (\d{1,2}):(\d\d)$/.exec(text) ?? [];
			return `${y}-${m}-${d} ${h?.padStart(2, '0')}:${min}`;
		};
		const ours = records(converted.rows);
		expect(ours.map((r) => r['Created time'].slice(0, 16))).toEqual(reference.map((r) => dayFirst(r['Created time'])));
		// Written with seconds, as Freshdesk wrote them (the first ticket: 2025-01-08 15:00:06).
		expect(ours[0]['Created time']).toBe('2025-01-08 15:00:06');
		expect(ours.every((r) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(r['Created time']))).toBe(true);
	});

	it('agrees with the CSV copy on every other cell, allowing for how Excel re-displays times', () => {
		// Excel parsed the text timestamps and durations on opening, and wrote them back its way:
		// day-first without seconds, and hours without a leading zero (00:00:00 -> 0:00:00).
		const normalise = (text: string) => {
			const stamp = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):\d\d$/.exec(text);
			if (stamp) return `${stamp[3]}/${stamp[2]}/${stamp[1]} ${Number(stamp[4])}:${stamp[5]}`;
			return text.replace(/^0(\d:\d\d)/, '$1');
		};
		const ours = records(converted.rows);
		const differences: string[] = [];
		ours.forEach((r, i) => {
			for (const h of referenceHeader) if (normalise(r[h]) !== reference[i][h]) differences.push(`${r['Ticket ID']} ${h}: ${r[h]} | ${reference[i][h]}`);
		});
		// The CSV copy was edited after the export: six tickets marked Resolved (with no resolved time).
		expect(differences).toEqual(['20087', '20095', '20097', '20102', '20129', '20132'].map((id) => `${id} Status: Waiting on ThingTrax | Resolved`));
	});

	it('keeps the business-hours durations and counts as written (H:MM:SS text, integers without ".0")', () => {
		const ours = records(converted.rows);
		expect(ours.every((r) => /^\d\d:\d\d:\d\d$/.test(r['First response time (in hrs)']) && /^\d\d:\d\d$/.test(r['Time tracked']))).toBe(true);
		expect(ours.every((r) => /^\d+$/.test(r['Agent interactions']) && /^\d+$/.test(r['Ticket ID']))).toBe(true);
		const byId = new Map(ours.map((r) => [r['Ticket ID'], r]));
		// Ticket 19497's raw XML holds <ss:Data ss:Type="String">02:05:11</ss:Data>; Excel's CSV copy says 2:05:11.
		expect(byId.get('19497')?.['First response time (in hrs)']).toBe(reference.find((r) => r['Ticket ID'] === '19497')?.['First response time (in hrs)'].padStart(8, '0'));
	});
});

describe('analyst workbook Fresh_Desk_Tickets_December.xlsx', () => {
	let byDefault: Awaited<ReturnType<typeof convert>>;
	let december: Awaited<ReturnType<typeof convert>>;
	beforeAll(async () => {
		byDefault = await convert(XLSX);
		december = await convert(XLSX, { sheet: 'master_data_dec' });
	});

	// The 30 column names of row 1 of both master sheets (shared strings 0-27 and 770-771):
	// Freshdesk's "Created time" split into a date column "Created" and a time column "time".
	const HEADER = [
		'Ticket ID', 'Subject', 'Status', 'Priority', 'Source', 'Type', 'Agent', 'Group', 'Created', 'time', 'Due by Time', 'Resolved time', 'Closed time',
		'Last update time', 'Initial response time', 'Time tracked', 'First response time (in hrs)', 'Resolution time (in hrs)', 'Agent interactions',
		'Customer interactions', 'Resolution status', 'First response status', 'Tags', 'Survey results', 'Association type', 'Product',
		'Every response status', 'Full name', 'Contact ID', 'Company Name'
	];

	it('lists every sheet in workbook order with its data rows; the default is the largest', () => {
		const { result } = byDefault;
		// The <sheets> of xl/workbook.xml, in order.
		expect(result.sheets.map((s) => s.name)).toEqual([
			'Graphs', 'Status', 'Top 5 with priority', 'Unresolved by Type', 'Unresolved by customer', 'Resolved by customer',
			'Unresolved by cust w priority', 'Unresolved by work catergory', 'Unresolved Top 5', 'Priority', 'Master_data_Dec', 'Master_data_Since_Jan', 'Downtime scenarios'
		]);
		expect(result.sheets.find((s) => s.name === 'Master_data_Since_Jan')?.rows).toBe(1183);
		expect(result.sheets.find((s) => s.name === 'Master_data_Dec')?.rows).toBe(59);
		expect(Math.max(...result.sheets.filter((s) => s.name !== 'Master_data_Since_Jan').map((s) => s.rows))).toBeLessThan(1183);
		expect([result.format, result.sheet, result.rows, result.headerRow]).toEqual(['xlsx', 'Master_data_Since_Jan', 1183, 1]);
	});

	it('Master_data_Since_Jan: the header, 1,183 rows of 30 fields, one per ticket', () => {
		expect(byDefault.rows[0]).toEqual(HEADER);
		expect(byDefault.rows).toHaveLength(1184);
		expect(byDefault.rows.every((r) => r.length === 30)).toBe(true);
		const ids = records(byDefault.rows).map((r) => r['Ticket ID']);
		expect(ids.every((id) => /^\d+$/.test(id))).toBe(true);
		expect(new Set(ids).size).toBe(1183);
	});

	it('Master_data_Since_Jan: cells of rows 2 and 1184 as the raw XML of xl/worksheets/sheet12.xml gives them', () => {
		// `unzip -p Fresh_Desk_Tickets_December.xlsx xl/worksheets/sheet12.xml`, shared strings resolved
		// from xl/sharedStrings.xml. I (style 9, numFmtId 14) holds a date serial, J (style 10,
		// numFmtId 21 h:mm:ss) a fraction of a day; every other timestamp and duration is text.
		// Row 2:    A 11149, I 45293, J 0.62229166666666669, K "2024-01-09 14:58:45", R "27:31:07", S 2, AC "gina.kelly@carclo-usa.com"
		// Row 1184: A 16104, I 45596, J 0.40907407407407409, K "2024-11-05 10:00:40", Q "00:21:22", W "SilAfrica"
		const excelDate = (serial: number) => new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10);
		const clock = (fraction: number) => new Date(Math.round(fraction * 86_400) * 1000).toISOString().slice(11, 19);
		const [first, last] = [byDefault.rows[1], byDefault.rows[1183]];
		const col = (name: string) => HEADER.indexOf(name);
		expect([first[col('Ticket ID')], first[col('Created')], first[col('time')], first[col('Due by Time')], first[col('Resolution time (in hrs)')], first[col('Agent interactions')], first[col('Contact ID')]]).toEqual([
			'11149', excelDate(45293), clock(0.62229166666666669), '2024-01-09 14:58:45', '27:31:07', '2', 'gina.kelly@carclo-usa.com'
		]);
		expect([first[col('Created')], first[col('time')]]).toEqual(['2024-01-02', '14:56:06']);
		// F2 is the empty shared string 37 (<t/>): an empty cell.
		expect(first[col('Type')]).toBe('');
		expect([last[col('Ticket ID')], last[col('Created')], last[col('time')], last[col('Due by Time')], last[col('First response time (in hrs)')], last[col('Tags')]]).toEqual([
			'16104', excelDate(45596), clock(0.40907407407407409), '2024-11-05 10:00:40', '00:21:22', 'SilAfrica'
		]);
		expect([last[col('Created')], last[col('time')]]).toEqual(['2024-10-31', '09:49:04']);
	});

	it('Master_data_Since_Jan: every Created is a date, every time a time of day; the durations stay text, some negative or past 999 hours', () => {
		const all = records(byDefault.rows);
		expect(all.every((r) => /^2024-\d\d-\d\d$/.test(r.Created) && /^\d\d:\d\d:\d\d$/.test(r.time))).toBe(true);
		expect(all.every((r) => /^-?\d{2,4}:\d\d:\d\d$/.test(r['First response time (in hrs)']) && /^\d{2,4}:\d\d:\d\d$/.test(r['Resolution time (in hrs)']))).toBe(true);
		expect(all.filter((r) => r['First response time (in hrs)'].startsWith('-')).length).toBe(8);
		expect(all.filter((r) => /^\d{4}:/.test(r['Resolution time (in hrs)'])).length).toBe(16);
	});

	it('Master_data_Dec by a case-insensitive name: 59 rows; the 31 styled but empty rows below are not records', () => {
		const { result, rows } = december;
		expect([result.sheet, result.rows, result.headerRow]).toEqual(['Master_data_Dec', 59, 1]);
		expect(result.sheets).toEqual(byDefault.result.sheets);
		expect(rows[0]).toEqual(HEADER);
		expect(rows).toHaveLength(60);
		// xl/worksheets/sheet11.xml, row 2: A 17508, I 45628, J 0.38521990740740741, Q "00:39:33", R "17:55:51";
		// row 60: A 18962, B "SilAfrica-Bole Machine-High", C "Waiting on Customer", I 45657, L "" (not resolved).
		expect(rows[1].slice(0, 3)).toEqual(['17508', 'Job card unable to move', 'Resolved']);
		expect([rows[1][8], rows[1][9], rows[1][16], rows[1][17]]).toEqual(['2024-12-02', '09:14:43', '00:39:33', '17:55:51']);
		expect([rows[59][0], rows[59][1], rows[59][2], rows[59][8], rows[59][11]]).toEqual(['18962', 'SilAfrica-Bole Machine-High', 'Waiting on Customer', '2024-12-31', '']);
	});

	it('an unknown sheet name is refused with the list of sheets to choose from', async () => {
		const e = await expectIngestError(spreadsheetToCsv(XLSX, temp('out.csv'), { sheet: 'Master data' }), 'bad_request', /no sheet named "Master data"/);
		expect(e.message).toContain('Master_data_Since_Jan (1,183 rows)');
		expect(e.hint).toMatch(/^Choose one of: Graphs, Status, .*Master_data_Dec, Master_data_Since_Jan, Downtime scenarios\.$/);
		await expectNoParts();
	});
});

describe('handmade workbooks', () => {
	it('every kind of cell, a title row, a ragged row and a merge, as both exceljs readers see them', async () => {
		for (const order of [EXCEL_ORDER, LATE_WORKBOOK_ORDER, LATE_STYLES_ORDER]) {
			const { result, rows } = await convert(await write('data.xlsx', handmadeWorkbook(order)));
			expect(result).toEqual({ format: 'xlsx', sheet: 'Data', sheets: [{ name: 'Data', rows: 6 }, { name: 'Notes', rows: 1 }], rows: 6, headerRow: 3 });
			expect(rows).toEqual(DATA_CSV);
		}
		await expectNoParts();
	});

	it('the two late layouts are ones exceljs streaming alone misreads (why the whole reader takes over)', async () => {
		const streamed = async (order: string[]) => {
			const rows: unknown[][] = [];
			for await (const sheet of new ExcelJS.stream.xlsx.WorkbookReader(await write('late.xlsx', handmadeWorkbook(order)), { styles: 'cache' })) {
				for await (const row of sheet) rows.push(Array.isArray(row.values) ? row.values : []);
			}
			return rows;
		};
		await expect(streamed(LATE_WORKBOOK_ORDER)).rejects.toThrow(/sheets/);
		// B4 (numFmtId 14) comes out as its serial number, not a date.
		expect((await streamed(LATE_STYLES_ORDER))[2][2]).toBe(45665);
	});

	it('picks a sheet by name; a sheet without a table is refused', async () => {
		const path = await write('data.xlsx', handmadeWorkbook(EXCEL_ORDER));
		const notes = await convert(path, { sheet: 'NOTES' });
		expect([notes.result.sheet, notes.rows]).toEqual(['Notes', [['a', 'b'], ['1', '']]]);
		const parts = xlsxParts([{ name: 'Cover', rows: '<row r="1"><c r="A1" t="inlineStr"><is><t>Only a title</t></is></c></row>' }], { sharedStrings: [] });
		const cover = await write('cover.xlsx', xlsx(parts, EXCEL_ORDER));
		await expectIngestError(spreadsheetToCsv(cover, temp('out.csv')), 'empty_file', /No sheet of the workbook holds a table/);
		await expectIngestError(spreadsheetToCsv(cover, temp('out.csv'), { sheet: 'cover' }), 'empty_file', /Sheet "Cover" holds no table/);
		await expectNoParts();
	});

	it('the 1904 date system (old Mac workbooks): serial 0 is 1 January 1904', async () => {
		const parts = xlsxParts([{ name: 'S', rows: '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row><row r="2"><c r="A2" s="1"><v>0</v></c><c r="B2" s="2"><v>44203.75</v></c></row>' }], {
			sharedStrings: [],
			date1904: true
		});
		const { rows } = await convert(await write('mac.xlsx', xlsx(parts, EXCEL_ORDER)));
		// 44203 days after 1904-01-01 is 2025-01-08, serial 45665 in the 1900 system (1462 days apart).
		expect(rows[1]).toEqual(['1904-01-01', '2025-01-08 18:00:00']);
	});

	it('a CSV larger than maxBytes is refused, and nothing is left behind', async () => {
		await expectIngestError(spreadsheetToCsv(XLSX, temp('out.csv'), { maxBytes: 100_000 }), 'file_too_large', /more than 0\.1 MB of CSV/);
		await expectNoParts();
	});
});

describe('handmade SpreadsheetML', () => {
	const XML = `<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">
 <Styles>
  <Style ss:ID="Default" ss:Name="Normal"/>
  <Style ss:ID="d"><NumberFormat ss:Format="Short Date"/></Style>
  <Style ss:ID="dt" ss:Parent="d"><NumberFormat ss:Format="General Date"/></Style>
  <Style ss:ID="child" ss:Parent="d"><Font ss:Bold="1"/></Style>
  <Style ss:ID="t"><NumberFormat ss:Format="h:mm:ss"/></Style>
  <Style ss:ID="e"><NumberFormat ss:Format="[h]:mm:ss"/></Style>
 </Styles>
 <Worksheet ss:Name="Small">
  <Table><Row><Cell><Data ss:Type="String">x</Data></Cell><Cell><Data ss:Type="String">y</Data></Cell></Row>
  <Row><Cell><Data ss:Type="Number">1</Data></Cell></Row></Table>
 </Worksheet>
 <Worksheet ss:Name="Tickets">
  <Table>
   <Row><Cell ss:MergeAcross="3"><Data ss:Type="String">Tickets &amp; times</Data></Cell></Row>
   <Row ss:Index="3">
    <Cell><Data ss:Type="String">id</Data></Cell><Cell><Data ss:Type="String">created</Data></Cell>
    <Cell><Data ss:Type="String">text</Data></Cell><Cell><Data ss:Type="String">flag</Data></Cell>
   </Row>
   <Row>
    <Cell><Data ss:Type="Number">1.1000000000000001</Data></Cell>
    <Cell ss:StyleID="child"><Data ss:Type="DateTime">2025-01-08T00:00:00.000</Data></Cell>
    <Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><Font>Bold </Font><B>&lt;move&gt;</B>&#10;done</ss:Data><Comment><Data>not a value</Data></Comment></Cell>
    <Cell><Data ss:Type="Boolean">1</Data></Cell>
   </Row>
   <Row>
    <Cell><Data ss:Type="Number">2</Data></Cell>
    <Cell ss:StyleID="dt"><Data ss:Type="DateTime">2025-01-08T15:00:00.000</Data></Cell>
    <Cell ss:Index="4"><Data ss:Type="Boolean">0</Data></Cell>
   </Row>
   <Row>
    <Cell ss:MergeDown="1"><Data ss:Type="Number">3</Data></Cell>
    <Cell ss:StyleID="t"><Data ss:Type="DateTime">1899-12-31T14:56:06.000</Data></Cell>
    <Cell ss:StyleID="e"><Data ss:Type="DateTime">1900-01-01T02:03:00.000</Data></Cell>
   </Row>
   <Row><Cell><Data ss:Type="String">under the merge</Data></Cell><Cell ss:Index="6"><Data ss:Type="String">far right</Data></Cell></Row>
   <Row><Cell><Data ss:Type="String"></Data></Cell></Row>
   <Row><Cell><Data ss:Type="DateTime">2025-01-08T00:00:00.000</Data></Cell></Row>
  </Table>
 </Worksheet>
</Workbook>`;

	it('reads styles, merges, skipped cells, formatted text and typed data; picks the sheet with most rows', async () => {
		const path = await write('tickets.xls', XML);
		expect(await detectSpreadsheet(path)).toBe('spreadsheetml');
		const { result, rows } = await convert(path);
		expect(result).toEqual({ format: 'spreadsheetml', sheet: 'Tickets', sheets: [{ name: 'Small', rows: 1 }, { name: 'Tickets', rows: 5 }], rows: 5, headerRow: 3 });
		expect(rows).toEqual([
			['id', 'created', 'text', 'flag', 'column_5', 'column_6'],
			// "Short Date" inherited from the parent style: midnight is a date alone.
			['1.1', '2025-01-08', 'Bold <move>\ndone', 'true', '', ''],
			['2', '2025-01-08 15:00:00', '', 'false', '', ''],
			// Day 0 (1899-12-31) in a time format is a time of day; [h]:mm:ss counts hours past 24.
			['3', '14:56:06', '26:03:00', '', '', ''],
			// MergeDown covers column A of the next row: its first cell lands in column B.
			['', 'under the merge', '', '', '', 'far right'],
			// No style: the time is written even at midnight.
			['2025-01-08 00:00:00', '', '', '', '', '']
		]);
	});

	it('a cut-off or broken XML spreadsheet is refused as damaged', async () => {
		const cut = await write('cut.xls', XML.slice(0, XML.indexOf('<Row ss:Index="3">') + 30));
		await expectIngestError(spreadsheetToCsv(cut, temp('out.csv')), 'malformed_file', /XML spreadsheet is damaged/);
		const broken = await write('broken.xls', XML.replace('</Row>', '</Cell>'));
		await expectIngestError(spreadsheetToCsv(broken, temp('out.csv')), 'malformed_file', /XML spreadsheet is damaged/);
		await expectNoParts();
	});
});

describe('files that are not readable workbooks', () => {
	it('a truncated .xlsx: its ZIP directory is missing', async () => {
		const bytes = await readFile(XLSX);
		const path = await write('truncated.xlsx', bytes.subarray(0, Math.floor(bytes.length / 2)));
		expect(await detectSpreadsheet(path)).toBeUndefined();
		await expectIngestError(spreadsheetToCsv(path, temp('out.csv')), 'malformed_file', /truncated or damaged/);
	});

	it('an .xlsx whose sheet XML is broken', async () => {
		const parts = xlsxParts([{ name: 'S', rows: '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1"><v>1</v></row>' }], { sharedStrings: [] });
		const path = await write('broken.xlsx', xlsx(parts, EXCEL_ORDER));
		expect(await detectSpreadsheet(path)).toBe('xlsx');
		await expectIngestError(spreadsheetToCsv(path, temp('out.csv')), 'malformed_file', /\.xlsx workbook is damaged/);
		await expectNoParts();
	});

	it('garbage, a binary Excel 97-2003 file and a ZIP that is not a workbook, each named .xlsx', async () => {
		const garbage = await write('garbage.xlsx', Buffer.from('this is not a workbook at all\n'.repeat(100)));
		await expectIngestError(spreadsheetToCsv(garbage, temp('out.csv')), 'unknown_format', /neither an \.xlsx workbook nor an Excel 2003 XML spreadsheet/);
		const ole2 = await write('old.xlsx', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]));
		await expectIngestError(spreadsheetToCsv(ole2, temp('out.csv')), 'unknown_format', /binary Excel 97-2003 workbook/);
		const other = await write('other.xlsx', zip([['word/document.xml', '<document/>']]));
		await expectIngestError(spreadsheetToCsv(other, temp('out.csv')), 'unknown_format', /ZIP archive but not an Excel workbook/);
	});
});
