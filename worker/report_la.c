/* The LA returns' files: the four CSVs of contract.md §2 and the LA officer's page, on the shared
 * CSV writer and page pieces. */
#include "report_la.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "html_page.h"
#include "rollcall/csvwrite.h"
#include "rollcall/date.h"

const char *const la_file_names[LA_KINDS] = {"attendance-return.csv", "sickness-return.csv",
                                             "new-pupil-return.csv", "deletion-return.csv"};

#define COMMON                                                                                     \
	"la_code", "school_urn", "school_laestab", "school_name", "upn", "surname", "forename"

static const char *const s_att[] = {COMMON,          "date_of_birth",    "nc_year",
                                    "address",       "postcode",         "reason",
                                    "episode_start", "qualified_on",     "episode_sessions",
                                    "ongoing",       "last_known_cause", NULL};
static const char *const s_sick[] = {COMMON,
                                     "date_of_birth",
                                     "nc_year",
                                     "address",
                                     "postcode",
                                     "status",
                                     "reason",
                                     "illness_sessions_ytd",
                                     "longest_illness_run",
                                     "first_illness_date",
                                     NULL};
static const char *const s_new[] = {COMMON,
                                    "preferred_forename",
                                    "sex",
                                    "date_of_birth",
                                    "nc_year",
                                    "admission_date",
                                    "entered_on",
                                    "due_by",
                                    "late",
                                    "address",
                                    "postcode",
                                    "boarder",
                                    "previous_school",
                                    "parent1_name",
                                    "parent1_relationship",
                                    "parent1_phone",
                                    "parent2_name",
                                    "parent2_relationship",
                                    "parent2_phone",
                                    "other_parents",
                                    NULL};
static const char *const s_del[] = {COMMON,
                                    "date_of_birth",
                                    "nc_year",
                                    "address",
                                    "postcode",
                                    "leaving_date",
                                    "deletion_ground",
                                    "destination_school",
                                    "destination_address",
                                    "destination_start",
                                    "parent1_name",
                                    "parent1_relationship",
                                    "parent1_address",
                                    "parent1_phone",
                                    "parent2_name",
                                    "parent2_relationship",
                                    "parent2_address",
                                    "parent2_phone",
                                    "other_parents",
                                    NULL};

const char *const *la_columns(la_kind kind, size_t *n)
{
	static const char *const *const all[LA_KINDS] = {s_att, s_sick, s_new, s_del};
	static const size_t counts[LA_KINDS] = {LA_A_N, LA_S_N, LA_N_N, LA_D_N};

	if (n)
		*n = counts[kind];
	return all[kind];
}

int la_write_csv(const la_report *r, la_kind kind, FILE *f)
{
	size_t ncols;
	const char *const *cols = la_columns(kind, &ncols);
	csvw w;

	csvw_init(&w, f);
	csvw_header(&w, cols);
	for (size_t i = 0; i < r->n_rows; i++) {
		const la_row *row = &r->rows[i];

		if (row->kind != kind || row->change == LA_GONE || row->open_earlier)
			continue;
		for (size_t c = 0; c < ncols; c++)
			csvw_text(&w, row->cells[c]);
		csvw_end(&w);
	}
	return ferror(f) ? -EIO : 0;
}

void la_report_free(la_report *r)
{
	for (size_t i = 0; i < r->n_rows; i++)
		for (size_t c = 0; c < LA_MAX_CELLS; c++)
			free(r->rows[i].cells[c]);
	free(r->rows);
	free(r->schools);
	memset(r, 0, sizeof(*r));
}

/* ---- the page ----------------------------------------------------------------------------- */

static const char *const s_kind_title[LA_KINDS] = {
        "Attendance return: 10 school days of continuous unauthorised absence",
        "Sickness return: 15 school days of illness",
        "New pupil return",
        "Deletion return",
};

static const char *const s_table_id[LA_KINDS] = {"attendance-table", "sickness-table", "new-table",
                                                 "deletion-table"};

static const char *const s_extra_css =
        "#attendance td,#attendance th,#open td,#open th,#sickness td,#sickness th,#new td,"
        "#new th,#deletion td,#deletion th,#changes td,#changes th{text-align:left;"
        "white-space:nowrap}\n"
        "#attendance td:first-child,#open td:first-child,#sickness td:first-child,"
        "#new td:first-child,#deletion td:first-child,#changes td:first-child,"
        "#attendance td:last-child,#new td:last-child,#deletion td:last-child{"
        "white-space:normal}\n"
        "tr.gone td,tr.gone th{color:var(--muted);text-decoration:line-through}\n"
        ".tag{display:inline-block;font-size:.72rem;font-weight:700;padding:0 5px;"
        "border-radius:3px;background:var(--soft);margin-left:4px}\n"
        ".tag.new{background:#e3efd9}.tag.chg{background:var(--warn)}\n"
        ".cover{border:1px solid var(--rule);padding:10px 14px;margin:12px 0;"
        "font-size:.92rem}\n";

static void month_label(FILE *f, int32_t day)
{
	static const char *const months[12] = {"January",   "February", "March",    "April",
	                                       "May",       "June",     "July",     "August",
	                                       "September", "October",  "November", "December"};
	int y, m, d;

	date_to_ymd(day, &y, &m, &d);
	fprintf(f, "%s %d", months[m - 1], y);
}

static void period_label(FILE *f, const la_report *r)
{
	if (r->termly) {
		month_label(f, r->first);
		fputs(" &ndash; ", f);
	}
	month_label(f, r->last);
}

static void esc_cell(FILE *f, const la_row *row, int c)
{
	html_esc(f, row->cells[c] ? row->cells[c] : "");
}

static void change_tag(FILE *f, const la_row *row)
{
	if (row->change == LA_NEW)
		fputs("<span class=\"tag new\">new</span>", f);
	else if (row->change == LA_CHANGED)
		fputs("<span class=\"tag chg\">changed</span>", f);
	else if (row->change == LA_GONE)
		fputs("<span class=\"tag\">no longer listed</span>", f);
}

static void write_cover(const la_report *r, FILE *f)
{
	uint32_t total[LA_KINDS] = {0};

	for (size_t s = 0; s < r->n_schools; s++)
		for (int k = 0; k < LA_KINDS; k++)
			total[k] += r->schools[s].count[k];
	fputs("<header>\n<p class=\"eyebrow\">Statutory returns &middot; ", f);
	html_esc(f, r->la_name);
	fprintf(f, " (%03d)</p>\n<h1>LA returns &mdash; ", r->la_code);
	period_label(f, r);
	fputs("</h1>\n<div class=\"cover\"><p>", f);
	fprintf(f, "%s return%s from the trust&#39;s %zu school%s in this authority, covering ",
	        r->termly ? "Termly" : "Monthly", r->termly ? "s" : "s", r->n_schools,
	        r->n_schools == 1 ? "" : "s");
	html_range(f, r->first, r->last);
	fputs(". ", f);
	for (int k = 0; k < LA_KINDS; k++) {
		fprintf(f, "%s%u %s", k ? "; " : "", total[k],
		        k == LA_ATTENDANCE  ? "attendance"
		        : k == LA_SICKNESS  ? "sickness"
		        : k == LA_NEW_PUPIL ? "new pupil"
		                            : "deletion");
		fputs(total[k] == 1 ? " row" : " rows", f);
	}
	fputs(".</p>\n<p>First generated on ", f);
	html_date(f, r->first_generated, true, true);
	if (r->gen > 1) {
		fputs("; last changed on ", f);
		html_date(f, r->changed_on, true, true);
		fputs(" (the changes are marked below and listed at the end)", f);
	}
	fputs(".", f);
	if (r->contact[0]) {
		fputs(" Contact for these returns: ", f);
		html_esc(f, r->contact);
		fputs(".", f);
	}
	fputs("</p>\n<p class=\"note\">", f);
	if (r->irregular_bp)
		fprintf(f,
		        "This authority also asks for pupils who fail to attend regularly: absence "
		        "of %u.%02u%% or more this academic year (reason IRREGULAR). ",
		        r->irregular_bp / 100, r->irregular_bp % 100);
	fprintf(f,
	        "New pupils of a school&#39;s most junior year group admitted on its first day of "
	        "the year are %s; pupils of its most senior year group leaving at the end of the "
	        "summer term are %s. Only pupils of compulsory school age are in the attendance "
	        "and sickness returns. Every row carries personal data: keep these files within "
	        "the authority.</p>\n</div>\n",
	        r->junior_intake ? "included, as the authority asks" : "left out",
	        r->standard_transition ? "included, as the authority asks" : "left out");
	page_nav(f,
	         (const page_link[]){{"#schools", "By school"},
	                             {"#attendance", "Attendance"},
	                             {"#open", "Open episodes"},
	                             {"#sickness", "Sickness"},
	                             {"#new", "New pupils"},
	                             {"#deletion", "Deletions"},
	                             {"#changes", "Changes"}},
	         7);
	fputs("</header>\n", f);
}

static void write_schools(const la_report *r, FILE *f)
{
	static const page_col cols[] = {
	        {.html = "School", .left = true},
	        {.html = "Attendance return"},
	        {.html = "of which irregular"},
	        {.html = "Open from earlier months"},
	        {.html = "Sickness return"},
	        {.html = "New pupils"},
	        {.html = "of which late"},
	        {.html = "Deletions"},
	        {.html = "Changed since first generated"},
	};

	page_section_begin(f, "schools", false, "schools-h", "By school");
	page_table_begin(f, "school-counts", "Rows per school in this period", cols,
	                 sizeof(cols) / sizeof(cols[0]));
	for (size_t s = 0; s < r->n_schools; s++) {
		const la_school *sc = &r->schools[s];
		uint32_t changed = 0;

		for (int k = 0; k < LA_KINDS; k++)
			changed += sc->changed[k] + sc->gone[k];
		fputs("<tr><th scope=\"row\">", f);
		HTML_ESC(f, sc->name);
		fprintf(f, "<span class=\"sub\">URN %06u &middot; LAESTAB %07d</span></th>",
		        sc->urn, sc->laestab);
		fprintf(f,
		        "<td>%u</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td><td%s>%u</td>"
		        "<td>%u</td><td>%u</td></tr>\n",
		        sc->count[LA_ATTENDANCE], sc->irregular, sc->open_earlier,
		        sc->count[LA_SICKNESS], sc->count[LA_NEW_PUPIL],
		        sc->late ? " class=\"chase\"" : "", sc->late, sc->count[LA_DELETION],
		        changed);
	}
	page_table_end(f);
	page_section_end(f);
}

/* One return's table: the rows of kind (open_earlier picks the attendance episodes still
 * going on from before the period instead), the columns listed. */
static void write_rows(const la_report *r, FILE *f, la_kind kind, bool open_earlier,
                       const int *cells, const page_col *cols, size_t ncols, bool gone_too)
{
	size_t shown = 0;

	for (size_t i = 0; i < r->n_rows; i++) {
		const la_row *row = &r->rows[i];

		if (row->kind != kind || row->open_earlier != open_earlier ||
		    (row->change == LA_GONE && !gone_too))
			continue;
		if (shown++ == 0)
			page_table_begin(f, open_earlier ? "open-table" : s_table_id[kind],
			                 open_earlier ? "Episodes still open from earlier months"
			                              : s_kind_title[kind],
			                 cols, ncols);
		fprintf(f, "<tr%s><td>", row->change == LA_GONE ? " class=\"gone\"" : "");
		HTML_ESC(f, r->schools[row->school].name);
		fputs("</td>", f);
		for (size_t c = 1; c < ncols; c++) {
			fputs("<td>", f);
			esc_cell(f, row, cells[c]);
			if (c == 1)
				change_tag(f, row);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	if (shown)
		page_table_end(f);
	else
		fputs("<p class=\"note\">None in this period.</p>\n", f);
}

/* The page's sections of the returns: each a table of the rows of one kind, its columns the
 * file's cells listed (0: the school's name), with a note saying what it lists. */
typedef struct la_section {
	la_kind kind;
	bool open_earlier;
	const char *id, *heading_id, *title, *note;
	const int *cells;
	const page_col *cols;
	size_t ncols;
} la_section;

static const int s_att_cells[] = {
        0,          LA_A_UPN,       LA_A_SURNAME,  LA_A_FORENAME, LA_A_NC_YEAR, LA_A_REASON,
        LA_A_START, LA_A_QUALIFIED, LA_A_SESSIONS, LA_A_ONGOING,  LA_A_CAUSE};
static const page_col s_att_cols[] = {
        {.html = "School", .left = true},
        {.html = "UPN", .left = true},
        {.html = "Surname", .left = true},
        {.html = "Forename", .left = true},
        {.html = "Year"},
        {.html = "Reason", .left = true},
        {.html = "Episode start"},
        {.html = "Qualified on"},
        {.html = "Sessions"},
        {.html = "Ongoing"},
        {.html = "Last known cause", .left = true},
};
static const int s_sick_cells[] = {
        0,           LA_A_UPN,    LA_A_SURNAME,     LA_A_FORENAME, LA_A_NC_YEAR,
        LA_S_STATUS, LA_S_REASON, LA_S_ILLNESS_YTD, LA_S_LONGEST,  LA_S_FIRST};
static const page_col s_sick_cols[] = {
        {.html = "School", .left = true},
        {.html = "UPN", .left = true},
        {.html = "Surname", .left = true},
        {.html = "Forename", .left = true},
        {.html = "Year"},
        {.html = "Status", .left = true},
        {.html = "Reason", .left = true},
        {.html = "Illness sessions this year"},
        {.html = "Longest illness run"},
        {.html = "First illness"},
};
static const int s_new_cells[] = {0,
                                  LA_A_UPN,
                                  LA_A_SURNAME,
                                  LA_A_FORENAME,
                                  LA_N_NC_YEAR,
                                  LA_N_ADMISSION,
                                  LA_N_ENTERED,
                                  LA_N_DUE,
                                  LA_N_LATE,
                                  LA_N_PREVIOUS};
static const page_col s_new_cols[] = {
        {.html = "School", .left = true},
        {.html = "UPN", .left = true},
        {.html = "Surname", .left = true},
        {.html = "Forename", .left = true},
        {.html = "Year"},
        {.html = "Admitted"},
        {.html = "Entered on"},
        {.html = "Due by"},
        {.html = "Late"},
        {.html = "Previous school", .left = true},
};
static const int s_del_cells[] = {
        0,           LA_A_UPN,         LA_A_SURNAME,   LA_A_FORENAME, LA_A_NC_YEAR, LA_D_LEAVING,
        LA_D_GROUND, LA_D_DEST_SCHOOL, LA_D_DEST_START};
static const page_col s_del_cols[] = {
        {.html = "School", .left = true},
        {.html = "UPN", .left = true},
        {.html = "Surname", .left = true},
        {.html = "Forename", .left = true},
        {.html = "Year"},
        {.html = "Left on"},
        {.html = "Ground", .left = true},
        {.html = "Going to", .left = true},
        {.html = "Starting"},
};
#define COLS(a) a, sizeof(a) / sizeof(a[0])

static const la_section s_sections[] = {
        {LA_ATTENDANCE, false, "attendance", "attendance-h", "Attendance return: new this period",
         "Pupils absent for 20 consecutive possible sessions (10 school days) coded G, N, O or "
         "U. Sessions that are not possible (closures, Y codes, dual registration) and days "
         "without school neither extend nor break a run; runs carry on across weekends, "
         "holidays and the summer. Each episode is reported once, in the period of its 20th "
         "session; sessions are counted to the end of the period.",
         s_att_cells, COLS(s_att_cols)},
        /* the same columns but the last two (ongoing, always; the cause, in the earlier file) */
        {LA_ATTENDANCE, true, "open", "open-h", "Episodes still open from earlier months",
         "Reported in an earlier period and still going on at the end of this one: not in this "
         "period&#39;s file.",
         s_att_cells, s_att_cols, sizeof(s_att_cols) / sizeof(s_att_cols[0]) - 2},
        {LA_SICKNESS, false, "sickness", "sickness-h", "Sickness return",
         "REACHED: this year&#39;s illness sessions first reached 30 (CUMULATIVE), or a "
         "continuous run of illness did (CONTINUOUS), in this period. FORECAST: not there yet "
         "but on the way (an illness run of 10 sessions still going on, or 20 illness sessions "
         "this year), for the school to confirm.",
         s_sick_cells, COLS(s_sick_cols)},
        {LA_NEW_PUPIL, false, "new", "new-h", "New pupil return",
         "Pupils whose names were entered on the admission register in this period; the return "
         "is due by the end of the 5th day after entry (late: first sent after that). Contacts "
         "and addresses are in the file.",
         s_new_cells, COLS(s_new_cols)},
        {LA_DELETION, false, "deletion", "deletion-h", "Deletion return",
         "Pupils deleted from the admission register in this period, with the ground and where "
         "they are going; the parents they live with and their phone numbers are in the file.",
         s_del_cells, COLS(s_del_cols)},
};

static void write_section(const la_report *r, FILE *f, const la_section *sec)
{
	page_section_begin(f, sec->id, !sec->open_earlier, sec->heading_id, sec->title);
	fprintf(f, "<p class=\"note\">%s</p>\n", sec->note);
	write_rows(r, f, sec->kind, sec->open_earlier, sec->cells, sec->cols, sec->ncols, false);
	page_section_end(f);
}

static void write_changes(const la_report *r, FILE *f)
{
	static const int cells[] = {0, LA_A_UPN, LA_A_SURNAME, LA_A_FORENAME};
	static const page_col cols[] = {
	        {.html = "School", .left = true},  {.html = "UPN", .left = true},
	        {.html = "Surname", .left = true}, {.html = "Forename", .left = true},
	        {.html = "Return", .left = true},  {.html = "Change", .left = true},
	};
	size_t shown = 0;

	page_section_begin(f, "changes", true, "changes-h", "What changed");
	if (r->gen <= 1) {
		fputs("<p class=\"note\">Nothing has changed since these returns were first "
		      "generated.</p>\n",
		      f);
		page_section_end(f);
		return;
	}
	fputs("<p class=\"note\">What the generation of ", f);
	html_date(f, r->changed_on, true, true);
	fputs(" changed against the one before it (a recoded mark can shorten or dissolve an "
	      "episode; a late entry adds a pupil).</p>\n",
	      f);
	for (size_t i = 0; i < r->n_rows; i++) {
		const la_row *row = &r->rows[i];

		if (row->change == LA_SAME)
			continue;
		if (shown++ == 0)
			page_table_begin(f, "change-table", "Changes since the previous generation",
			                 cols, sizeof(cols) / sizeof(cols[0]));
		fprintf(f, "<tr><td>");
		HTML_ESC(f, r->schools[row->school].name);
		fputs("</td>", f);
		for (size_t c = 1; c < 4; c++) {
			fputs("<td>", f);
			esc_cell(f, row, cells[c]);
			fputs("</td>", f);
		}
		fprintf(f, "<td>%s</td><td>%s</td></tr>\n", s_kind_title[row->kind],
		        row->change == LA_NEW       ? "added"
		        : row->change == LA_CHANGED ? "changed"
		                                    : "no longer listed");
	}
	if (shown)
		page_table_end(f);
	page_section_end(f);
}

int la_write_html(const la_report *r, FILE *f)
{
	page_head_begin(f);
	fprintf(f, "LA returns %03d &mdash; ", r->la_code);
	period_label(f, r);
	page_head_end(f, s_extra_css);
	write_cover(r, f);
	write_schools(r, f);
	for (size_t i = 0; i < sizeof(s_sections) / sizeof(s_sections[0]); i++)
		write_section(r, f, &s_sections[i]);
	write_changes(r, f);
	fprintf(f,
	        "<footer>Rollcall &middot; LA returns for %03d, %s &middot; personal data: for "
	        "this authority only.</footer>\n",
	        r->la_code, r->period);
	page_end(f);
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}
