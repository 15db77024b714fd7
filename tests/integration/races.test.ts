import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { safeNext } from '../../src/lib/core/auth/safe-next';
import { allowLoginAttempt, throttledAddresses } from '../../src/lib/core/auth/login-throttle.server';
import { addUser, attemptLogin } from '../../src/lib/core/auth/users.server';
import { withLock } from '../../src/lib/core/keyed-lock';
import { currentPolicy, PolicyConflict, updatePolicy } from '../../src/lib/core/policy/policy.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

// Writes that raced (parallel wrong passwords, simultaneous policy saves, a save on a stale form)
// against a real DuckDB, plus the pure guards beside them.

let f: IngestFixture;
beforeAll(async () => {
	f = await ingestFixture();
});
afterAll(async () => {
	await f.dispose();
});

describe('policy saves', () => {
	test('three simultaneous saves all land, as three consecutive versions', async () => {
		const { version, policy } = await currentPolicy(f.db);
		const versions = await Promise.all([1, 2, 3].map((i) => updatePolicy(f.db, { ...policy, refund_max_days: 10 + i }, `race ${i}`, `admin-${i}`)));
		expect([...versions].sort()).toEqual([version + 1, version + 2, version + 3]);
	});

	test('a save made on a form loaded before another save is refused, naming who changed it and when', async () => {
		const { version, policy } = await currentPolicy(f.db);
		await updatePolicy(f.db, { ...policy, return_window_days: 61 }, 'first', 'alice', version);
		const stale = updatePolicy(f.db, { ...policy, return_window_days: 59 }, 'second', 'bob', version);
		await expect(stale).rejects.toBeInstanceOf(PolicyConflict);
		await expect(stale).rejects.toThrow(/changed by alice at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \(version \d+\)/);
		await expect(stale).rejects.toMatchObject({ code: 'conflict', status: 409, hint: expect.stringMatching(/^Reload the page/) });
		expect((await currentPolicy(f.db)).policy.return_window_days).toBe(61);
	});
});

test('parallel wrong passwords each count: the account locks and no attempt fails with a conflict', async () => {
	await addUser(f.db, { username: 'racer', role: 'viewer', password: 'racer-password-1' }, 'test');
	const results = await Promise.all(Array.from({ length: 15 }, () => attemptLogin(f.db, 'racer', 'wrong')));
	expect(results.every((r) => !r.ok)).toBe(true);
	expect(results.filter((r) => !r.ok && r.reason === 'locked').length).toBe(11);
	const right = await attemptLogin(f.db, 'racer', 'racer-password-1');
	expect(right.ok ? 'signed in' : right.reason).toBe('locked');
});

test('withLock runs work for one key one at a time, and other keys alongside', async () => {
	const log: string[] = [];
	const step = (name: string, ms: number) => () => new Promise<void>((r) => setTimeout(() => (log.push(name), r()), ms));
	await Promise.all([withLock('a', step('a1', 30)), withLock('a', step('a2', 1)), withLock('b', step('b1', 5))]);
	expect(log).toEqual(['b1', 'a1', 'a2']);
	await expect(withLock('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
	expect(await withLock('a', async () => 'after a failure')).toBe('after a failure');
});

test.each([
	['/speed?range=30d', '/speed?range=30d'],
	['/\\evil.example', '/'],
	['/%5Cevil.example', '/'],
	['/%09/evil.example', '/'],
	['//evil.example', '/'],
	['/%2F/evil.example', '/'],
	['https://evil.example/', '/'],
	['', '/'],
	['/cases/case-1#x', '/cases/case-1#x']
])('safeNext(%j) = %j', (next, expected) => {
	expect(safeNext(next)).toBe(expected);
});

test('the login throttle forgets addresses once their minute has passed', () => {
	const t0 = 1_000_000_000_000;
	for (let i = 0; i < 50; i++) allowLoginAttempt(`10.0.0.${i}`, t0);
	expect(throttledAddresses()).toBeGreaterThanOrEqual(50);
	allowLoginAttempt('10.0.1.1', t0 + 61_000);
	expect(throttledAddresses()).toBe(1);
});
