/* The shared page shell and stylesheet. */
#include "html_page.h"

#include "html.h"

static const char s_style[] =
        ":root{--ink:#1c2127;--muted:#59626e;--rule:#d6dbe1;--soft:#f3f5f7;--worse:#b8501a;"
        "--worse-bar:#e08a4a;--better:#24609c;--better-bar:#6a9fd0;--warn:#f6e7c1}\n"
        "*{box-sizing:border-box}\n"
        "html{font-size:15px}\n"
        "body{margin:0 auto;max-width:1100px;padding:28px 32px 48px;color:var(--ink);"
        "background:#fff;line-height:1.45;font-family:system-ui,-apple-system,\"Segoe UI\","
        "Roboto,\"Helvetica Neue\",Arial,sans-serif;font-variant-numeric:tabular-nums}\n"
        "h1{font-size:1.75rem;line-height:1.2;margin:0 0 10px;font-weight:700}\n"
        "h2{font-size:1.3rem;margin:36px 0 6px;padding-bottom:4px;border-bottom:2px solid "
        "var(--ink)}\n"
        "h3{font-size:1.02rem;margin:22px 0 6px}\n"
        "p{margin:6px 0}\n"
        ".eyebrow{margin:0 0 2px;color:var(--muted);font-size:.8rem;text-transform:uppercase;"
        "letter-spacing:.06em}\n"
        ".periods{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0 0 10px;font-size:.9rem}\n"
        ".periods dt{color:var(--muted);font-size:.78rem;text-transform:uppercase;"
        "letter-spacing:.04em}\n"
        ".periods dd{margin:0;font-weight:600}\n"
        ".pop,.note{color:var(--muted);font-size:.86rem;max-width:72em}\n"
        ".dq{border-left:4px solid #c98a00;background:#fdf6e3;padding:8px 12px;margin:10px 0;"
        "font-size:.9rem}\n"
        ".dq.ok{border-left-color:#4a8a5c;background:#eef6f0}\n"
        ".dq strong{font-weight:700}\n"
        "nav.toc{font-size:.85rem;margin:10px 0 0;color:var(--muted)}\n"
        "nav.toc a{color:var(--better);margin-right:14px}\n"
        ".glance-h{border:0;margin:18px 0 0;font-size:1rem}\n"
        ".glance{margin:14px 0 4px;padding:10px 16px 10px 30px;background:var(--soft);"
        "border-radius:4px}\n"
        ".glance li{margin:3px 0}\n"
        ".tiles{display:grid;grid-template-columns:repeat(5,minmax(0,1fr));gap:10px;"
        "margin:14px 0 0}\n"
        ".tile{border:1px solid var(--rule);border-top:4px solid var(--ink);border-radius:3px;"
        "padding:8px 10px 8px}\n"
        ".tile h3{margin:0;font-size:.76rem;font-weight:600;text-transform:uppercase;"
        "letter-spacing:.04em;color:var(--muted)}\n"
        ".tile .v{font-size:1.85rem;font-weight:700;line-height:1.15;margin-top:2px}\n"
        ".tile .n{font-size:.85rem;font-weight:600}\n"
        ".tile .u{font-size:.75rem;color:var(--muted)}\n"
        ".tile table{width:100%;margin-top:6px;font-size:.8rem}\n"
        ".tile th,.tile td{padding:1px 0;border:0;background:none;font-weight:400}\n"
        ".tile td{white-space:nowrap;padding-left:6px}\n.tile th{min-width:0}\n"
        ".tile th{text-align:left;color:var(--muted)}\n"
        ".tile tr.nat td,.tile tr.nat th{border-top:1px dotted var(--rule);padding-top:3px}\n"
        "table{border-collapse:collapse;width:100%;font-size:.86rem}\n"
        "caption{text-align:left;font-weight:600;padding:0 0 4px}\n"
        "th,td{padding:4px 6px;border-bottom:1px solid var(--rule);text-align:right;"
        "vertical-align:top}\n"
        "thead th{background:var(--soft);font-weight:600;vertical-align:bottom;"
        "border-bottom:1px solid #aab2bc;font-size:.8rem}\n"
        "th.l,td.l{text-align:left}\n"
        "tbody th{font-weight:400;text-align:left;min-width:13em}\n"
        "tr.grp th{background:var(--soft);font-weight:700;font-size:.8rem}\n"
        "tr.trust th,tr.trust td{font-weight:700;background:#fafbfc;border-bottom:2px solid "
        "#aab2bc}\n"
        ".sub{display:block;color:var(--muted);font-size:.76rem;font-weight:400}\n"
        ".worse{color:var(--worse)}\n.better{color:var(--better)}\n"
        ".muted{color:var(--muted)}\n"
        ".small{color:var(--muted);font-style:italic;font-size:.8rem}\n"
        ".chase{background:var(--warn)}\n"
        ".num{white-space:nowrap}\n"
        "figure{margin:10px 0 16px}\n"
        "figure svg{display:block;width:100%;max-width:880px;height:auto}\n"
        "figcaption{font-size:.8rem;color:var(--muted);margin-top:4px}\n"
        "svg text{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\","
        "Arial,sans-serif;fill:var(--ink)}\n"
        "svg .ax{fill:var(--muted);font-size:10.5px}\n"
        "svg .grid{stroke:#e3e7eb;stroke-width:1}\n"
        "svg .zero{stroke:#6b7480;stroke-width:1}\n"
        "svg .b-worse{fill:var(--worse-bar)}\nsvg .b-better{fill:var(--better-bar)}\n"
        "svg .b-none{fill:#b7bec7}\n"
        "svg .nat{stroke:#111;stroke-width:2.5}\n"
        "svg .natd{fill:#111}\n"
        "svg .t-worse{fill:var(--worse)}\nsvg .t-better{fill:var(--better)}\n"
        "svg .t-muted{fill:var(--muted)}\n"
        "svg .line{fill:none;stroke:var(--better);stroke-width:2.2;stroke-linejoin:round}\n"
        "svg .natline{stroke:#111;stroke-width:1.3;stroke-dasharray:5 4}\n"
        "svg .hol{stroke:#c5ccd4;stroke-width:1;stroke-dasharray:2 3}\n"
        "svg .pt{fill:var(--better)}\n"
        ".c1{fill:#2a6aa5}.c2{fill:#9cc3e4}.c3{fill:#f0b26b}.c4{fill:#d9622b}.c5{fill:#8a2a0e}\n"
        ".sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin:0 4px 0 12px;"
        "vertical-align:-1px}\n"
        ".sw.c1{background:#2a6aa5}.sw.c2{background:#9cc3e4}.sw.c3{background:#f0b26b}"
        ".sw.c4{background:#d9622b}.sw.c5{background:#8a2a0e}\n"
        ".sw.worse{background:var(--worse-bar)}.sw.better{background:var(--better-bar)}"
        ".sw.none{background:#b7bec7}\n"
        ".sw.mark{background:#111;width:3px;height:13px;border-radius:0}\n"
        ".sw.diamond{background:#111;width:8px;height:8px;transform:rotate(45deg);"
        "border-radius:0}\n"
        ".legend{font-size:.8rem;color:var(--muted);margin:2px 0 6px}\n"
        ".legend .sw:first-child{margin-left:0}\n"
        "td.g{white-space:nowrap}\n"
        "#trend-table td,#trend-table th{vertical-align:middle}\n"
        "#school-table tbody th{min-width:15em}\n"
        "td.g-n3{background:#f3c7a8}td.g-n2{background:#f8dcc8}td.g-n1{background:#fcefe5}\n"
        "td.g-p1{background:#e9f1f9}td.g-p2{background:#d2e3f3}td.g-p3{background:#b5d0ea}\n"
        "ol.weeks{list-style:none;padding:0;margin:6px 0;display:grid;"
        "grid-template-columns:repeat(6,minmax(0,1fr));gap:2px 12px;font-size:.8rem}\n"
        "ol.weeks li{display:flex;justify-content:space-between;border-bottom:1px dotted "
        "var(--rule)}\n"
        "ol.weeks span{color:var(--muted)}\n"
        "dl.defs{font-size:.82rem;display:grid;grid-template-columns:max-content 1fr;"
        "gap:3px 14px}\n"
        "dl.defs dt{font-weight:600}\ndl.defs dd{margin:0;color:var(--muted)}\n"
        "footer{margin-top:28px;font-size:.78rem;color:var(--muted);border-top:1px solid "
        "var(--rule);padding-top:8px}\n"
        "@page{size:A4;margin:12mm 11mm 14mm}\n"
        "@media print{html{font-size:9.5pt}body{max-width:none;padding:0}"
        "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
        "nav.toc{display:none}section.page{break-before:page}"
        ".tiles{grid-template-columns:repeat(3,minmax(0,1fr))}#notes{break-inside:avoid}"
        "h2,h3{break-after:avoid}figure,tr,.tile,.dq,li{break-inside:avoid}"
        "thead{display:table-header-group}figure svg{max-width:100%}"
        "a{color:inherit;text-decoration:none}.glance{background:none;border:1px solid "
        "var(--rule)}}\n"
        "@media screen and (max-width:760px){.tiles{grid-template-columns:repeat(2,minmax(0,1fr))}"
        "body{padding:16px}ol.weeks{grid-template-columns:repeat(3,minmax(0,1fr))}}\n";

void page_head_begin(FILE *f)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n", f);
	/* Nothing may load from anywhere: the policy makes the browser refuse it even if a
	 * future change slips in a reference. */
	fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n",
	      f);
	fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", f);
	fputs("<meta name=\"generator\" content=\"Rollcall\">\n", f);
	fputs("<title>", f);
}

void page_head_end(FILE *f, const char *extra_css)
{
	fprintf(f, "</title>\n<style>\n%s%s</style>\n</head>\n<body>\n", s_style,
	        extra_css ? extra_css : "");
}

void page_end(FILE *f)
{
	fputs("</body>\n</html>\n", f);
}

void page_section_begin(FILE *f, const char *id, bool page_break, const char *heading_id,
                        const char *heading)
{
	fprintf(f, "<section id=\"%s\"%s aria-labelledby=\"%s\">\n<h2 id=\"%s\">%s</h2>\n", id,
	        page_break ? " class=\"page\"" : "", heading_id, heading_id, heading);
}

void page_section_end(FILE *f)
{
	fputs("</section>\n", f);
}

void page_nav(FILE *f, const page_link *links, size_t n)
{
	fputs("<nav class=\"toc\" aria-label=\"Sections\">", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "<a href=\"%s\">%s</a>", links[i].href, links[i].text);
	fputs("</nav>\n", f);
}

void page_table_begin(FILE *f, const char *id, const char *caption, const page_col *cols, size_t n)
{
	fprintf(f, "<table id=\"%s\">\n<caption>%s</caption>\n<thead><tr>", id, caption);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "<th scope=\"col\"%s>", cols[i].left ? " class=\"l\"" : "");
		if (cols[i].html)
			fputs(cols[i].html, f);
		else
			html_esc_n(f, cols[i].text, cols[i].text_len);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
}

void page_table_end(FILE *f)
{
	fputs("</tbody>\n</table>\n", f);
}
