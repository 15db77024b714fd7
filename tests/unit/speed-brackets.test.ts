import { describe, expect, test } from 'vitest';
import { bracketDistribution, bracketLowerHours } from '../../src/lib/metrics/speed/model';

describe('brackets from exports that give ranges instead of times', () => {
	test.each([
		['0-1 hrs', 0],
		['1-8 hrs', 1],
		['8-24 hrs', 8],
		['1-7 days', 24],
		['7-30 days', 168],
		['>30 days', 720],
		['< 5 minutes', 0],
		[' No replies', null],
		[' Unsolved', null],
		['Solved', null]
	])('%s starts at %s h', (label, hours) => {
		expect(bracketLowerHours(label)).toBe(hours);
	});

	test('ordered by time, non-time brackets last, shares and the median bracket', () => {
		const d = bracketDistribution([
			{ bracket: '>30 days', cases: 5 },
			{ bracket: 'No replies', cases: 30 },
			{ bracket: '0-1 hrs', cases: 40 },
			{ bracket: '1-8 hrs', cases: 15 },
			{ bracket: '8-24 hrs', cases: 10 }
		]);
		expect(d.rows.map((r) => r.bracket)).toEqual(['0-1 hrs', '1-8 hrs', '8-24 hrs', '>30 days', 'No replies']);
		expect(d.rows.map((r) => r.cumulative)).toEqual([0.4, 0.55, 0.65, 0.7, 1]);
		// 40% answered within an hour, 55% within 8 hours: the median is in "1-8 hrs".
		expect(d.median).toBe('1-8 hrs');
		expect(d.without_time).toBe(30);
	});

	test('when most cases have no reply, the median bracket is the no-reply one', () => {
		expect(bracketDistribution([{ bracket: '0-1 hrs', cases: 2 }, { bracket: 'No replies', cases: 3 }]).median).toBe('No replies');
		expect(bracketDistribution([]).median).toBeNull();
	});
});
