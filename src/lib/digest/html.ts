import { digestView, type Digest, type DigestCell, type DigestSection } from './model';

/** Text from the data as HTML text: nothing in a theme or group name can become markup. */
export function escapeHtml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

// Mail clients drop <style> blocks and external sheets unpredictably: every rule is on its element.
const S = {
	body: 'margin:0;padding:16px;background:#f8fafc;',
	// On the container, not the body: some webmail clients drop the body's attributes.
	main: "max-width:760px;margin:0 auto;background:#ffffff;border:1px solid #e2e8f0;border-radius:8px;padding:16px 20px;color:#0f172a;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;font-size:15px;line-height:1.45;",
	h1: 'font-size:22px;margin:0 0 6px;',
	h2: 'font-size:17px;margin:24px 0 8px;',
	h3: 'font-size:14px;margin:12px 0 4px;',
	meta: 'color:#475569;font-size:13px;margin:0 0 4px;',
	p: 'margin:0 0 8px;',
	table: 'width:100%;border-collapse:collapse;font-size:14px;margin:0 0 8px;',
	th: 'text-align:left;color:#475569;font-size:12px;text-transform:uppercase;padding:6px 8px;border-bottom:1px solid #e2e8f0;',
	td: 'text-align:left;padding:6px 8px;border-bottom:1px solid #e2e8f0;vertical-align:top;',
	untested: 'color:#64748b;font-style:italic;',
	box: 'background:#f1f5f9;border:1px dashed #94a3b8;border-radius:6px;padding:8px 10px;color:#334155;font-size:14px;margin:0 0 8px;',
	notes: 'color:#475569;font-size:12px;margin:0 0 8px;padding-left:20px;',
	list: 'margin:0 0 8px;padding-left:20px;',
	small: 'color:#475569;font-size:12px;'
};

function cell(c: DigestCell, numeric: boolean, tag: 'td' | 'th'): string {
	const style = `${tag === 'th' ? S.th : S.td}${numeric ? 'text-align:right;' : ''}${c.untested ? S.untested : ''}`;
	const detail = c.detail ? `<br><span style="${S.small}">${escapeHtml(c.detail)}</span>` : '';
	return `<${tag} style="${style}">${numeric ? `<span style="white-space:nowrap;">${escapeHtml(c.text)}</span>` : escapeHtml(c.text)}${detail}</${tag}>`;
}

function section(s: DigestSection): string {
	const out = [`<h2 style="${S.h2}">${escapeHtml(s.title)}</h2>`];
	if (s.not_testable) out.push(`<p style="${S.box}">${escapeHtml(s.not_testable)}</p>`);
	if (s.lead) out.push(`<p style="${S.p}">${escapeHtml(s.lead)}</p>`);
	const t = s.table;
	if (t) {
		out.push(
			`<table role="presentation" style="${S.table}"><thead><tr>${t.head.map((h, i) => cell({ text: h }, t.numeric.includes(i), 'th')).join('')}</tr></thead><tbody>`,
			...t.rows.map((r) => `<tr>${r.map((c, i) => cell(c, t.numeric.includes(i), 'td')).join('')}</tr>`),
			'</tbody></table>'
		);
	}
	for (const l of s.lists) {
		if (l.title) out.push(`<h3 style="${S.h3}">${escapeHtml(l.title)}</h3>`);
		out.push(l.items.length ? `<ul style="${S.list}">${l.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : `<p style="${S.p}">${escapeHtml(l.empty)}</p>`);
	}
	if (s.notes.length) out.push(`<ol style="${S.notes}">${s.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ol>`);
	return out.join('\n');
}

/** The digest as one self-contained HTML document: inline styles, no script, no external resource. */
export function digestHtml(d: Digest): string {
	const v = digestView(d);
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(v.title)} · Caselens</title>
</head>
<body style="${S.body}">
<div style="${S.main}">
<h1 style="${S.h1}">${escapeHtml(v.title)}</h1>
${v.meta.map((m) => `<p style="${S.meta}">${escapeHtml(m)}</p>`).join('\n')}
${v.sections.map(section).join('\n')}
<h2 style="${S.h2}">Definitions</h2>
<ul style="${S.list}${S.small}">${v.definitions.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>
</div>
</body>
</html>
`;
}
