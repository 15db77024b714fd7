import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ImportKind } from '../../src/lib/imports/canonical-columns';
import type { ColumnMapping } from '../../src/lib/imports/column-mapping';
import { IngestError } from '../../src/lib/imports/ingest-error';
import { addValueMapping, checkMapping, draftFromHeaders, draftFromMapping, mappingFromDraft, unmappedRequired } from '../../src/lib/imports/mapping-draft';
import { PRESETS } from '../../src/lib/imports/presets';

/** Every key a mapping can hold, on purpose in one mapping. */
const EVERYTHING: ColumnMapping = {
	name: 'everything',
	kind: 'cases',
	lenient: true,
	null_values: ['?', 'n/a'],
	timezone: 'Europe/Berlin',
	duplicates: 'merge',
	not_a_record: { header: 'Kind', values: ['', 'note'], reason: 'internal notes are not cases' },
	lookups: { accounts: { key: 'Id', description: 'the Account export' }, teams: { key: 'Team Id' } },
	columns: {
		case_id: 'Ticket',
		created_at: { join: ['Date', 'Time'], format: ['%d/%m/%Y %H:%M', '%d/%m/%Y'] },
		first_response_at: { from: 'First reply', format: '%Y-%m-%d %H:%M:%S', otherwise: { from: 'Reply minutes', after: { column: 'created_at', unit: 'minutes' }, basis: 'business_hours', zero_is_empty: true } },
		resolved_at: { first_of: ['Solved', 'Closed'], otherwise: { from: 'Resolution hours', after: { column: 'created_at', unit: 'hours' } } },
		status: { from: 'State', values: { Open: 'open', 'On hold': 'pending', Deleted: '' }, default: 'open' },
		region: { first_of: ['Region'], default: 'unknown' },
		country: { from: 'Country', otherwise: { lookup: { table: 'accounts', key: 'AccountId', value: 'BillingCountry' } } },
		team: { lookup: { table: 'teams', key: 'TeamId', value: 'Name' }, default: 'none' },
		category: { first_of: ['Type', 'Category'], otherwise: { from: 'Tags', first_word: true }, default: 'uncategorized' },
		customer_since: { from: 'Signed up', format: '%d.%m.%Y' },
		currency: { default: 'EUR' }
	}
};

function roundTrip(kind: ImportKind, mapping: ColumnMapping): ColumnMapping {
	return mappingFromDraft(draftFromMapping(kind, mapping));
}

describe('mapping draft', () => {
	test('a mapping with every key opens in the editor and comes out the same', () => {
		expect(roundTrip('cases', EVERYTHING)).toEqual(EVERYTHING);
	});

	test('the draft of a mapping holds each part where the editor shows it', () => {
		const draft = draftFromMapping('cases', EVERYTHING);
		expect(Object.keys(draft.columns)).toHaveLength(30);
		expect(draft.columns.created_at.sources).toEqual([expect.objectContaining({ combine: 'join', headers: ['Date', 'Time'], formats: ['%d/%m/%Y %H:%M', '%d/%m/%Y'] })]);
		expect(draft.columns.first_response_at.sources[1]).toEqual(expect.objectContaining({ headers: ['Reply minutes'], after: { column: 'created_at', unit: 'minutes' }, basis: 'business_hours', zero_is_empty: true }));
		expect(draft.columns.status.sources[0].values).toEqual([
			{ from: 'Open', to: 'open' },
			{ from: 'On hold', to: 'pending' },
			{ from: 'Deleted', to: '' }
		]);
		expect(draft.columns.status.fallback).toBe('open');
		expect(draft.columns.team.sources[0]).toEqual(expect.objectContaining({ headers: ['TeamId'], lookup: { table: 'teams', value: 'Name' } }));
		expect(draft.columns.currency.sources).toHaveLength(1);
		expect(draft.columns.currency.sources[0].headers).toEqual([]);
		expect(draft.columns.subject.sources[0].headers).toEqual([]);
		expect(draft.lookups).toEqual([
			{ name: 'accounts', key: 'Id', description: 'the Account export' },
			{ name: 'teams', key: 'Team Id', description: '' }
		]);
	});

	test('every preset opens in the editor and comes out the same', () => {
		for (const [name, preset] of Object.entries(PRESETS)) {
			for (const kind of ['cases', 'feedback'] as const) {
				const mapping = preset[kind];
				if (mapping) expect(roundTrip(kind, mapping), `${name} ${kind}`).toEqual(mapping);
			}
		}
	});

	test('every mapping file in config/mappings opens in the editor and comes out the same', () => {
		const dir = 'config/mappings';
		const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
		expect(files.length).toBeGreaterThanOrEqual(5);
		for (const file of files) {
			const { mapping } = checkMapping(JSON.parse(readFileSync(join(dir, file), 'utf8')));
			expect(roundTrip(mapping.kind ?? 'cases', mapping), file).toEqual(mapping);
		}
	});

	test('a draft edited in the editor survives a save and a reopen', () => {
		const draft = draftFromHeaders('cases', ['Ticket', 'Created', 'State', 'Via']);
		draft.name = 'my-desk';
		draft.columns.created_at.sources[0].formats = ['%d/%m/%Y %H:%M'];
		draft.columns.resolved_at.sources[0] = { ...draft.columns.resolved_at.sources[0], headers: ['Minutes'], after: { column: 'created_at', unit: 'minutes' } };
		draft.null_values = ['-'];
		addValueMapping(draft, 'status', 'On Hold', 'pending');
		addValueMapping(draft, 'status', 'on hold', 'open');
		const saved = mappingFromDraft(draft);
		expect(saved.columns.status).toEqual({ from: 'State', values: { 'on hold': 'open' } });
		expect(saved.columns.case_id).toBe('Ticket');
		expect(saved.columns.channel).toBe('Via');
		expect(saved.columns.region).toEqual({ default: 'unknown' });
		expect(saved.columns.resolved_at).toEqual({ from: 'Minutes', after: { column: 'created_at', unit: 'minutes' } });
		expect(draftFromMapping('cases', saved)).toEqual(draft);
	});

	test('incomplete rows are left out, empty sources dropped from a chain', () => {
		const draft = draftFromHeaders('feedback', ['id', 'submitted', 'score']);
		expect(draft.columns.kind.fallback).toBe('survey');
		draft.columns.csat.sources[0].values = [
			{ from: '', to: '5' },
			{ from: 'Good', to: '5' }
		];
		draft.columns.comment.sources = [{ ...draft.columns.comment.sources[0], headers: [] }, { ...draft.columns.comment.sources[0], headers: ['text'] }];
		draft.columns.csat.sources[0].formats = [' '];
		const mapping = mappingFromDraft(draft);
		expect(mapping.name).toBe('custom');
		expect(mapping.columns.csat).toEqual({ from: 'score', values: { Good: '5' } });
		expect(mapping.columns.comment).toBe('text');
	});

	test('required columns without a header or a default are named', () => {
		const draft = draftFromHeaders('cases', ['Ticket', 'When']);
		expect(unmappedRequired(draft)).toEqual(['created_at', 'status']);
		draft.columns.created_at.sources[0].headers = ['When'];
		draft.columns.status.fallback = 'open';
		expect(unmappedRequired(draft)).toEqual([]);
	});

	test('checkMapping names the key that is wrong', () => {
		const wrong = (value: unknown, needle: string) => {
			let caught: unknown;
			try {
				checkMapping(value);
			} catch (error) {
				caught = error;
			}
			expect(caught).toBeInstanceOf(IngestError);
			expect((caught as IngestError).code).toBe('bad_mapping');
			expect((caught as IngestError).message).toContain(needle);
		};
		wrong(null, 'must be an object');
		wrong({ columns: { case_id: { from: 5 } } }, 'columns.case_id.from must be text, not 5');
		wrong({ columns: { case_id: { join: [] } } }, 'at least one header');
		wrong({ columns: { status: { from: 'S', otherwise: { first_of: ['A', 7] } } } }, 'columns.status.otherwise.first_of[1]');
		wrong({ columns: { resolved_at: { from: 'M', after: { column: 'status', unit: 'minutes' } } } }, 'time column');
		wrong({ columns: {}, duplicates: 'keep' }, 'reject, merge');
		wrong({ columns: {}, not_a_record: { header: 'X', values: 'a', reason: 'r' } }, 'not_a_record.values');
		wrong({ columns: {}, lookups: { a: 'Id' } }, 'lookups.a');
		wrong({ columns: {}, timezone: 'Mars/Olympus' }, 'timezone must be a time zone name such as "Europe/Berlin"');
		expect(checkMapping({ columns: {}, timezone: 'America/New_York' }).mapping.timezone).toBe('America/New_York');
		expect(checkMapping({ columns: { case_id: 'Id' } }).mapping).toEqual({ name: 'custom', columns: { case_id: 'Id' } });
	});
});
