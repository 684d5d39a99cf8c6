/* sqlscope: finds the SQL in C sources and checks that every statement touching a table that
 * is distributed by school (Citus, deploy/citus/) is pinned to a school, so the hot paths stay
 * single-school as the code changes. A mention of such a table passes when the statement
 * compares its school_urn with a parameter or a constant (directly, or through a chain of
 * school_urn equalities and USING (school_urn ...) joins to a mention that is), or, for
 * INSERT INTO / COPY ... FROM, when the rows carry school_urn. Anything else must be listed, with
 * its reason, in the allow-list; an entry that no longer matches is an error too.
 * Usage: sqlscope [--allow FILE] TABLES FILE.c...   (TABLES: comma-separated)
 * Output: "file:line: context: table: why" per finding; exit 0 clean, 1 findings, 2 usage. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TABLES   64
#define MAX_NAME     64
#define MAX_TOKENS   4096
#define MAX_MENTIONS 64
#define MAX_ALLOW    256

typedef enum { TK_WORD, TK_PARAM, TK_NUMBER, TK_PUNCT } tok_kind;

typedef struct tok {
	tok_kind kind;
	char text[MAX_NAME];
	int depth; /* parenthesis depth the token is at */
} tok;

typedef struct mention {
	char table[MAX_NAME];
	char name[MAX_NAME]; /* its alias, or the table itself */
	int pos;
	int group;       /* union-find parent */
	bool pinned;     /* restricted to a school by a parameter or constant */
	bool joined;     /* tied to another relation by school_urn */
	bool carries;    /* INSERT / COPY FROM whose rows name school_urn */
	bool reads;      /* needs a restriction (not an insert) */
	const char *why; /* what is wrong with it, or NULL */
} mention;

typedef struct allow_entry {
	char file[256], context[MAX_NAME], table[MAX_NAME];
	int line, used;
} allow_entry;

static char s_tables[MAX_TABLES][MAX_NAME];
static int s_ntables;
static allow_entry s_allow[MAX_ALLOW];
static int s_nallow;
static int s_findings;

static const char *const keywords[] = {
        "select",   "from",  "where",    "join",      "left",      "right",  "inner",  "full",
        "cross",    "on",    "using",    "group",     "order",     "by",     "limit",  "offset",
        "window",   "union", "except",   "intersect", "returning", "for",    "values", "set",
        "default",  "to",    "having",   "natural",   "lateral",   "do",     "and",    "or",
        "not",      "as",    "into",     "insert",    "update",    "delete", "copy",   "with",
        "only",     "outer", "conflict", "is",        "null",      "in",     "any",    "between",
        "distinct", "stdin", "stdout",   "truncate",  "table",     NULL};

static bool is_keyword(const char *w)
{
	for (const char *const *k = keywords; *k; k++)
		if (!strcasecmp(*k, w))
			return true;
	return false;
}

static bool word_is(const tok *t, const char *w)
{
	return t->kind == TK_WORD && !strcasecmp(t->text, w);
}

static bool punct_is(const tok *t, char c)
{
	return t->kind == TK_PUNCT && t->text[0] == c && !t->text[1];
}

/* The distributed table a word names: the table itself, or one of its yearly partitions
 * (mark_version_2025); NULL when it is none. */
static const char *table_of(const char *w)
{
	for (int i = 0; i < s_ntables; i++) {
		size_t n = strlen(s_tables[i]);

		if (strncasecmp(w, s_tables[i], n))
			continue;
		if (!w[n])
			return s_tables[i];
		if (w[n] == '_' && isdigit((unsigned char)w[n + 1])) {
			const char *p = w + n + 1;

			while (isdigit((unsigned char)*p))
				p++;
			if (!*p)
				return s_tables[i];
		}
	}
	return NULL;
}

/* Splits SQL text into tokens. A printf conversion (%u, %s) is a parameter, and one glued to a
 * word (mark_version%s) is dropped from it; quoted strings and comments are skipped. Returns
 * the number of tokens, or -1 when there are more than max. */
static int tokenize(const char *s, tok *out, int max)
{
	int n = 0, depth = 0;

	while (*s) {
		if (n == max)
			return -1;
		tok *t = &out[n];
		size_t len = 0;

		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (s[0] == '-' && s[1] == '-') {
			while (*s && *s != '\n')
				s++;
			continue;
		}
		if (*s == '\'') {
			for (s++; *s && !(*s == '\'' && s[1] != '\''); s++)
				if (*s == '\'')
					s++;
			if (*s)
				s++;
			continue;
		}
		memset(t, 0, sizeof(*t));
		if (isalpha((unsigned char)*s) || *s == '_' || *s == '"') {
			bool quoted = *s == '"';

			if (quoted)
				s++;
			while (*s &&
			       (isalnum((unsigned char)*s) || *s == '_' || (quoted && *s != '"'))) {
				if (len + 1 < sizeof(t->text))
					t->text[len++] = *s;
				s++;
			}
			if (quoted && *s == '"')
				s++;
			while (*s == '%' && isalpha((unsigned char)s[1])) /* a printf'd suffix */
				for (s++; isalpha((unsigned char)*s); s++)
					;
			t->kind = TK_WORD;
		} else if ((*s == '$' && isdigit((unsigned char)s[1])) ||
		           (*s == '%' && isalpha((unsigned char)s[1]))) {
			for (s++; isalnum((unsigned char)*s); s++)
				;
			strcpy(t->text, "?");
			t->kind = TK_PARAM;
		} else if (isdigit((unsigned char)*s)) {
			for (; isdigit((unsigned char)*s) || *s == '.'; s++)
				if (len + 1 < sizeof(t->text))
					t->text[len++] = *s;
			t->kind = TK_NUMBER;
		} else {
			if (*s == ')')
				depth--;
			t->text[0] = *s;
			t->kind = TK_PUNCT;
			t->depth = depth;
			if (*s == '(')
				depth++;
			s++;
			n++;
			continue;
		}
		t->depth = depth;
		n++;
	}
	return n;
}

/* The index just past the group that opens at toks[i] ('('), or n. */
static int group_end(const tok *toks, int n, int i)
{
	int d = toks[i].depth;

	for (int j = i + 1; j < n; j++)
		if (punct_is(&toks[j], ')') && toks[j].depth == d)
			return j + 1;
	return n;
}

/* Where the scope of a mention at pos ends: the close of its enclosing group. */
static int scope_end(const tok *toks, int n, int pos)
{
	int d = toks[pos].depth;

	for (int j = pos + 1; j < n; j++)
		if (punct_is(&toks[j], ')') && toks[j].depth < d)
			return j;
	return n;
}

/* Whether toks[i] is a school_urn column reference; *qual gets its qualifier ("" if none). */
static bool is_urn(const tok *toks, int i, const char **qual)
{
	if (!word_is(&toks[i], "school_urn"))
		return false;
	*qual = i >= 2 && punct_is(&toks[i - 1], '.') && toks[i - 2].kind == TK_WORD
	                ? toks[i - 2].text
	                : "";
	if (i >= 1 && punct_is(&toks[i - 1], '.') && !**qual)
		return false;
	return true;
}

/* What school_urn at i is compared with: 1 a parameter or constant (pins it), 2 another
 * column (other gets its qualifier), 0 neither. */
static int compared_with(const tok *toks, int n, int i, const char **other)
{
	const tok *next = i + 1 < n ? &toks[i + 1] : NULL;
	const tok *prev = i >= 1 ? &toks[i - 1] : NULL;
	int j;

	*other = "";
	if (prev && punct_is(prev, '.'))
		prev = i >= 3 ? &toks[i - 3] : NULL;
	if (next && (punct_is(next, '=') || word_is(next, "in"))) {
		j = i + 2;
		if (j < n && word_is(&toks[j], "any"))
			j++;
		while (j < n && punct_is(&toks[j], '('))
			j++;
		if (j >= n)
			return 0;
		if (toks[j].kind == TK_PARAM || toks[j].kind == TK_NUMBER)
			return 1;
		if (toks[j].kind == TK_WORD && j + 2 < n && punct_is(&toks[j + 1], '.') &&
		    word_is(&toks[j + 2], "school_urn")) {
			*other = toks[j].text;
			return 2;
		}
		return 0;
	}
	if (prev && punct_is(prev, '=')) {
		const tok *before = prev - 1;

		if (prev > toks && (before->kind == TK_PARAM || before->kind == TK_NUMBER))
			return 1;
		if (prev - toks >= 3 && word_is(before, "school_urn") &&
		    punct_is(before - 1, '.')) {
			*other = (before - 2)->text;
			return 2;
		}
	}
	return 0;
}

static int find(mention *m, int i)
{
	while (m[i].group != i)
		i = m[i].group = m[m[i].group].group;
	return i;
}

static void unite(mention *m, int a, int b)
{
	m[find(m, a)].group = find(m, b);
}

/* Where the group enclosing a mention at pos opens (its '('), or 0 at the top. */
static int scope_start(const tok *toks, int pos)
{
	for (int j = pos - 1; j >= 0; j--)
		if (punct_is(&toks[j], '(') && toks[j].depth < toks[pos].depth)
			return j;
	return 0;
}

/* The mention a qualifier at i names: of those called name, the innermost whose enclosing
 * group holds i (an alias may be used again in another subquery); -1 when none. */
static int mention_named(const mention *m, int nm, const char *name, const tok *toks, int n, int i)
{
	int best = -1;

	for (int a = 0; a < nm; a++) {
		if (strcasecmp(m[a].name, name))
			continue;
		if (i < scope_start(toks, m[a].pos) || i >= scope_end(toks, n, m[a].pos))
			continue;
		if (best < 0 || toks[m[a].pos].depth > toks[m[best].pos].depth)
			best = a;
	}
	return best;
}

/* Whether the column list opening at toks[i] names school_urn. */
static bool list_has_urn(const tok *toks, int n, int i)
{
	int end = group_end(toks, n, i);

	for (int j = i + 1; j < end; j++)
		if (word_is(&toks[j], "school_urn"))
			return true;
	return false;
}

static allow_entry *allowed(const char *file, const char *context, const char *table)
{
	for (int i = 0; i < s_nallow; i++) {
		allow_entry *a = &s_allow[i];
		size_t fl = strlen(file), al = strlen(a->file);

		/* The list names files from the source root; the tool may get longer paths. */
		if (fl >= al && !strcmp(file + fl - al, a->file) &&
		    (fl == al || file[fl - al - 1] == '/') && !strcmp(a->context, context) &&
		    !strcasecmp(a->table, table))
			return a;
	}
	return NULL;
}

static void finding(const char *file, int line, const char *context, const char *table,
                    const char *why)
{
	allow_entry *a = allowed(file, context, table);

	if (a) {
		a->used++;
		return;
	}
	printf("%s:%d: %s: %s: %s\n", file, line, context, table, why);
	s_findings++;
}

/* Checks one statement. */
static void check_sql(const char *file, int line, const char *context, const char *sql)
{
	static tok toks[MAX_TOKENS];
	mention m[MAX_MENTIONS];
	int n = tokenize(sql, toks, MAX_TOKENS), nm = 0;
	bool helper_copy;

	if (n < 0) {
		finding(file, line, context, "(statement)", "too long to check: raise MAX_TOKENS");
		return;
	}
	if (n == 0)
		return;
	/* SQL starts with a verb (or a parenthesis); a bare "table (columns)" is the target a
	 * COPY helper is given. */
	helper_copy = toks[0].kind == TK_WORD && table_of(toks[0].text) && n > 1 &&
	              punct_is(&toks[1], '(');
	if (!helper_copy && !punct_is(&toks[0], '(') && !word_is(&toks[0], "select") &&
	    !word_is(&toks[0], "insert") && !word_is(&toks[0], "update") &&
	    !word_is(&toks[0], "delete") && !word_is(&toks[0], "copy") &&
	    !word_is(&toks[0], "with") && !word_is(&toks[0], "truncate"))
		return;

	for (int i = 0; i < n; i++) {
		const char *table;
		const tok *prev;
		mention *me;
		int j;

		if (toks[i].kind != TK_WORD || !(table = table_of(toks[i].text)))
			continue;
		if ((i + 1 < n && punct_is(&toks[i + 1], '.')) ||
		    (i > 0 && punct_is(&toks[i - 1], '.')))
			continue; /* a qualified column or a schema-qualified name */
		prev = i > 0 ? &toks[i - 1] : NULL;
		if (prev && word_is(prev, "only"))
			prev = i > 1 ? &toks[i - 2] : NULL;
		if (!(i == 0 && helper_copy) &&
		    !(prev &&
		      (word_is(prev, "from") || word_is(prev, "join") || word_is(prev, "into") ||
		       word_is(prev, "update") || word_is(prev, "copy") || word_is(prev, "using") ||
		       word_is(prev, "truncate") || word_is(prev, "table") || punct_is(prev, ','))))
			continue;
		if (prev && punct_is(prev, ',')) {
			/* A comma join only within a FROM list at this depth. */
			bool in_from = false;

			for (j = i - 1; j >= 0 && toks[j].depth >= toks[i].depth; j--) {
				if (toks[j].depth != toks[i].depth || toks[j].kind != TK_WORD)
					continue;
				if (word_is(&toks[j], "from"))
					in_from = true;
				if (is_keyword(toks[j].text))
					break;
			}
			if (!in_from)
				continue;
		}
		if (nm == MAX_MENTIONS) {
			finding(file, line, context, table,
			        "too many tables to check: raise MAX_MENTIONS");
			return;
		}
		me = &m[nm];
		memset(me, 0, sizeof(*me));
		snprintf(me->table, sizeof(me->table), "%s", table);
		snprintf(me->name, sizeof(me->name), "%s", toks[i].text);
		me->pos = i;
		me->group = nm;
		me->reads = true;
		j = i + 1;
		if (j < n && word_is(&toks[j], "as"))
			j++;
		if (j < n && toks[j].kind == TK_WORD && !is_keyword(toks[j].text)) {
			snprintf(me->name, sizeof(me->name), "%s", toks[j].text);
			j++;
		}
		if ((i == 0 && helper_copy) ||
		    (prev && (word_is(prev, "into") || word_is(prev, "copy")))) {
			bool from = i == 0 && helper_copy, list = j < n && punct_is(&toks[j], '(');
			int k = list ? group_end(toks, n, j) : j;

			if (prev && word_is(prev, "copy"))
				from = k < n && word_is(&toks[k], "from");
			if (!prev || word_is(prev, "into") || from) {
				me->reads = false;
				me->carries = list && list_has_urn(toks, n, j);
			}
		}
		nm++;
	}
	if (nm == 0)
		return;

	/* Pins and joins. A qualified school_urn belongs to the mention of that name; an
	 * unqualified one to each mention whose scope holds it outside any subquery. */
	for (int i = 0; i < n; i++) {
		const char *qual, *other;
		int how, a, b;

		if (!is_urn(toks, i, &qual))
			continue;
		how = compared_with(toks, n, i, &other);
		if (!how)
			continue;
		if (*qual) {
			a = mention_named(m, nm, qual, toks, n, i);
			if (a < 0)
				continue;
			if (how == 1) {
				m[a].pinned = true;
			} else {
				m[a].joined = true;
				b = mention_named(m, nm, other, toks, n, i);
				if (b >= 0) {
					m[b].joined = true;
					unite(m, a, b);
				}
			}
			continue;
		}
		for (a = 0; a < nm; a++) {
			int end = scope_end(toks, n, m[a].pos);
			bool inside = false;

			if (i < m[a].pos || i >= end)
				continue;
			for (int j = m[a].pos + 1; j < i; j++) {
				if (punct_is(&toks[j], '(') && j + 1 < n &&
				    (word_is(&toks[j + 1], "select") ||
				     word_is(&toks[j + 1], "with")) &&
				    group_end(toks, n, j) > i) {
					inside = true;
					break;
				}
			}
			if (inside)
				continue;
			if (how == 1)
				m[a].pinned = true;
			else
				m[a].joined = true;
		}
	}
	/* JOIN ... USING (school_urn, ...) ties the joined mention to those before it in its
	 * FROM list (same depth). */
	for (int i = 0; i + 1 < n; i++) {
		int right = -1;

		if (!word_is(&toks[i], "using") || !punct_is(&toks[i + 1], '(') ||
		    !list_has_urn(toks, n, i + 1))
			continue;
		for (int a = 0; a < nm; a++)
			if (m[a].pos < i && toks[m[a].pos].depth == toks[i].depth)
				right = a;
		if (right < 0)
			continue;
		m[right].joined = true;
		for (int a = 0; a < right; a++)
			if (toks[m[a].pos].depth == toks[i].depth) {
				m[a].joined = true;
				unite(m, a, right);
			}
	}
	for (int a = 0; a < nm; a++)
		if (m[a].pinned)
			m[find(m, a)].pinned = true;

	for (int a = 0; a < nm; a++) {
		const char *why = NULL;

		if (!m[a].reads) {
			if (!m[a].carries)
				why = "rows written without a school_urn column list";
		} else if (!m[find(m, a)].pinned) {
			why = m[a].joined ? "joined by school_urn but not pinned to a school (all "
			                    "schools in reach)"
			                  : "no school_urn restriction (reads every school)";
		}
		for (int b = 0; why && b < a; b++) /* one line per table and reason */
			if (!strcmp(m[b].table, m[a].table) && m[b].why == why)
				why = NULL;
		m[a].why = why;
		if (why)
			finding(file, line, context, m[a].table, why);
	}
}

/* Reads the allow-list: "FILE CONTEXT TABLE -- reason", comments with '#'. */
static int load_allow(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int ln = 0, rc = 0;

	if (!f) {
		fprintf(stderr, "sqlscope: %s: cannot open (%s)\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		allow_entry *a;
		char *reason;
		int got;

		ln++;
		if (line[strspn(line, " \t")] == '#' || line[strspn(line, " \t\r\n")] == 0)
			continue;
		if (s_nallow == MAX_ALLOW) {
			fprintf(stderr, "sqlscope: %s:%d: too many entries\n", path, ln);
			rc = -1;
			break;
		}
		a = &s_allow[s_nallow];
		memset(a, 0, sizeof(*a));
		reason = strstr(line, " -- ");
		got = sscanf(line, "%255s %63s %63s", a->file, a->context, a->table);
		if (got != 3 || !reason || strspn(reason + 4, " \t\r\n") == strlen(reason + 4)) {
			fprintf(stderr,
			        "sqlscope: %s:%d: want \"FILE CONTEXT TABLE -- reason\" (the "
			        "reason "
			        "is required)\n",
			        path, ln);
			rc = -1;
			continue;
		}
		a->line = ln;
		s_nallow++;
	}
	fclose(f);
	return rc;
}

/* A growable text buffer, always terminated. */
typedef struct text {
	char *s;
	size_t len, cap;
} text;

static int text_add(text *t, const char *p, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		char *q;

		while (cap < t->len + n + 1)
			cap *= 2;
		q = realloc(t->s, cap);
		if (!q)
			return -1;
		t->s = q;
		t->cap = cap;
	}
	memcpy(t->s + t->len, p, n);
	t->len += n;
	t->s[t->len] = 0;
	return 0;
}

/* Scans one C file: string literals that follow each other (with only white space, comments
 * or macro names between them) are one statement; the context is the function, or the
 * variable a file-scope string initialises. */
static int scan_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char context[MAX_NAME] = "(file)", last_word[MAX_NAME] = "", candidate[MAX_NAME] = "";
	text src = {0}, sql = {0};
	int line = 1, sql_line = 0, braces = 0, parens = 0, rc = 0;
	bool in_sql = false, line_start = true;
	char buf[65536];
	size_t got;

	if (!f) {
		fprintf(stderr, "sqlscope: %s: cannot open (%s)\n", path, strerror(errno));
		return -1;
	}
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		if (text_add(&src, buf, got) < 0)
			goto oom;
	if (text_add(&src, "", 0) < 0 || text_add(&sql, "", 0) < 0)
		goto oom;

	for (const char *s = src.s; *s;) {
		if (*s == '\n') {
			line++;
			line_start = true;
			s++;
			continue;
		}
		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (s[0] == '/' && s[1] == '*') {
			for (s += 2; *s && !(s[0] == '*' && s[1] == '/'); s++)
				if (*s == '\n')
					line++;
			s += *s ? 2 : 0;
			continue;
		}
		if (s[0] == '/' && s[1] == '/') {
			while (*s && *s != '\n')
				s++;
			continue;
		}
		if (line_start && *s == '#') { /* a preprocessor line, with its continuations */
			for (; *s && !(*s == '\n' && s[-1] != '\\'); s++)
				if (*s == '\n')
					line++;
			continue;
		}
		line_start = false;
		if (*s == '"') {
			if (!in_sql) {
				in_sql = true;
				sql_line = line;
				sql.len = 0;
				sql.s[0] = 0;
			}
			for (s++; *s && *s != '"'; s++) {
				char ch = *s;

				if (*s == '\\' && s[1]) {
					s++;
					ch = *s == 'n' || *s == 't' ? ' ' : *s;
				}
				if (text_add(&sql, &ch, 1) < 0)
					goto oom;
			}
			s += *s ? 1 : 0;
			continue;
		}
		if (isalpha((unsigned char)*s) || *s == '_') {
			const char *w = s;
			bool macro = true;

			for (; isalnum((unsigned char)*s) || *s == '_'; s++)
				if (islower((unsigned char)*s))
					macro = false;
			if (in_sql && macro) { /* "...'" QUEUE_END_CHANNEL "'..." */
				if (text_add(&sql, w, (size_t)(s - w)) < 0)
					goto oom;
				continue;
			}
			if (in_sql) {
				check_sql(path, sql_line, context, sql.s);
				in_sql = false;
			}
			snprintf(last_word, sizeof(last_word), "%.*s", (int)(s - w), w);
			continue;
		}
		if (in_sql) {
			check_sql(path, sql_line, context, sql.s);
			in_sql = false;
		}
		if (*s == '\'') {
			for (s++; *s && *s != '\''; s++)
				if (*s == '\\' && s[1])
					s++;
			s += *s ? 1 : 0;
			continue;
		}
		if (*s == '(') {
			if (braces == 0 && parens == 0 && last_word[0])
				snprintf(candidate, sizeof(candidate), "%s", last_word);
			parens++;
		} else if (*s == ')') {
			parens--;
		} else if (*s == '=' && braces == 0 && parens == 0 && last_word[0]) {
			snprintf(context, sizeof(context), "%s",
			         last_word); /* a file-scope object */
			candidate[0] = 0;
		} else if (*s == '{') {
			if (braces == 0 && candidate[0])
				snprintf(context, sizeof(context), "%s", candidate);
			braces++;
		} else if (*s == '}') {
			if (--braces == 0)
				candidate[0] = 0;
		} else if (*s == ';' && braces == 0) {
			candidate[0] = 0;
			snprintf(context, sizeof(context), "(file)");
		}
		s++;
	}
	if (in_sql)
		check_sql(path, sql_line, context, sql.s);
	goto out;
oom:
	fprintf(stderr, "sqlscope: %s: out of memory\n", path);
	rc = -1;
out:
	free(src.s);
	free(sql.s);
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	const char *allow = NULL;
	char *list;
	int i = 1, rc = 0;

	if (argc > 2 && !strcmp(argv[1], "--allow")) {
		allow = argv[2];
		i = 3;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: sqlscope [--allow FILE] TABLE[,TABLE...] FILE.c...\n");
		return 2;
	}
	list = argv[i++];
	for (char *t = strtok(list, ", \n"); t; t = strtok(NULL, ", \n")) {
		if (s_ntables == MAX_TABLES || strlen(t) >= MAX_NAME) {
			fprintf(stderr, "sqlscope: too many or too long table names\n");
			return 2;
		}
		snprintf(s_tables[s_ntables++], MAX_NAME, "%s", t);
	}
	if (allow && load_allow(allow) < 0)
		return 2;
	for (; i < argc; i++)
		if (scan_file(argv[i]) < 0)
			rc = 2;
	for (int k = 0; k < s_nallow; k++) {
		if (s_allow[k].used)
			continue;
		printf("%s:%d: stale entry: %s %s %s matches no statement any more\n", allow,
		       s_allow[k].line, s_allow[k].file, s_allow[k].context, s_allow[k].table);
		s_findings++;
	}
	if (rc)
		return rc;
	return s_findings ? 1 : 0;
}
