/* rollcall-confref: writes rollcall.conf(5) at build time from its template, replacing the
 * comment line MARKER with the configuration table of lib/config.c as roff, so the manual's key
 * reference is the parser's own table and cannot drift from it.
 * Usage: rollcall-confref TEMPLATE OUTPUT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rollcall/config.h"

/* A roff comment, so the template still formats (without the keys) as it is. */
#define MARKER ".\\\" CONFIG_KEYS (replaced by the table)\n"

/* Writes s with roff's special characters escaped: a backslash, a hyphen (so it is a real
 * minus that survives copy and paste) and a control character at the start of a line. */
static void put_escaped(FILE *out, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", out);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

static void put_keys(FILE *out)
{
	const char *section = "";
	size_t n = config_key_count();

	/* Paths and variable names are neither hyphenated nor stretched. */
	fprintf(out, ".nh\n.ad l\n");
	for (size_t i = 0; i < n; i++) {
		config_key_info k;

		if (config_key_get(i, &k) < 0)
			break;
		if (strcmp(section, k.section)) {
			section = k.section;
			fprintf(out, ".SS \"[");
			put_escaped(out, section);
			fprintf(out, "]\"\n");
		}
		fprintf(out, ".TP\n.B ");
		put_escaped(out, k.name);
		fprintf(out, "\n");
		/* The same phrase --check-config prints. */
		put_escaped(out, k.help);
		fprintf(out, ".\n.br\n");
		if (k.is_int)
			fprintf(out, "A whole number from %ld to %ld. ", k.min, k.max);
		else
			fprintf(out, "Text of at most %ld characters. ", k.max);
		if (*k.deflt) {
			fprintf(out, "Default: \\fB");
			put_escaped(out, k.deflt);
			fprintf(out, "\\fR. ");
		} else {
			fprintf(out, "No default (empty). ");
		}
		fprintf(out, "Environment: \\fB");
		put_escaped(out, k.env);
		fprintf(out, "\\fR.\n");
	}
	fprintf(out, ".ad b\n.hy\n");
}

int main(int argc, char **argv)
{
	char line[4096];
	FILE *in = NULL, *out = NULL;
	int rc = 1, replaced = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: rollcall-confref TEMPLATE OUTPUT\n");
		return 2;
	}
	in = fopen(argv[1], "r");
	if (!in) {
		fprintf(stderr, "rollcall-confref: cannot open %s (%s)\n", argv[1],
		        strerror(errno));
		goto out;
	}
	out = fopen(argv[2], "w");
	if (!out) {
		fprintf(stderr, "rollcall-confref: cannot create %s (%s)\n", argv[2],
		        strerror(errno));
		goto out;
	}
	while (fgets(line, sizeof(line), in)) {
		if (!strcmp(line, MARKER)) {
			put_keys(out);
			replaced++;
		} else {
			fputs(line, out);
		}
	}
	if (replaced != 1) {
		fprintf(stderr, "rollcall-confref: %s: expected one line '%.*s', found %d\n",
		        argv[1], (int)strlen(MARKER) - 1, MARKER, replaced);
		goto out;
	}
	rc = 0;
out:
	if (out && fclose(out) != 0 && rc == 0) {
		fprintf(stderr, "rollcall-confref: cannot write %s (%s)\n", argv[2],
		        strerror(errno));
		rc = 1;
	}
	if (in)
		fclose(in);
	if (rc != 0 && out)
		remove(argv[2]);
	return rc;
}
