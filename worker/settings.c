/* Loading and resolving the attendance settings (see settings.h). */
#include "settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollcall/db.h"

int settings_load(PGconn *conn, settings *out, char *err, size_t errlen)
{
	PGresult *res;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	res = db_prepared(conn, "settings",
	                  "SELECT coalesce(la_code, 0), expected_max_bp, pa_from_bp, pa_max_bp,"
	                  " sa_from_bp, falling_bp FROM attendance_setting ORDER BY 1",
	                  0, NULL, err, errlen);
	if (!res)
		return -EIO;
	out->rows = calloc((size_t)PQntuples(res) + 1, sizeof(*out->rows));
	if (!out->rows) {
		rc = -ENOMEM;
		snprintf(err, errlen, "settings: out of memory");
		goto out;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		settings_row *r = &out->rows[out->n];
		measures_config cfg;
		char why[160];

		r->la_code = atoi(PQgetvalue(res, i, 0));
		for (int k = 0; k < 4; k++)
			r->category_bp[k] = (uint32_t)strtoul(PQgetvalue(res, i, 1 + k), NULL, 10);
		r->falling_bp = (uint32_t)strtoul(PQgetvalue(res, i, 5), NULL, 10);
		measures_config_init(&cfg);
		memcpy(cfg.category_bp, r->category_bp, sizeof(cfg.category_bp));
		if (measures_config_check(&cfg, why, sizeof(why)) < 0) {
			if (r->la_code)
				snprintf(err, errlen, "settings: the boundaries of LA %d: %s",
				         r->la_code, why);
			else
				snprintf(err, errlen, "settings: the trust's boundaries: %s", why);
			rc = -EINVAL;
			goto out;
		}
		out->n++;
	}
out:
	PQclear(res);
	if (rc < 0)
		settings_deinit(out);
	return rc;
}

void settings_deinit(settings *s)
{
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

settings_school settings_for(const settings *s, int la_code)
{
	settings_school ss = {.source = SETTINGS_DEFAULT, .falling_bp = MEASURES_FALLING_BP};
	const settings_row *trust = NULL, *la = NULL;
	measures_config defaults;

	measures_config_init(&defaults);
	memcpy(ss.category_bp, defaults.category_bp, sizeof(ss.category_bp));
	for (size_t i = 0; s && i < s->n; i++) {
		if (s->rows[i].la_code == 0)
			trust = &s->rows[i];
		else if (s->rows[i].la_code == la_code)
			la = &s->rows[i];
	}
	if (la || trust) {
		const settings_row *r = la ? la : trust;

		ss.source = la ? SETTINGS_LA : SETTINGS_TRUST;
		memcpy(ss.category_bp, r->category_bp, sizeof(ss.category_bp));
		ss.falling_bp = r->falling_bp;
	}
	return ss;
}

void settings_apply(const settings_school *ss, const measures_config *base, measures_config *out)
{
	*out = *base;
	memcpy(out->category_bp, ss->category_bp, sizeof(out->category_bp));
}

char *settings_key(const uint32_t category_bp[4], char out[SETTINGS_KEY_LEN])
{
	snprintf(out, SETTINGS_KEY_LEN, "%u,%u,%u,%u", category_bp[0], category_bp[1],
	         category_bp[2], category_bp[3]);
	return out;
}
