import Papa from 'papaparse';

export interface FilePreview {
	format: 'csv' | 'json' | 'ndjson' | 'parquet' | 'workbook';
	headers: string[];
	rows: string[][];
	delimiter?: string;
	/** Why there is no table preview (binary formats are checked on the server). */
	note?: string;
}

const PREVIEW_ROWS = 10;

function extension(name: string): string {
	return name.toLowerCase().split('.').pop() ?? '';
}

/** Reads only the start of the file in the browser, so a multi-GB export previews instantly. */
export async function previewFile(file: File): Promise<FilePreview> {
	const ext = extension(file.name);
	const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
	if (ext === 'parquet' || String.fromCharCode(...head) === 'PAR1') {
		return { format: 'parquet', headers: [], rows: [], note: 'Parquet: columns are read on the server; choose a preset or map columns after the first attempt.' };
	}
	// Excel workbooks (.xlsx is a ZIP; Freshdesk's .xls is Excel 2003 XML) are read on the server.
	const start = (await file.slice(0, 64 * 1024).text()).replace(/^\uFEFF/, '').trimStart();
	if (ext === 'xlsx' || String.fromCharCode(...head.slice(0, 2)) === 'PK' || (start.startsWith('<?xml') && start.includes('urn:schemas-microsoft-com:office:spreadsheet'))) {
		return { format: 'workbook', headers: [], rows: [], note: 'Excel workbook: the server reads one sheet (the one with the most rows unless you name another below) and reports which; presets are recognised from its header row.' };
	}
	if (start.startsWith('[') || start.startsWith('{')) {
		return previewJson(start);
	}
	return new Promise((resolve, reject) => {
		Papa.parse<string[]>(file, {
			preview: PREVIEW_ROWS + 1,
			skipEmptyLines: 'greedy',
			complete(result) {
				const [headers = [], ...rows] = result.data;
				resolve({ format: 'csv', headers: headers.map((h) => h.trim()), rows, delimiter: result.meta.delimiter });
			},
			error: reject
		});
	});
}

function previewJson(start: string): FilePreview {
	const ndjson = start.startsWith('{');
	const objects: Record<string, unknown>[] = [];
	if (ndjson) {
		for (const line of start.split('\n').slice(0, PREVIEW_ROWS)) {
			try {
				objects.push(JSON.parse(line) as Record<string, unknown>);
			} catch {
				break;
			}
		}
	} else {
		try {
			objects.push(...(JSON.parse(start) as Record<string, unknown>[]).slice(0, PREVIEW_ROWS));
		} catch {
			// A large array is cut off in the first 64 KiB; the keys of the first object are enough.
			const first = /\{[^{}]*\}/.exec(start)?.[0];
			if (first) objects.push(JSON.parse(first) as Record<string, unknown>);
		}
	}
	const headers = [...new Set(objects.flatMap((o) => Object.keys(o)))];
	return {
		format: ndjson ? 'ndjson' : 'json',
		headers,
		rows: objects.map((o) => headers.map((h) => (o[h] === null || o[h] === undefined ? '' : String(o[h]))))
	};
}
