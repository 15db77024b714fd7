import { isHttpError } from '@sveltejs/kit';
import { describe, expect, test } from 'vitest';
import { dateBounds, describeFilters, describePeriod, filtersToParams, parseFilters, pinPeriod, presetLabel, withDimension } from '../../src/lib/metrics/filters/model';
import { describeNotTestable, firstNotTestable, isNotTestable, notTestable } from '../../src/lib/metrics/model';

const parse = (query: string) => parseFilters(new URLSearchParams(query));

function status(query: string): number | string {
	try {
		parse(query);
		return 'accepted';
	} catch (error) {
		return isHttpError(error) ? error.status : String(error);
	}
}

describe('the period anchor in the URL', () => {
	test('presets count back from the archive unless anchor=today', () => {
		expect(parse('range=90d').anchor).toBeUndefined();
		expect(parse('range=90d&anchor=today').anchor).toBe('today');
		// An unknown anchor is the default, as an unknown range is "all".
		expect(parse('range=90d&anchor=yesterday').anchor).toBeUndefined();
	});

	test('the anchor only means something for a preset, so only a preset keeps it', () => {
		expect(parse('anchor=today').anchor).toBeUndefined();
		expect(parse('from=2023-01-01&to=2023-02-01&anchor=today').anchor).toBeUndefined();
		expect(filtersToParams({ range: 'all', anchor: 'today', dims: {} }).toString()).toBe('');
	});

	test('links keep it: parse then serialise gives the same query', () => {
		for (const query of ['range=90d&anchor=today', 'range=quarter', 'range=7d&anchor=today&batch=3&region=latam', 'from=2023-01-01&to=2023-02-01&batch=2%2C5']) {
			expect(filtersToParams(parse(query)).toString()).toBe(query);
		}
		expect(filtersToParams(withDimension(parse('range=30d&anchor=today&batch=4'), 'team', 'alpha')).toString()).toBe('range=30d&anchor=today&batch=4&team=alpha');
	});
});

describe('the import (batch) filter in the URL', () => {
	test('one or more import numbers, repeated or comma-separated, sorted and without repeats', () => {
		expect(parse('batch=3').batch).toEqual([3]);
		expect(parse('batch=4,3&batch=3&batch= 12 ').batch).toEqual([3, 4, 12]);
		expect(parse('batch=').batch).toBeUndefined();
		expect(parse('region=latam').batch).toBeUndefined();
	});

	test('anything but positive whole numbers is a 400, like an impossible date', () => {
		expect(status('batch=abc')).toBe(400);
		expect(status('batch=3,x')).toBe(400);
		expect(status('batch=0')).toBe(400);
		expect(status('batch=-2')).toBe(400);
		expect(status('batch=1.5')).toBe(400);
		expect(status('batch=1e3')).toBe(400);
		expect(status(`batch=${Array.from({ length: 51 }, (_, i) => i + 1).join(',')}`)).toBe(400);
		expect(status('batch=7')).toBe('accepted');
		expect(status('from=2026-02-30')).toBe(400);
	});
});

describe('the period in words', () => {
	const snapshot = new Date('2023-06-19T15:30:00Z');

	test('archive anchor: the last 90 days end on the snapshot day', () => {
		const f = parse('range=90d');
		expect(dateBounds(f, snapshot)).toEqual({ from: '2023-03-22', to: '2023-06-19' });
		expect(describePeriod(f, snapshot)).toBe('Last 90 days of the archive, to 2023-06-19 (from 2023-03-22)');
		expect(describePeriod(parse('range=quarter'), snapshot)).toBe('Last quarter of the archive, 2023-04-01 to 2023-06-19');
	});

	test('today anchor and the other ranges', () => {
		const today = new Date('2026-01-10T08:00:00Z');
		expect(describePeriod(parse('range=7d&anchor=today'), today)).toBe('Last 7 days, to today 2026-01-10 (from 2026-01-04)');
		expect(describePeriod(parse('range=quarter&anchor=today'), today)).toBe('This quarter, 2026-01-01 to today 2026-01-10');
		expect(describePeriod(parse(''), today)).toBe('All time');
		expect(describePeriod(parse('from=2023-01-01'), today)).toBe('From 2023-01-01');
		expect(describePeriod(parse('range=30d'), null)).toBe('Last 30 days of the archive (the archive holds no case yet)');
	});

	test('reports describe the filters with the same words, imports included', () => {
		expect(describeFilters(parse('range=90d&batch=3,4&region=latam'), snapshot)).toBe('Last 90 days of the archive, to 2023-06-19 (from 2023-03-22) · imports #3 or #4 · region latam');
		expect(describeFilters(parse('batch=9'), snapshot)).toBe('All time · import #9');
	});

	test('the period menu says what each preset counts back from', () => {
		expect(presetLabel('90d')).toBe('Last 90 days of the archive');
		expect(presetLabel('90d', 'today')).toBe('Last 90 days');
		expect(presetLabel('quarter')).toBe('Last quarter of the archive');
		expect(presetLabel('all', 'today')).toBe('All time');
	});

	test('a stored sample pins a preset to the days it meant', () => {
		expect(pinPeriod(parse('range=90d&batch=2'), snapshot)).toEqual({ range: 'custom', from: '2023-03-22', to: '2023-06-19', anchor: undefined, batch: [2], dims: {} });
		const custom = parse('from=2023-01-01');
		expect(pinPeriod(custom, snapshot)).toBe(custom);
	});
});

describe('the not-testable state', () => {
	test('one shape, the first failing check wins, one line for text outputs', () => {
		const a = notTestable('no case has an outcome', 'map a column to outcome when importing');
		expect(a).toEqual({ status: 'not_testable', reason: 'no case has an outcome', fix: 'map a column to outcome when importing' });
		expect(isNotTestable(a)).toBe(true);
		expect(isNotTestable({ status: 'ok' })).toBe(false);
		expect(isNotTestable(null)).toBe(false);
		expect(firstNotTestable(null, false, a, notTestable('later', 'x'))).toBe(a);
		expect(firstNotTestable(null, false, undefined)).toBeNull();
		expect(describeNotTestable(a)).toBe('Not testable: no case has an outcome. To fix: map a column to outcome when importing.');
	});
});
