/* The page shell every report shares: the document head (nothing may load from anywhere: a
 * Content-Security-Policy says so), one embedded stylesheet with the A4 print rules (page breaks
 * between sections, table headers repeated on every printed page, colours kept), the section
 * headings, the contents line and tables. */
#ifndef ROLLCALL_WORKER_HTML_PAGE_H
#define ROLLCALL_WORKER_HTML_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Writes the head up to and including "<title>": the caller writes the title's text (escaped),
 * then page_head_end. */
void page_head_begin(FILE *f);

/* "</title>", the shared stylesheet plus extra_css (may be NULL), "</head>\n<body>\n". */
void page_head_end(FILE *f, const char *extra_css);

/* "</body>\n</html>\n". */
void page_end(FILE *f);

/* A section with its heading: <section id="ID"[ class="page"] aria-labelledby="HID">
 * <h2 id="HID">HEADING</h2>. page_break starts it on a new printed page. heading is HTML. */
void page_section_begin(FILE *f, const char *id, bool page_break, const char *heading_id,
                        const char *heading);

/* "</section>\n". */
void page_section_end(FILE *f);

/* A link of the contents line. */
typedef struct page_link {
	const char *href; /* "#schools" */
	const char *text; /* HTML */
} page_link;

/* <nav class="toc" aria-label="Sections"> with the links, "</nav>\n". */
void page_nav(FILE *f, const page_link *links, size_t n);

/* A column heading: its HTML, or (when html is NULL) plain text that is escaped; and whether
 * it is left-aligned (text columns). */
typedef struct page_col {
	const char *html;
	bool left;
	const char *text;
	size_t text_len; /* bytes of text to look at (text may fill an array without a NUL) */
} page_col;

/* <table id="ID">, its caption and a header row that repeats on every printed page, then
 * "<tbody>\n" for the caller's rows. caption is HTML. */
void page_table_begin(FILE *f, const char *id, const char *caption, const page_col *cols, size_t n);

/* "</tbody>\n</table>\n". */
void page_table_end(FILE *f);

#endif
