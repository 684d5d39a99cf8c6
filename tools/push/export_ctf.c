/* The CTF side of the export reader: a DfE Common Transfer File (CTF 19+) walked with libxml2
 * into wire items: pupils with their FSM/SEN history, contacts, and <AttendSessions> marks. */
#include "export.h"

#include <ctype.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rollcall/codes.h"
#include "rollcall/date.h"
#include "rollcall/ncyear.h"
#include "rollcall/upn.h"

#define REASON_MAX  192
#define HISTORY_MAX 64 /* FSM instances or SEN records per pupil; more are warned about */
/* The largest CTF read: a whole secondary school's with a year of sessions is a few tens of
 * MiB, and libxml2's tree takes several times the file. */
#define CTF_MAX_BYTES (256L << 20)

/* Strings made while reading one pupil; freed together when the pupil is done. */
typedef struct strpool {
	char **v;
	size_t n, cap;
	bool oom;
} strpool;

typedef struct ctf_ctx {
	const export_sink *sink;
	const char *file; /* base name, for reject and warn */
	char urn[7];      /* source school URN, "" when the header has none of 6 digits */
	char lea[8];      /* source school LEA and Estab, "" when absent */
	char estab[8];
	strpool pool;
} ctf_ctx;

typedef struct address {
	char *line1, *line2, *town, *postcode;
} address;

/* One FSM instance or SEN record: [from, until], until inclusive (INT32_MAX: open). */
typedef struct span {
	int32_t from, until;
	char sen[2]; /* "N" | "K" | "E"; "" for FSM */
} span;

typedef struct history {
	size_t nfsm, nsen;
	span fsm[HISTORY_MAX];
	span sen[HISTORY_MAX];
	bool has_fsm, has_sen; /* the element was there: absent ones leave the field unknown */
} history;

static void pool_clear(strpool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* Keeps s (taking it) until pool_clear. NULL s, or no memory, gives NULL (and sets oom). */
static char *pool_keep(strpool *p, char *s)
{
	if (!s) {
		p->oom = true;
		return NULL;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		char **v = realloc(p->v, cap * sizeof(*v));

		if (!v) {
			free(s);
			p->oom = true;
			return NULL;
		}
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = s;
	return s;
}

static bool is_named(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The first child element called name, or NULL. */
static xmlNode *child(const xmlNode *n, const char *name)
{
	if (!n)
		return NULL;
	for (xmlNode *c = n->children; c; c = c->next)
		if (is_named(c, name))
			return c;
	return NULL;
}

/* The element at a '/'-separated path of child names below n, or NULL. */
static xmlNode *at(const xmlNode *n, const char *path)
{
	char name[64];

	while (n && *path) {
		size_t k = strcspn(path, "/");

		if (k >= sizeof(name))
			return NULL;
		memcpy(name, path, k);
		name[k] = '\0';
		n = child(n, name);
		path += k + (path[k] == '/');
	}
	return (xmlNode *)n;
}

static uint32_t line_of(const xmlNode *n)
{
	long l = n ? xmlGetLineNo(n) : 0;

	return l < 0 ? 0 : (uint64_t)l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
}

/* Text of an element with spaces trimmed and inner runs of white space made one space; NULL
 * when the element is absent or has no text. Kept in the pool. */
static char *text(strpool *p, const xmlNode *n)
{
	xmlChar *raw;
	char *s, *o;
	bool space = false;

	if (!n)
		return NULL;
	raw = xmlNodeGetContent(n);
	if (!raw) {
		p->oom = true;
		return NULL;
	}
	s = strdup((const char *)raw);
	xmlFree(raw);
	if (!pool_keep(p, s))
		return NULL;
	o = s;
	for (const char *r = s; *r; r++) {
		if (isspace((unsigned char)*r)) {
			space = o != s;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = false;
		*o++ = *r;
	}
	*o = '\0';
	return *s ? s : NULL;
}

static char *text_at(strpool *p, const xmlNode *n, const char *path)
{
	return text(p, at(n, path));
}

/* parts joined with sep, NULL parts and empty ones left out; NULL when nothing is left. */
static char *join(strpool *p, const char *sep, char *const *parts, size_t nparts)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < nparts; i++)
		if (parts[i])
			len += strlen(parts[i]) + strlen(sep);
	s = pool_keep(p, malloc(len));
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < nparts; i++) {
		if (!parts[i])
			continue;
		if (s[0])
			strcat(s, sep);
		strcat(s, parts[i]);
	}
	return s[0] ? s : NULL;
}

static bool is_true(const char *s)
{
	return s && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcmp(s, "Y") == 0);
}

static void __attribute__((format(printf, 3, 4)))
warn(ctf_ctx *c, const xmlNode *n, const char *fmt, ...)
{
	char msg[REASON_MAX];
	va_list ap;

	if (!c->sink->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->sink->warn(c->sink->user, c->file, line_of(n), msg);
}

static void reject(ctf_ctx *c, const xmlNode *n, const char *field, const char *reason)
{
	if (c->sink->reject)
		c->sink->reject(c->sink->user, c->file, line_of(n), field, reason);
}

/* A date element: 0 and *day set, 1 when absent, -EINVAL when not a date. */
static int date_of(ctf_ctx *c, const xmlNode *n, int32_t *day)
{
	const char *s = text(&c->pool, n);

	if (!s)
		return 1;
	return date_parse(s, strlen(s), day) < 0 ? -EINVAL : 0;
}

/* BS7666 address (SAON, PAON, Street, Locality, Town) plus PostCode, below an <Address>. */
static void address_read(ctf_ctx *c, const xmlNode *addr, address *a)
{
	const xmlNode *bs = child(addr, "BS7666Address");
	char *street[3];

	memset(a, 0, sizeof(*a));
	if (!addr)
		return;
	if (!bs)
		bs = addr;
	street[0] = text_at(&c->pool, bs, "SAON");
	street[1] = text_at(&c->pool, bs, "PAON");
	street[2] = text_at(&c->pool, bs, "Street");
	a->line1 = join(&c->pool, " ", street, 3);
	a->line2 = text_at(&c->pool, bs, "Locality");
	a->town = text_at(&c->pool, bs, "Town");
	if (!a->town)
		a->town = text_at(&c->pool, bs, "PostTown");
	a->postcode = text_at(&c->pool, addr, "PostCode");
	if (!a->postcode)
		a->postcode = text_at(&c->pool, bs, "PostCode");
}

static char *address_line(ctf_ctx *c, const address *a)
{
	char *parts[4] = {a->line1, a->line2, a->town, a->postcode};

	return join(&c->pool, ", ", parts, 4);
}

/* EAL from SuppInfo's EnglishAsAdditionalLanguage, else from the first language: English
 * (ENG, or ENB "believed English") is not EAL, not obtained or refused is unknown. */
static void eal_read(ctf_ctx *c, const xmlNode *pupil, Rollcall__Pupil *p)
{
	const char *flag =
	        text_at(&c->pool, pupil, "BasicDetails/SuppInfo/EnglishAsAdditionalLanguage");
	const xmlNode *langs = at(pupil, "BasicDetails/Languages");

	if (!flag)
		flag = text_at(&c->pool, pupil, "SuppInfo/EnglishAsAdditionalLanguage");
	if (flag && (strcmp(flag, "Y") == 0 || strcmp(flag, "N") == 0)) {
		p->has_eal = 1;
		p->eal = flag[0] == 'Y';
		return;
	}
	for (const xmlNode *t = langs ? langs->children : NULL; t; t = t->next) {
		const char *type = text_at(&c->pool, t, "LanguageType");
		const char *lang = text_at(&c->pool, t, "Language");

		if (!is_named(t, "Type") || !type || strcmp(type, "F") != 0 || !lang)
			continue;
		if (strcmp(lang, "NOT") == 0 || strcmp(lang, "REF") == 0)
			return;
		p->has_eal = 1;
		p->eal = strcmp(lang, "ENG") != 0 && strcmp(lang, "ENB") != 0;
		return;
	}
}

/* Whether a SchoolHistory/School entry is the source school: same URN, or same LEA and Estab. */
static bool is_source_school(ctf_ctx *c, const xmlNode *school)
{
	const char *urn = text_at(&c->pool, school, "URN");
	const char *lea = text_at(&c->pool, school, "LEA");
	const char *estab = text_at(&c->pool, school, "Estab");

	if (c->urn[0] && urn && strcmp(urn, c->urn) == 0)
		return true;
	return c->lea[0] && c->estab[0] && lea && estab && strcmp(lea, c->lea) == 0 &&
	       strcmp(estab, c->estab) == 0;
}

/* admission_date (and leaving date and reason) from the source school's SchoolHistory entry,
 * the latest one when the pupil joined it twice; without one, the latest entry not left. */
static void admission_read(ctf_ctx *c, const xmlNode *pupil, Rollcall__Pupil *p)
{
	const xmlNode *hist = child(pupil, "SchoolHistory");
	const xmlNode *best = NULL, *open = NULL;
	int32_t best_day = 0, open_day = 0, day;

	for (const xmlNode *s = hist ? hist->children : NULL; s; s = s->next) {
		if (!is_named(s, "School") || date_of(c, child(s, "EntryDate"), &day) != 0)
			continue;
		if (is_source_school(c, s) && (!best || day > best_day)) {
			best = s;
			best_day = day;
		}
		if (!child(s, "LeavingDate") && (!open || day > open_day)) {
			open = s;
			open_day = day;
		}
	}
	if (!best) {
		best = open;
		best_day = open_day;
	}
	if (!best) {
		warn(c, pupil, "Pupil: no SchoolHistory entry gives an admission date");
		return;
	}
	p->has_admission_date = 1;
	p->admission_date = best_day;
	if (date_of(c, child(best, "LeavingDate"), &day) == 0) {
		p->has_leaving_date = 1;
		p->leaving_date = day;
		p->leaving_reason = text_at(&c->pool, best, "LeavingReason");
	}
}

/* CTF SEN provision as the contract's N|K|E: the pre-2014 School Action (A) and School Action
 * Plus (P) are SEN support, a statement (S) is the EHC plan's predecessor. */
static const char *sen_code(const char *prov)
{
	static const char *const map[][2] = {{"N", "N"}, {"K", "K"}, {"E", "E"},
	                                     {"A", "K"}, {"P", "K"}, {"S", "E"}};

	for (size_t i = 0; prov && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(prov, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* Reads one span's dates; a bad or missing start date leaves it out with a warning. */
static bool span_read(ctf_ctx *c, const xmlNode *n, const char *from_el, const char *until_el,
                      span *s)
{
	int rc = date_of(c, child(n, from_el), &s->from);

	if (rc != 0) {
		warn(c, n, "%s: %s %s; left out", (const char *)n->name, from_el,
		     rc > 0 ? "missing" : "not a date (YYYY-MM-DD)");
		return false;
	}
	rc = date_of(c, child(n, until_el), &s->until);
	if (rc > 0)
		s->until = INT32_MAX;
	if (rc < 0 || s->until < s->from) {
		warn(c, n, "%s: %s %s; left out", (const char *)n->name, until_el,
		     rc < 0 ? "not a date (YYYY-MM-DD)" : "before the start date");
		return false;
	}
	return true;
}

static void history_read(ctf_ctx *c, const xmlNode *pupil, history *h)
{
	const xmlNode *fsm = child(pupil, "FSMhistory");
	const xmlNode *sen = child(pupil, "SENhistory");

	memset(h, 0, sizeof(*h));
	h->has_fsm = fsm != NULL;
	h->has_sen = sen != NULL;
	for (const xmlNode *n = fsm ? fsm->children : NULL; n; n = n->next) {
		if (!is_named(n, "FSMinstance"))
			continue;
		if (h->nfsm == HISTORY_MAX) {
			warn(c, n, "FSMhistory: more than %d instances; the rest left out",
			     HISTORY_MAX);
			break;
		}
		if (span_read(c, n, "FSMstartDate", "FSMendDate", &h->fsm[h->nfsm]))
			h->nfsm++;
	}
	for (const xmlNode *n = sen ? sen->children : NULL; n; n = n->next) {
		const char *prov, *code;

		if (!is_named(n, "SEN"))
			continue;
		if (h->nsen == HISTORY_MAX) {
			warn(c, n, "SENhistory: more than %d records; the rest left out",
			     HISTORY_MAX);
			break;
		}
		prov = text_at(&c->pool, n, "SENprovision");
		code = sen_code(prov);
		if (!code) {
			warn(c, n, "SEN: SENprovision %s; left out",
			     prov ? "not N, K or E" : "missing");
			continue;
		}
		if (span_read(c, n, "StartDate", "EndDate", &h->sen[h->nsen])) {
			strcpy(h->sen[h->nsen].sen, code);
			h->nsen++;
		}
	}
}

/* FSM and SEN as they were on day. */
static void history_state(const history *h, int32_t day, bool *fsm, const char **sen)
{
	int32_t sen_from = INT32_MIN;

	*fsm = false;
	*sen = "N";
	for (size_t i = 0; i < h->nfsm; i++)
		if (h->fsm[i].from <= day && day <= h->fsm[i].until)
			*fsm = true;
	for (size_t i = 0; i < h->nsen; i++)
		if (h->sen[i].from <= day && day <= h->sen[i].until && h->sen[i].from >= sen_from) {
			*sen = h->sen[i].sen;
			sen_from = h->sen[i].from;
		}
}

static int day_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Sends p once per change of FSM or SEN, oldest first, effective_from set; a day on which
 * nothing changes sends nothing. Without history, sends p once as it is. */
static int history_emit(ctf_ctx *c, const history *h, Rollcall__Pupil *p)
{
	int32_t days[4 * HISTORY_MAX];
	size_t n = 0;
	bool fsm, last_fsm = false;
	const char *sen, *last_sen = NULL;
	int rc = 0;

	for (size_t i = 0; i < h->nfsm; i++) {
		days[n++] = h->fsm[i].from;
		if (h->fsm[i].until != INT32_MAX)
			days[n++] = h->fsm[i].until + 1;
	}
	for (size_t i = 0; i < h->nsen; i++) {
		days[n++] = h->sen[i].from;
		if (h->sen[i].until != INT32_MAX)
			days[n++] = h->sen[i].until + 1;
	}
	qsort(days, n, sizeof(days[0]), day_cmp);
	p->has_fsm = 0;
	p->sen = NULL;
	if (n == 0) {
		/* No change dates: what the file says now, or nothing when it has no history. */
		history_state(h, 0, &fsm, &sen);
		p->has_fsm = h->has_fsm;
		p->fsm = fsm;
		p->sen = h->has_sen ? (char *)sen : NULL;
		return c->sink->pupil ? c->sink->pupil(c->sink->user, p) : 0;
	}
	for (size_t i = 0; i < n && rc >= 0; i++) {
		if (i > 0 && days[i] == days[i - 1])
			continue;
		history_state(h, days[i], &fsm, &sen);
		if (last_sen && fsm == last_fsm && strcmp(sen, last_sen) == 0)
			continue;
		last_fsm = fsm;
		last_sen = sen;
		p->has_effective_from = 1;
		p->effective_from = days[i];
		p->has_fsm = h->has_fsm;
		p->fsm = fsm;
		p->sen = h->has_sen ? (char *)sen : NULL;
		if (c->sink->pupil)
			rc = c->sink->pupil(c->sink->user, p);
	}
	return rc;
}

/* The pupil's own fields. Returns the element at fault (and the reason) when the pupil must be
 * rejected, NULL when p is good. */
static const char *pupil_fill(ctf_ctx *c, const xmlNode *pupil, Rollcall__Pupil *p,
                              const xmlNode **where, char *why, size_t whylen)
{
	const char *gender, *ncy, *in_care;
	const xmlNode *dob = child(pupil, "DOB");
	address a;
	int rc;

	p->surname = text_at(&c->pool, pupil, "Surname");
	p->forename = text_at(&c->pool, pupil, "Forename");
	*where = pupil;
	if (!p->surname || !p->forename) {
		snprintf(why, whylen, "required");
		return p->surname ? "Forename" : "Surname";
	}
	rc = date_of(c, dob, &p->date_of_birth);
	if (rc != 0) {
		*where = dob ? dob : pupil;
		snprintf(why, whylen, "%s", rc > 0 ? "required" : "not a date (YYYY-MM-DD)");
		return "DOB";
	}
	p->has_date_of_birth = 1;
	p->preferred_forename = text_at(&c->pool, pupil, "BasicDetails/PreferredForename");
	gender = text_at(&c->pool, pupil, "Gender");
	if (gender)
		p->sex = strcmp(gender, "M") == 0 ? "M" : strcmp(gender, "F") == 0 ? "F" : "U";
	ncy = text_at(&c->pool, pupil, "BasicDetails/NCyearActual");
	/* A CTF year group Rollcall does not know is left out with a warning rather than costing
	 * the pupil (the CTF carries more than the register needs). */
	if (ncy && ncyear_parse(ncy, strlen(ncy)) != NCYEAR_UNKNOWN)
		p->nc_year = (char *)ncyear_name(ncyear_parse(ncy, strlen(ncy)));
	else if (ncy)
		warn(c, at(pupil, "BasicDetails/NCyearActual"),
		     "NCyearActual: not " NCYEAR_EXPECTED "; left out");
	p->ethnicity = text_at(&c->pool, pupil, "BasicDetails/Ethnicity");
	address_read(c, child(pupil, "Address"), &a);
	p->address_line1 = a.line1;
	p->address_line2 = a.line2;
	p->town = a.town;
	p->postcode = a.postcode;
	admission_read(c, pupil, p);
	eal_read(c, pupil, p);
	in_care = text_at(&c->pool, pupil, "LookedAfter/InCare");
	if (!in_care)
		in_care = text_at(&c->pool, pupil, "BasicDetails/LookedAfter/InCare");
	if (!in_care)
		in_care = text_at(&c->pool, pupil, "InCare");
	if (is_true(in_care))
		p->social_care = "CLA";
	return NULL;
}

static int contacts_emit(ctf_ctx *c, const xmlNode *pupil, const char *upn, const address *home)
{
	const xmlNode *list = child(pupil, "Contacts");
	int rc = 0;

	for (const xmlNode *n = list ? list->children : NULL; n && rc >= 0; n = n->next) {
		Rollcall__Contact k = ROLLCALL__CONTACT__INIT;
		const xmlNode *addr = child(n, "Address");
		char *name[3];
		const char *order;
		address a;

		if (!is_named(n, "Contact"))
			continue;
		name[0] = text_at(&c->pool, n, "Title");
		name[1] = text_at(&c->pool, n, "Forename");
		name[2] = text_at(&c->pool, n, "Surname");
		k.has_line = 1;
		k.line = line_of(n);
		k.upn = (char *)upn;
		k.name = join(&c->pool, " ", name, 3);
		if (!name[1] && !name[2]) {
			reject(c, n, "Surname", "required");
			continue;
		}
		k.relationship = text_at(&c->pool, n, "Relationship");
		order = text_at(&c->pool, n, "Order");
		if (order) {
			char *end;
			unsigned long v = strtoul(order, &end, 10);

			if (isdigit((unsigned char)order[0]) && *end == '\0' && v > 0 && v <= 99) {
				k.has_priority = 1;
				k.priority = (uint32_t)v;
			} else {
				warn(c, child(n, "Order"),
				     "Contact: Order not a number 1..99; left out");
			}
		}
		if (addr) {
			k.has_lives_with = 1;
			k.lives_with = is_true(text_at(&c->pool, addr, "AddressAsPupil"));
			if (k.lives_with) {
				k.address = address_line(c, home);
			} else {
				address_read(c, addr, &a);
				k.address = address_line(c, &a);
			}
		}
		k.phone = text_at(&c->pool, n, "Phones/Phone/PhoneNo");
		if (c->sink->contact)
			rc = c->sink->contact(c->sink->user, &k);
	}
	return rc;
}

/* One AttendanceMarks string: two characters a day from the start date, AM then PM; '-' or a
 * space is no session, anything else a one-character code checked for its day. */
static int marks_block_emit(ctf_ctx *c, const xmlNode *block, const char *upn)
{
	const xmlNode *start_el = child(block, "AttendanceStartDate");
	const xmlNode *marks_el = child(block, "AttendanceMarks");
	xmlChar *raw = NULL;
	int32_t start;
	int rc = 0;

	if (date_of(c, start_el, &start) != 0) {
		reject(c, start_el ? start_el : block, "AttendanceStartDate",
		       start_el ? "not a date (YYYY-MM-DD)" : "required");
		goto out;
	}
	raw = xmlNodeGetContent(marks_el);
	if (!raw) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; raw[i] && rc >= 0; i++) {
		Rollcall__Mark m = ROLLCALL__MARK__INIT;
		const rc_code *code;
		char why[REASON_MAX], msg[REASON_MAX + 32], ymd[11];
		char ch = (char)raw[i];
		int32_t day = start + (int32_t)(i / 2);

		if (ch == '-' || ch == ' ')
			continue;
		if (codes_check(&ch, 1, day, &code, why, sizeof(why)) < 0) {
			snprintf(msg, sizeof(msg), "%s (%s %s)", why, date_format(day, ymd),
			         i % 2 ? "PM" : "AM");
			reject(c, marks_el, "AttendanceMarks", msg);
			continue;
		}
		m.has_line = 1;
		m.line = line_of(marks_el);
		m.upn = (char *)upn;
		m.has_date = 1;
		m.date = day;
		m.has_session = 1;
		m.session = i % 2 ? ROLLCALL__SESSION__PM : ROLLCALL__SESSION__AM;
		m.code = (char *)code->code;
		if (c->sink->mark)
			rc = c->sink->mark(c->sink->user, &m);
	}
out:
	xmlFree(raw);
	return rc;
}

/* Marks blocks are the elements under <Attendance> that hold an <AttendanceMarks>
 * (<AttendSessions> or <SessionAttendance>, at whatever depth the supplier put them). */
static int marks_emit(ctf_ctx *c, const xmlNode *n, const char *upn)
{
	int rc = 0;

	for (const xmlNode *k = n ? n->children : NULL; k && rc >= 0; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (child(k, "AttendanceMarks"))
			rc = marks_block_emit(c, k, upn);
		else
			rc = marks_emit(c, k, upn);
	}
	return rc;
}

static int pupil_read(ctf_ctx *c, const xmlNode *pupil)
{
	Rollcall__Pupil p = ROLLCALL__PUPIL__INIT;
	const xmlNode *upn_el = child(pupil, "UPN"), *where = NULL;
	const char *bad;
	char why[REASON_MAX];
	history *h = NULL;
	address home;
	int rc = 0;

	p.upn = text(&c->pool, upn_el);
	if (!p.upn) {
		reject(c, upn_el ? upn_el : pupil, "UPN", "required");
		goto out;
	}
	if (upn_check(p.upn, strlen(p.upn), why, sizeof(why)) < 0) {
		reject(c, upn_el, "UPN", why);
		goto out;
	}
	p.has_line = 1;
	p.line = line_of(pupil);
	bad = pupil_fill(c, pupil, &p, &where, why, sizeof(why));
	if (bad) {
		/* The UPN is good: contacts and marks still go, for a pupil the server may know. */
		reject(c, where, bad, why);
	} else {
		h = malloc(sizeof(*h));
		if (!h) {
			rc = -ENOMEM;
			goto out;
		}
		history_read(c, pupil, h);
		rc = history_emit(c, h, &p);
		if (rc < 0)
			goto out;
	}
	address_read(c, child(pupil, "Address"), &home);
	rc = contacts_emit(c, pupil, p.upn, &home);
	if (rc < 0)
		goto out;
	rc = marks_emit(c, child(pupil, "Attendance"), p.upn);
out:
	if (rc >= 0 && c->pool.oom)
		rc = -ENOMEM;
	free(h);
	pool_clear(&c->pool);
	return rc;
}

static void header_read(ctf_ctx *c, const xmlNode *root, const struct stat *st, export_info *info)
{
	const xmlNode *src = at(root, "Header/SourceSchool");
	const char *urn = text_at(&c->pool, src, "URN");
	const char *lea = text_at(&c->pool, src, "LEA");
	const char *estab = text_at(&c->pool, src, "Estab");
	const xmlNode *dt = at(root, "Header/DateTime");
	const char *when = text(&c->pool, dt);
	int32_t day;

	if (urn && strlen(urn) == 6 && strspn(urn, "0123456789") == 6)
		strcpy(c->urn, urn);
	if (lea && strlen(lea) < sizeof(c->lea))
		strcpy(c->lea, lea);
	if (estab && strlen(estab) < sizeof(c->estab))
		strcpy(c->estab, estab);
	info->school_urn = c->urn[0] ? (uint32_t)strtoul(c->urn, NULL, 10) : 0;
	/* DateTime has no zone ("2020-06-19T12:12:27"): only its date is wanted. */
	if (when && strlen(when) >= 10 && date_parse(when, 10, &day) == 0) {
		info->exported_on = day;
	} else {
		warn(c, dt ? dt : root, "Header: DateTime missing or not a date; file time used");
		info->exported_on = (int32_t)(st->st_mtime / 86400);
	}
	pool_clear(&c->pool);
}

typedef struct xml_error {
	int line;
	char msg[REASON_MAX];
	int entity_line; /* where the first entity declaration was, 0: none */
} xml_error;

/* libxml2's structured error callback: keeps the first error, without its line end. */
static void xml_error_keep(void *user, xmlErrorPtr e)
{
	xml_error *first = ((xmlParserCtxtPtr)user)->_private;
	size_t n;

	if (!first || first->msg[0] || !e || e->level < XML_ERR_ERROR || !e->message)
		return;
	first->line = e->line;
	snprintf(first->msg, sizeof(first->msg), "%s", e->message);
	n = strlen(first->msg);
	while (n > 0 && isspace((unsigned char)first->msg[n - 1]))
		first->msg[--n] = '\0';
}

/* A CTF declares no entities; one that does is refused before any is used: an entity's text is
 * copied wherever it is referenced (xmlNodeGetContent expands references), so a small file of
 * nested or repeated references can expand to gigabytes. libxml2's own amplification check
 * catches deep nesting only. */
static void entity_refused(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                           const xmlChar *system_id, xmlChar *content)
{
	xmlParserCtxtPtr ctxt = ctx;
	xml_error *first = ctxt->_private;

	if (!first->entity_line)
		first->entity_line = ctxt->input ? ctxt->input->line : 1;
	xmlStopParser(ctxt);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int export_read_ctf(const char *path, const export_sink *sink, export_info *info, char *err,
                    size_t errlen)
{
	ctf_ctx c = {.sink = sink, .file = base_name(path)};
	export_info dummy;
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	const xmlNode *root, *data;
	struct stat st;
	xml_error first = {0, "", 0};
	int rc = 0;

	if (errlen)
		err[0] = '\0';
	if (!info)
		info = &dummy;
	if (stat(path, &st) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot read (%s)", c.file, strerror(errno));
		goto out;
	}
	if (st.st_size > CTF_MAX_BYTES) {
		rc = -EFBIG;
		snprintf(err, errlen, "%s: %lld bytes, more than the %ld MiB a CTF may be", c.file,
		         (long long)st.st_size, CTF_MAX_BYTES >> 20);
		goto out;
	}
	xmlInitParser();
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", c.file);
		goto out;
	}
	/* libxml2 prints nothing (NOERROR, NOWARNING); the first error, the one that explains the
	 * rest, is kept for err. No network, no external DTD, no entity substitution (no NOENT,
	 * no DTDLOAD) and libxml2's default limits (no HUGE: text nodes, names and depth are
	 * bounded); an entity declaration stops the parse. BIG_LINES keeps element lines right
	 * past line 65535. */
	ctxt->_private = &first;
	ctxt->sax->serror = xml_error_keep;
	ctxt->sax->entityDecl = entity_refused;
	doc = xmlCtxtReadFile(ctxt, path, NULL,
	                      XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_BIG_LINES |
	                              XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (first.entity_line) {
		rc = -EINVAL;
		snprintf(err, errlen,
		         "%s:%d: declares an entity (<!ENTITY>), which a CTF never does: refused, "
		         "as entities can expand without bound",
		         c.file, first.entity_line);
		goto out;
	}
	if (!doc) {
		rc = -EINVAL;
		snprintf(err, errlen, "%s:%d: not well-formed XML (%s)", c.file, first.line,
		         first.msg[0] ? first.msg : "unknown error");
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (!is_named(root, "CTfile")) {
		rc = -EINVAL;
		snprintf(err, errlen, "%s: not a CTF (root element is not CTfile)", c.file);
		goto out;
	}
	header_read(&c, root, &st, info);
	data = child(root, "CTFpupilData");
	for (const xmlNode *n = data ? data->children : NULL; n && rc >= 0; n = n->next)
		if (is_named(n, "Pupil"))
			rc = pupil_read(&c, n);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", c.file);
	else if (rc < 0)
		snprintf(err, errlen, "%s: reading stopped by the sink (%d)", c.file, rc);
out:
	pool_clear(&c.pool);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}
