/**
 * A small seeded pseudo-random generator for the demo data (sfc32, seeded through splitmix32),
 * plus the few distributions the generator needs. Same seed => same sequence on every platform:
 * only 32-bit integer arithmetic and IEEE doubles are involved, never `Math.random`.
 */

/** splitmix32 step: turns any 32-bit seed into well-mixed state words. */
function splitmix32(state: { s: number }): number {
	state.s = (state.s + 0x9e3779b9) | 0;
	let z = state.s;
	z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
	z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
	return (z ^ (z >>> 16)) >>> 0;
}

/** A stateless 32-bit integer hash (lowbias32); used to derive per-entity attributes. */
export function hash32(x: number): number {
	x = x >>> 0;
	x ^= x >>> 16;
	x = Math.imul(x, 0x7feb352d);
	x ^= x >>> 15;
	x = Math.imul(x, 0x846ca68b);
	x ^= x >>> 16;
	return x >>> 0;
}

/** `hash32` of two values, as a uniform number in [0, 1). */
export function hashUnit(a: number, b: number): number {
	return hash32(hash32(a) ^ Math.imul(b | 0, 0x9e3779b1)) / 4294967296;
}

/** Cumulative, normalised weights for `Rng.weighted`. */
export type Cumulative = Float64Array;

export function cumulative(weights: readonly number[]): Cumulative {
	let total = 0;
	for (const w of weights) {
		if (!(w >= 0)) throw new RangeError(`weights must be non-negative numbers, got ${w}`);
		total += w;
	}
	if (total <= 0) throw new RangeError('weights must not all be zero');
	const out = new Float64Array(weights.length);
	let acc = 0;
	for (let i = 0; i < weights.length; i++) {
		acc += weights[i];
		out[i] = acc / total;
	}
	out[weights.length - 1] = 1;
	return out;
}

/** Index for a uniform `u` in [0, 1) under cumulative weights `cum`. */
export function pickIndex(cum: Cumulative, u: number): number {
	const n = cum.length;
	if (n <= 12) {
		for (let i = 0; i < n - 1; i++) if (u < cum[i]) return i;
		return n - 1;
	}
	// First index whose cumulative weight exceeds u.
	let lo = 0;
	let hi = n - 1;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (u < cum[mid]) hi = mid;
		else lo = mid + 1;
	}
	return lo;
}

export class Rng {
	private a: number;
	private b: number;
	private c: number;
	private d: number;
	private spare = NaN;

	constructor(seed: number) {
		const st = { s: seed | 0 };
		this.a = splitmix32(st);
		this.b = splitmix32(st);
		this.c = splitmix32(st);
		this.d = splitmix32(st) | 1;
		for (let i = 0; i < 16; i++) this.u32();
	}

	/** Next 32-bit unsigned integer (sfc32). */
	u32(): number {
		const a = this.a,
			b = this.b,
			c = this.c,
			d = this.d;
		const t = (((a + b) | 0) + d) | 0;
		this.d = (d + 1) | 0;
		this.a = b ^ (b >>> 9);
		this.b = (c + (c << 3)) | 0;
		const r = (c << 21) | (c >>> 11);
		this.c = (r + t) | 0;
		return t >>> 0;
	}

	/** Uniform double in [0, 1). */
	next(): number {
		return this.u32() / 4294967296;
	}

	/** Uniform integer in [0, n). */
	int(n: number): number {
		return Math.floor(this.next() * n);
	}

	/** Uniform double in [lo, hi). */
	range(lo: number, hi: number): number {
		return lo + (hi - lo) * this.next();
	}

	chance(p: number): boolean {
		return this.next() < p;
	}

	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)];
	}

	/** Index drawn under cumulative weights (see `cumulative`). */
	weighted(cum: Cumulative): number {
		return pickIndex(cum, this.next());
	}

	/** Standard normal (Box-Muller, keeping the second value for the next call). */
	normal(): number {
		if (this.spare === this.spare) {
			const s = this.spare;
			this.spare = NaN;
			return s;
		}
		let u = 0;
		while (u === 0) u = this.next();
		const v = this.next();
		const r = Math.sqrt(-2 * Math.log(u));
		this.spare = r * Math.sin(2 * Math.PI * v);
		return r * Math.cos(2 * Math.PI * v);
	}

	/** Log-normal with the given median and log-scale standard deviation. */
	lognormal(median: number, sigma: number): number {
		return median * Math.exp(sigma * this.normal());
	}

	/** Exponential with the given mean. */
	exponential(mean: number): number {
		return -mean * Math.log(1 - this.next());
	}
}
