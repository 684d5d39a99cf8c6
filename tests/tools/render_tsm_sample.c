/* render_tsm_sample: writes the TSM pack of the synthetic sample school (tsm_sample.c) into the
 * folder argv[1] (pack.html and the four CSV files), for a browser to check and a person to look
 * at without a database. Every name and figure is invented. */
#include <stdio.h>
#include <stdlib.h>

#include "tsm_sample.h"

static int write(const char *dir, const char *name, int (*fn)(const tsm_report *, FILE *),
                 const tsm_report *r)
{
	char path[4096];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	rc = fn(r, f);
	if (fclose(f) != 0 || rc < 0) {
		fprintf(stderr, "render_tsm_sample: %s not written\n", path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	tsm_report r;
	measures *m = NULL;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: render_tsm_sample DIR\n");
		return 2;
	}
	if (tsm_sample_build(&r, &m, NULL) < 0) {
		fprintf(stderr, "render_tsm_sample: the sample did not build\n");
		return 1;
	}
	rc = write(argv[1], "pack.html", report_write_tsm_html, &r) ||
	     write(argv[1], "categories.csv", report_write_tsm_categories_csv, &r) ||
	     write(argv[1], "bands.csv", report_write_tsm_bands_csv, &r) ||
	     write(argv[1], "pupils.csv", report_write_tsm_pupils_csv, &r) ||
	     write(argv[1], "penalty-threshold.csv", report_write_tsm_penalty_csv, &r);
	report_tsm_deinit(&r);
	measures_destroy(&m);
	return rc ? 1 : 0;
}
