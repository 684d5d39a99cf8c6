/* Reading benchmarks (see benchmarks.h). */
#include "benchmarks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "rollcall/db.h"

int benchmarks_load(PGconn *conn, int la_code, report_benchmark **out, size_t *n, char *err,
                    size_t errlen)
{
	char la[16];
	const char *p[1] = {la};
	PGresult *res;

	*out = NULL;
	*n = 0;
	snprintf(la, sizeof(la), "%d", la_code);
	res = db_prepared(conn, "benchmarks",
	                  "SELECT year, phase, measure, cohort, tenths, source FROM benchmark"
	                  " WHERE la_code = $1 ORDER BY year, phase, measure, cohort",
	                  1, p, err, errlen);
	if (!res)
		return -EIO;
	*out = calloc((size_t)PQntuples(res) + 1, sizeof(**out));
	if (!*out) {
		PQclear(res);
		snprintf(err, errlen, "benchmarks: out of memory");
		return -ENOMEM;
	}
	*n = (size_t)PQntuples(res);
	for (size_t i = 0; i < *n; i++) {
		report_benchmark *b = &(*out)[i];

		snprintf(b->year, sizeof(b->year), "%s", PQgetvalue(res, (int)i, 0));
		snprintf(b->phase, sizeof(b->phase), "%s", PQgetvalue(res, (int)i, 1));
		snprintf(b->measure, sizeof(b->measure), "%s", PQgetvalue(res, (int)i, 2));
		snprintf(b->cohort, sizeof(b->cohort), "%s", PQgetvalue(res, (int)i, 3));
		b->tenths = atoi(PQgetvalue(res, (int)i, 4));
		snprintf(b->source, sizeof(b->source), "%s", PQgetvalue(res, (int)i, 5));
	}
	PQclear(res);
	return 0;
}
