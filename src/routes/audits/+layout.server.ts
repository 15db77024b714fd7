import type { LayoutServerLoad } from './$types';
import { readableRoutes } from '$lib/core/auth/guard.server';

const TABS = [
	{ href: '/audits', label: 'Overview' },
	{ href: '/audits/new', label: 'Draw a sample' },
	{ href: '/audits/queue', label: 'My reviews' },
	{ href: '/audits/mine', label: 'Reviews of my cases' },
	{ href: '/audits/results', label: 'Results' },
	{ href: '/audits/auto-checks', label: 'Automatic checks' },
	{ href: '/audits/calibration', label: 'Calibration' },
	{ href: '/audits/disputes', label: 'Disputes' },
	{ href: '/audits/scorecards', label: 'Scorecard' }
];

export const load: LayoutServerLoad = async ({ locals }) => {
	const readable = readableRoutes(locals.user?.role, TABS.map((t) => t.href));
	return { auditTabs: TABS.filter((t) => readable.includes(t.href)) };
};
