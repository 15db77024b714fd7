import { it } from 'vitest';
import { kmSummary } from '/work/main/src/lib/stats/kaplan-meier';
it('bench', () => {
	for (const n of [100_000, 1_000_000]) {
		const times = new Float64Array(n), events = new Float64Array(n), censored = new Float64Array(n);
		for (let i = 0; i < n; i++) { times[i] = i + 1; events[i] = (i * 7) % 5; censored[i] = (i * 3) % 3; }
		for (let rep = 0; rep < 3; rep++) {
			const t0 = performance.now();
			const s = kmSummary({ times, events, censored }, [0.5, 0.9]);
			const t1 = performance.now();
			kmSummary({ times, events, censored }, [0.5, 0.9], { rule: 'quantile' });
			console.log(n, 'print', (t1 - t0).toFixed(1), 'ms; quantile', (performance.now() - t1).toFixed(1), 'ms', s.quantiles[0].estimate);
		}
	}
});
