/** The dashboard's sections: the navigation and page headers read this one list. */
export interface Section {
	href: string;
	label: string;
	/** Who opens it and what it answers, one sentence. */
	summary: string;
}

export const SECTIONS: Section[] = [
	{ href: '/', label: 'Overview', summary: 'What is in the archive: cases, feedback, regions, channels and the health of recent imports.' },
	{ href: '/speed', label: 'Speed', summary: 'For support leads: how fast each region, channel, team and agent answers and resolves cases.' },
	{ href: '/compliance', label: 'Compliance', summary: 'For support leads: every case checked against the published policy.' },
	{ href: '/satisfaction', label: 'Satisfaction', summary: 'CSAT, the primary measure of service, with its number of answers and confidence interval.' },
	{
		href: '/consistency',
		label: 'Consistency',
		summary: 'Same problem, same resolution: outcome distributions per region, team, agent and channel within each category.'
	},
	{
		href: '/fairness',
		label: 'Fairness',
		summary: 'One global standard: are regions, order-value bands and account-tenure bands treated alike for the same case mix?'
	},
	{
		href: '/audits',
		label: 'Audits',
		summary: 'For QA managers: random audit samples, scorecard reviews, calibration and an honest quality score.'
	},
	{
		href: '/friction',
		label: 'Friction',
		summary: 'For product teams: the purchasing problems that keep coming back, whether they are rising, and the fixes.'
	},
	{ href: '/reports/weekly', label: 'Weekly', summary: 'This week against last week: speed, compliance, CSAT, new flags and rising themes, as a page, Markdown or e-mail HTML.' },
	{ href: '/imports', label: 'Imports', summary: 'Every import with its result, and every rejected row with its line and reason.' }
];

export function section(href: string): Section {
	const found = SECTIONS.find((s) => s.href === href);
	if (!found) throw new Error(`No section ${href}`);
	return found;
}
