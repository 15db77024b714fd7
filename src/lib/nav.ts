/** The dashboard's sections: the navigation and the "not built yet" pages read this one list. */
export interface Section {
	href: string;
	label: string;
	/** Who opens it and what it answers, one sentence. */
	summary: string;
	/** What the page will show once built. */
	plans?: string[];
}

export const SECTIONS: Section[] = [
	{ href: '/', label: 'Overview', summary: 'What is in the archive: cases, feedback, regions, channels and the health of recent imports.' },
	{ href: '/speed', label: 'Speed', summary: 'For support leads: how fast each region, channel, team and agent answers and resolves cases.' },
	{ href: '/compliance', label: 'Compliance', summary: 'For support leads: every case checked against the published policy.' },
	{ href: '/satisfaction', label: 'Satisfaction', summary: 'CSAT, the primary measure of service, with its number of answers and confidence interval.' },
	{
		href: '/consistency',
		label: 'Consistency',
		summary: 'Same problem, same resolution: outcome distributions per region, team, agent and channel within each category.',
		plans: ['Heatmap of total variation distance per category and group', 'Chi-square test of homogeneity with p-values', '0-100 consistency index', 'Standard resolution per root cause and the share of cases that deviate']
	},
	{
		href: '/fairness',
		label: 'Fairness',
		summary: 'One global standard: are regions, order-value bands and account-tenure bands treated alike for the same case mix?',
		plans: ['Favourable-outcome rate, resolution time and CSAT per group, raw and adjusted for case mix', 'Confidence intervals, Cochran-Mantel-Haenszel tests and Benjamini-Hochberg q-values', 'A flag only when the difference is significant, practically large and based on enough cases']
	},
	{
		href: '/audits',
		label: 'Audits',
		summary: 'For QA managers: random audit samples, scorecard reviews, calibration and an honest quality score.',
		plans: ['Simple, stratified and risk-weighted samples, seeded and reproducible', 'Weighted scorecards with critical items', 'Quality score (IQS) with inclusion-probability weighting and a confidence interval', "Calibration sessions with Krippendorff's alpha"]
	},
	{
		href: '/friction',
		label: 'Friction',
		summary: 'For product teams: the purchasing problems that keep coming back, whether they are rising, and the fixes.'
	},
	{ href: '/imports', label: 'Imports', summary: 'Every import with its result, and every rejected row with its line and reason.' }
];

export function section(href: string): Section {
	const found = SECTIONS.find((s) => s.href === href);
	if (!found) throw new Error(`No section ${href}`);
	return found;
}
