import { markdownText } from '../friction/report.server';
import { cellText, digestView, type Digest, type DigestSection } from './model';

function table(section: DigestSection): string[] {
	const t = section.table;
	if (!t) return [];
	const align = t.head.map((_, i) => (t.numeric.includes(i) ? '---:' : '---'));
	return [`| ${t.head.map(markdownText).join(' | ')} |`, `| ${align.join(' | ')} |`, ...t.rows.map((r) => `| ${r.map((c) => markdownText(cellText(c))).join(' | ')} |`), ''];
}

/**
 * The digest as Markdown for a mail tool. Every text from the data (theme, category and group
 * names, filter values) goes through the friction report's escaping, so a "|" cannot break a
 * table and a "<" cannot become HTML in a renderer.
 */
export function digestMarkdown(d: Digest): string {
	const v = digestView(d);
	const lines = [`# ${markdownText(v.title)}`, '', ...v.meta.map((m) => `${markdownText(m)}  `), ''];
	for (const s of v.sections) {
		lines.push(`## ${markdownText(s.title)}`, '');
		if (s.not_testable) lines.push(markdownText(s.not_testable), '');
		if (s.lead) lines.push(markdownText(s.lead), '');
		lines.push(...table(s));
		for (const l of s.lists) {
			if (l.title) lines.push(`**${markdownText(l.title)}**`, '');
			lines.push(l.items.length ? l.items.map((i) => `- ${markdownText(i)}`).join('\n') : markdownText(l.empty), '');
		}
		if (s.notes.length) lines.push(...s.notes.map((n, i) => `${i + 1}. ${markdownText(n)}`), '');
	}
	lines.push('## Definitions', '', ...v.definitions.map((x) => `- ${markdownText(x)}`), '');
	return lines.join('\n');
}
