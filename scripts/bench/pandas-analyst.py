#!/usr/bin/env python3
"""The analyst's alternative to Caselens, for `npm run bench:pandas` (scripts/bench/pandas.ts).

    python3 scripts/bench/pandas-analyst.py CASES.csv FEEDBACK.csv [POLICY.json RATES.json]

What a competent analyst would write with pandas 1.5 and scipy 1.10 (Debian's python3-pandas and
python3-scipy, nothing else) to get the numbers of `caselens metrics all --by region`
(src/cli/commands/metrics.ts) from the same demo export: speed of first response and resolution,
the compliance rules, CSAT, consistency of outcomes and fairness across groups. It is meant as a
fair reference, not a straw man: only the columns the metrics read are loaded, low-cardinality
columns are categoricals, timestamps are parsed with their explicit format, and everything is a
vectorised groupby; scipy only runs the tests on small count tables or per group.

It computes comparable work, not identical numbers (see README.md, "Tests and benchmarks"):
- speed: observed median and p90 of answered (resolved) cases, not Kaplan-Meier; the share
  within target on calendar time only: Caselens also counts business hours per region calendar,
  which in pandas would need a per-region holiday calendar and is what an analyst would skip;
- fairness: group against the rest, directly standardised over case type x channel with a normal
  test on the difference (Caselens: CMH and van Elteren tests, and re-tests after excluding flagged
  groups), plus a Kruskal-Wallis (times) or chi-square (rates) test across the groups per dimension.

Prints one JSON object: load_seconds (both CSVs read and typed), compute_seconds (every number),
import_seconds (pandas and scipy imported), the sizes of what was computed and a few headline
numbers to set beside Caselens's.
"""
import time

_started = time.perf_counter()

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

IMPORT_SECONDS = time.perf_counter() - _started

ROOT = Path(__file__).resolve().parents[2]
TIME_FORMAT = '%Y-%m-%d %H:%M:%S'
FAVOURABLE = ['approved', 'partially_approved', 'refunded', 'replaced']
CONSISTENCY_DIMENSIONS = {'region': 'region', 'team': 'team', 'agent': 'agent_id', 'channel': 'channel'}
CASE_TIMES = ['created_at', 'first_response_at', 'resolved_at', 'delivered_at', 'refund_issued_at']
CASE_CATEGORIES = ['status', 'region', 'channel', 'stage', 'category', 'root_cause', 'agent_id', 'team', 'currency', 'outcome']
CASE_COLUMNS = ['case_id', *CASE_TIMES, *CASE_CATEGORIES, 'customer_since', 'order_value', 'return_shipping_fee']
FLAG_Q = 0.05
MIN_EXPECTED = 5


def load(cases_path, feedback_path):
    dtypes = {c: 'category' for c in CASE_CATEGORIES}
    dtypes.update(case_id='object', order_value='float64', return_shipping_fee='float64')
    cases = pd.read_csv(cases_path, usecols=CASE_COLUMNS, dtype=dtypes)
    for c in CASE_TIMES:
        cases[c] = pd.to_datetime(cases[c], format=TIME_FORMAT)
    cases['customer_since'] = pd.to_datetime(cases['customer_since'], format='%Y-%m-%d')
    feedback = pd.read_csv(
        feedback_path,
        usecols=['case_id', 'submitted_at', 'kind', 'csat', 'region'],
        dtype={'case_id': 'object', 'kind': 'category', 'csat': 'float64', 'region': 'category'},
    )
    feedback['submitted_at'] = pd.to_datetime(feedback['submitted_at'], format=TIME_FORMAT)
    return cases, feedback


def week_of(ts):
    """Monday of the timestamp's week, as DuckDB's date_trunc('week') gives it."""
    day = ts.dt.normalize()
    return day - pd.to_timedelta(day.dt.dayofweek, unit='D')


def wilson(k, n, z=1.959963984540054):
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide='ignore', invalid='ignore'):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def benjamini_hochberg(p):
    """q-values; NaN stays NaN (scipy.stats.false_discovery_control arrived in scipy 1.11)."""
    p = np.asarray(p, dtype=float)
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    if ok.size == 0:
        return q
    order = ok[np.argsort(p[ok])]
    m = ok.size
    ranked = p[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(1, np.minimum.accumulate(ranked[::-1])[::-1])
    return q


def records(frame):
    return json.loads(frame.reset_index().to_json(orient='records'))


# ---------------------------------------------------------------------------------------------
# Speed
# ---------------------------------------------------------------------------------------------

def speed(cases, snapshot, measure, event, policy):
    targets = policy['targets']
    hours = targets[f'{measure}_hours']
    own = {ch: t[f'{measure}_hours'] for ch, t in targets.get('channels', {}).items() if f'{measure}_hours' in t}
    created = cases['created_at']
    dur = (cases[event] - created).dt.total_seconds() / 3600
    answered = dur.notna()
    age = (snapshot - created).dt.total_seconds() / 3600
    target = cases['channel'].map(own).astype('float64').fillna(hours) if own else pd.Series(float(hours), index=cases.index)
    # Calendar time only: business hours need each region's calendar (see the docstring).
    late = np.where(answered, dur > target, age > target)
    frame = pd.DataFrame({
        'region': cases['region'], 'week': week_of(created), 'dur': dur, 'answered': answered,
        'within': answered & ~late, 'breached': late,
    })

    def summary(groups):
        counts = groups.agg(n=('answered', 'size'), answered=('answered', 'sum'), within=('within', 'sum'), breached=('breached', 'sum'), mean=('dur', 'mean'))
        q = groups['dur'].quantile([0.5, 0.9]).unstack()
        counts['median'] = q[0.5]
        counts['p90'] = q[0.9]
        counts['open_share'] = 1 - counts['answered'] / counts['n']
        counts['within_share'] = counts['within'] / (counts['within'] + counts['breached'])
        return counts

    by_region = summary(frame.groupby('region', observed=True))
    trend = summary(frame.groupby('week'))
    overall = {
        'n': int(len(frame)), 'answered': int(answered.sum()), 'median': float(dur.median()), 'p90': float(dur.quantile(0.9)),
        'mean': float(dur.mean()), 'within_share': float(frame['within'].sum() / (frame['within'].sum() + frame['breached'].sum())),
    }
    return {'overall': overall, 'groups': records(by_region), 'trend': records(trend)}


# ---------------------------------------------------------------------------------------------
# Compliance
# ---------------------------------------------------------------------------------------------

def compliance(cases, snapshot, policy):
    created, outcome = cases['created_at'], cases['outcome']
    return_days = np.floor((created - cases['delivered_at']).dt.total_seconds() / 86400)
    is_return = (cases['category'] == 'return_request') & cases['delivered_at'].notna() & outcome.notna()
    refund_days = (cases['refund_issued_at'] - cases['resolved_at'].fillna(created)).dt.total_seconds() / 86400
    refunded = cases['refund_issued_at'].notna()
    claim = cases['stage'] == 'post_purchase'
    window = policy['return_window_days']
    rules = {
        'in_window_return_denied': (is_return, is_return & (return_days <= window) & (outcome == 'denied')),
        'late_refund': (refunded, refunded & (refund_days > policy['refund_max_days'])),
        'return_fee_charged': (cases['return_shipping_fee'].notna(), cases['return_shipping_fee'] > 0 if policy['free_returns'] else False),
        'stale_claim': (claim, claim & outcome.isna() & ((snapshot - created).dt.total_seconds() / 86400 > policy['claim_outcome_limit_days'])),
        'out_of_window_return_approved': (is_return, is_return & (return_days > window) & outcome.isin(FAVOURABLE)),
    }
    flags = pd.DataFrame({'region': cases['region']})
    for rule, (eligible, flagged) in rules.items():
        flags[f'{rule}__e'] = eligible
        flags[f'{rule}__f'] = flagged
    by_region = flags.groupby('region', observed=True).sum()
    total = by_region.sum()
    out = []
    for rule in rules:
        e, f = total[f'{rule}__e'], total[f'{rule}__f']
        low, high = wilson(f, e)
        out.append({'rule': rule, 'eligible': int(e), 'flagged': int(f), 'rate': float(f / e) if e else None, 'ci_low': float(low), 'ci_high': float(high)})
        by_region[f'{rule}__rate'] = by_region[f'{rule}__f'] / by_region[f'{rule}__e']
    days = refund_days[refunded & (refund_days >= 0)]
    histogram = np.floor(days).clip(upper=20).astype(int).value_counts().reindex(range(21), fill_value=0)
    return {'rules': out, 'groups': records(by_region), 'refund_days': histogram.tolist()}


# ---------------------------------------------------------------------------------------------
# Satisfaction
# ---------------------------------------------------------------------------------------------

def csat(answers):
    frame = pd.DataFrame({
        'region': answers['region_case'].astype('object').fillna(answers['region'].astype('object')),
        'week': week_of(answers['submitted_at']), 'survey': answers['kind'] == 'survey',
        'rated': answers['csat'].notna(), 'satisfied': answers['csat'] >= 4, 'score': answers['csat'],
    })

    def summary(groups):
        s = groups.agg(answers=('rated', 'size'), surveys=('survey', 'sum'), rated=('rated', 'sum'), satisfied=('satisfied', 'sum'), mean=('score', 'mean'))
        s['csat'] = s['satisfied'] / s['rated']
        s['response_rate'] = s['rated'] / s['surveys']
        s['ci_low'], s['ci_high'] = wilson(s['satisfied'], s['rated'])
        return s

    # Answers whose case and own record both lack a region stay a group of their own, as in Caselens.
    by_region = summary(frame.groupby('region', dropna=False))
    trend = summary(frame.groupby('week'))
    rated, satisfied = int(frame['rated'].sum()), int(frame['satisfied'].sum())
    low, high = wilson(satisfied, rated)
    overall = {'rated': rated, 'csat': satisfied / rated, 'ci_low': float(low), 'ci_high': float(high), 'mean': float(frame['score'].mean()), 'response_rate': rated / int(frame['survey'].sum())}
    return {'overall': overall, 'groups': records(by_region), 'trend': records(trend)}


# ---------------------------------------------------------------------------------------------
# Consistency
# ---------------------------------------------------------------------------------------------

def chi_square(table):
    """Cressie-Read homogeneity test, outcomes the smallest group would expect fewer than 5 times pooled (Cochran)."""
    columns = table.sum(axis=0)
    table, columns = table[:, columns > 0], columns[columns > 0]
    expected = table.sum(axis=1).min() * columns / columns.sum()
    sparse = expected < MIN_EXPECTED
    if sparse.any():
        table = np.hstack([table[:, ~sparse], table[:, sparse].sum(axis=1, keepdims=True)])
    if table.shape[1] < 2:
        return 1.0
    _, p, _, _ = stats.chi2_contingency(table, correction=False, lambda_='cressie-read')
    return p


def consistency(cases, settings):
    decided = cases[cases['outcome'].notna()]
    outcomes = sorted(decided['outcome'].dropna().unique())
    minimum = settings['min_group_size']
    cells, tests = [], []
    for key in ['category', 'root_cause']:
        for dimension, column in CONSISTENCY_DIMENSIONS.items():
            counts = decided.groupby([key, column, 'outcome'], observed=True).size().unstack('outcome', fill_value=0).reindex(columns=outcomes, fill_value=0)
            for value, block in counts.groupby(level=0, observed=True):
                table = block.to_numpy()
                whole = table.sum(axis=0)
                n = table.sum(axis=1)
                tvd = 0.5 * np.abs(table / n[:, None] - whole / whole.sum()).sum(axis=1)
                for i, group in enumerate(block.index.get_level_values(1)):
                    small = n[i] < minimum
                    rest = whole - table[i]
                    p = chi_square(np.vstack([table[i], rest])) if not small and rest.sum() > 0 else np.nan
                    cells.append({'key': key, 'value': value, 'dimension': dimension, 'group': group, 'n': int(n[i]), 'tvd': float(tvd[i]), 'p': p, 'small': bool(small)})
                big = table[n >= minimum]
                if len(big) >= 2:
                    tests.append({'key': key, 'value': value, 'dimension': dimension, 'groups': len(big), 'p': chi_square(big)})
    cells = pd.DataFrame(cells)
    tests = pd.DataFrame(tests)
    cells['q'] = benjamini_hochberg(cells['p'])
    tests['q'] = benjamini_hochberg(tests['p'])
    cells = cells.merge(tests[['key', 'value', 'dimension', 'q']].rename(columns={'q': 'group_q'}), on=['key', 'value', 'dimension'], how='left')
    cells['flagged'] = ~cells['small'] & (cells['q'] < FLAG_Q) & (cells['group_q'] < FLAG_Q) & (cells['tvd'] > settings['tvd_threshold'])
    indexed = cells[(cells['key'] == 'category') & ~cells['small']]
    weighted = indexed['tvd'] * indexed['n']
    index = {d: float(100 * (1 - weighted[indexed['dimension'] == d].sum() / indexed.loc[indexed['dimension'] == d, 'n'].sum())) for d in CONSISTENCY_DIMENSIONS}
    index['overall'] = float(100 * (1 - weighted.sum() / indexed['n'].sum()))
    return {'index': index, 'cells': cells, 'tests': tests}


# ---------------------------------------------------------------------------------------------
# Fairness
# ---------------------------------------------------------------------------------------------

def bands(values, bounds, labels):
    return pd.cut(values, [0, *bounds, np.inf], right=False, labels=labels)


def fairness_frame(cases, policy, rates):
    settings = policy['fairness']
    created = cases['created_at']
    return_days = np.floor((created - cases['delivered_at']).dt.total_seconds() / 86400)
    category = cases['category'].astype('object')
    is_return = category == 'return_request'
    window = policy['return_window_days']
    # Case type: returns split by the return window, which the policy treats differently on purpose.
    ctype = np.select(
        [is_return & cases['delivered_at'].isna(), is_return & (return_days <= window), is_return],
        ['return_request (no delivery date)', 'return_request (in window)', 'return_request (out of window)'],
        default=category,
    )
    value = cases['order_value'] * cases['currency'].astype('object').map(rates['rates']).astype('float64')
    tenure = (created.dt.normalize() - cases['customer_since']).dt.days
    ov, tb = policy['order_value_bands'], policy['tenure_band_days']
    minutes = (cases['resolved_at'] - created).dt.total_seconds() / 60
    return pd.DataFrame({
        'case_id': cases['case_id'],
        'stratum': pd.Categorical(pd.Series(ctype, index=cases.index) + '|' + cases['channel'].astype('object').fillna('(none)')),
        'region': cases['region'],
        'order_value': bands(value, ov, [f'<{ov[0]}', *[f'{a}-{b}' for a, b in zip(ov, ov[1:])], f'{ov[-1]}+']),
        'tenure': bands(tenure, tb, [f'<{tb[0]}d', *[f'{a}d-{b}d' for a, b in zip(tb, tb[1:])], f'{tb[-1]}d+']),
        'claim': (cases['stage'] == 'post_purchase') & cases['outcome'].notna(),
        'favourable': cases['outcome'].isin(FAVOURABLE),
        'minutes': minutes,
        'log_minutes': np.log(minutes.clip(lower=1)),
    }), settings


def standardised(g, rest, weights, rate):
    """Directly standardised difference group - rest over the strata both have, with its z-test p-value."""
    both = (g['n'] > (0 if rate else 1)) & (rest['n'] > (0 if rate else 1))
    w = weights[both] / weights[both].sum() if both.any() else weights[both]
    if rate:
        pg, pr = g['e'][both] / g['n'][both], rest['e'][both] / rest['n'][both]
        var = w * w * (pg * (1 - pg) / g['n'][both] + pr * (1 - pr) / rest['n'][both])
    else:
        pg, pr = g['e'][both] / g['n'][both], rest['e'][both] / rest['n'][both]
        vg = (g['s2'][both] - g['n'][both] * pg * pg) / (g['n'][both] - 1)
        vr = (rest['s2'][both] - rest['n'][both] * pr * pr) / (rest['n'][both] - 1)
        var = w * w * (vg / g['n'][both] + vr / rest['n'][both])
    diff = float((w * (pg - pr)).sum())
    se = float(np.sqrt(var.sum()))
    p = float(2 * stats.norm.sf(abs(diff) / se)) if se > 0 else np.nan
    return (np.expm1(diff) if not rate else diff), p


def compare_groups(frame, dimension, value, rate, settings, threshold, measure):
    """Every group of `dimension` against the others, per stratum of case type x channel."""
    grouped = frame.groupby([dimension, 'stratum'], observed=True)[value]
    cells = grouped.agg(n='count', e='sum')
    if not rate:
        cells['s2'] = (frame[value] ** 2).groupby([frame[dimension], frame['stratum']], observed=True).sum()
    cells = cells.unstack(dimension, fill_value=0)
    weights = cells['n'].sum(axis=1)
    rows = []
    for group in cells['n'].columns:
        g = {k: cells[k][group] for k in cells.columns.levels[0]}
        rest = {k: cells[k].drop(columns=group).sum(axis=1) for k in cells.columns.levels[0]}
        n = int(g['n'].sum())
        diff, p = standardised(g, rest, weights, rate)
        raw = float(g['e'].sum() / n) if n else None
        rows.append({'dimension': dimension, 'measure': measure, 'group': str(group), 'n': n, 'raw': raw, 'diff': diff, 'p': p, 'threshold': threshold, 'min': settings['min_group_size']})
    return rows


def fairness(cases, answers, policy, rates):
    frame, settings = fairness_frame(cases, policy, rates)
    claims = frame[frame['claim']]
    resolved = frame[frame['minutes'].notna()]
    rated = answers[['case_id', 'csat']].dropna().merge(frame, on='case_id')
    rated['satisfied'] = rated['csat'] >= 4
    rows, across = [], []
    for dimension in ['region', 'order_value', 'tenure']:
        rows += compare_groups(claims, dimension, 'favourable', True, settings, settings['rate_threshold_pp'] / 100, 'favourable_rate')
        rows += compare_groups(resolved, dimension, 'log_minutes', False, settings, settings['time_threshold_ratio'], 'resolution_time')
        rows += compare_groups(rated, dimension, 'satisfied', True, settings, settings['csat_threshold'], 'csat')
        # Across all groups of the dimension at once: what an analyst reports first.
        samples = [s.to_numpy() for _, s in resolved.groupby(dimension, observed=True)['minutes']]
        across.append({'dimension': dimension, 'measure': 'resolution_time', 'test': 'kruskal', 'p': float(stats.kruskal(*samples).pvalue)})
        for measure, data, column in [('favourable_rate', claims, 'favourable'), ('csat', rated, 'satisfied')]:
            table = pd.crosstab(data[dimension], data[column]).to_numpy()
            across.append({'dimension': dimension, 'measure': measure, 'test': 'chi2', 'p': float(stats.chi2_contingency(table)[1])})
    medians = {d: resolved.groupby(d, observed=True)['minutes'].median().div(60).to_dict() for d in ['region', 'order_value', 'tenure']}
    rows = pd.DataFrame(rows)
    rows['q'] = benjamini_hochberg(rows['p'])
    rows['flagged'] = (rows['n'] >= rows['min']) & (rows['diff'].abs() > rows['threshold']) & (rows['q'] < FLAG_Q)
    return {'rows': rows, 'across': across, 'medians': medians}


def main():
    cases_path, feedback_path = sys.argv[1], sys.argv[2]
    policy = json.loads(Path(sys.argv[3] if len(sys.argv) > 3 else ROOT / 'config/policy.json').read_text())
    rates = json.loads(Path(sys.argv[4] if len(sys.argv) > 4 else ROOT / 'config/currency-rates.json').read_text())

    started = time.perf_counter()
    cases, feedback = load(cases_path, feedback_path)
    loaded = time.perf_counter()

    snapshot = max(cases['created_at'].max(), cases['first_response_at'].max(), cases['resolved_at'].max())
    answers = feedback.merge(cases[['case_id', 'region']], on='case_id', how='left', suffixes=('', '_case'))
    settings = {**policy['fairness'], **policy['consistency']}
    result = {
        'speed_first_response': speed(cases, snapshot, 'first_response', 'first_response_at', policy),
        'speed_resolution': speed(cases, snapshot, 'resolution', 'resolved_at', policy),
        'compliance': compliance(cases, snapshot, policy),
        'csat': csat(answers),
        'consistency': consistency(cases, settings),
        'fairness': fairness(cases, feedback, policy, rates),
    }
    computed = time.perf_counter()

    c, f = result['consistency'], result['fairness']
    def rounded(value):
        if isinstance(value, float):
            return round(value, 4)
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        return value

    print(json.dumps({
        'import_seconds': IMPORT_SECONDS,
        'load_seconds': loaded - started,
        'compute_seconds': computed - loaded,
        'rows': {'cases': int(len(cases)), 'feedback': int(len(feedback))},
        'sizes': {
            'speed_groups': len(result['speed_first_response']['groups']) + len(result['speed_resolution']['groups']),
            'speed_trend_points': len(result['speed_first_response']['trend']) + len(result['speed_resolution']['trend']),
            'compliance_rules': len(result['compliance']['rules']),
            'compliance_group_rows': len(result['compliance']['groups']),
            'csat_groups': len(result['csat']['groups']),
            'csat_trend_points': len(result['csat']['trend']),
            'consistency_cells': int(len(c['cells'])),
            'consistency_cells_tested': int(c['cells']['p'].notna().sum()),
            'consistency_tests': int(len(c['tests'])),
            'fairness_rows': int(len(f['rows'])),
            'fairness_tests_across_groups': len(f['across']),
        },
        'headline': rounded({
            'first_response_median_h': result['speed_first_response']['overall']['median'],
            'first_response_within_calendar': result['speed_first_response']['overall']['within_share'],
            'resolution_median_h': result['speed_resolution']['overall']['median'],
            'resolution_within_calendar': result['speed_resolution']['overall']['within_share'],
            'compliance_rates': {r['rule']: r['rate'] for r in result['compliance']['rules']},
            'csat': result['csat']['overall']['csat'],
            'consistency_index': c['index']['overall'],
            'consistency_flagged': int(c['cells']['flagged'].sum()),
            'fairness_flagged': [f"{r.dimension}/{r.group}/{r.measure}" for r in f['rows'].itertuples() if r.flagged],
        }),
    }))


if __name__ == '__main__':
    main()
