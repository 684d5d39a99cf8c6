/* Log sink for programs: the systemd journal when started by systemd, stderr otherwise. The
 * process-wide ident and level are the one piece of state a program sets once at start. */
#include "rollcall/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>

static const char *s_ident = "rollcall";
static int s_max = LOG_INFO;
static int s_journal = -1;

void log_init(const char *ident, int max_priority)
{
	s_ident = ident;
	s_max = max_priority;
	s_journal = getenv("JOURNAL_STREAM") != NULL;
}

static bool plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

const char *log_escape(const char *s, char *buf, size_t buflen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, full = 0, limit;

	if (!buflen)
		return buf;
	if (!s)
		s = "-";
	for (const char *p = s; *p; p++)
		full += plain_byte((unsigned char)*p) ? 1 : 4;
	/* All of it when it fits; otherwise as much as leaves room for "...". */
	limit = full < buflen ? full : buflen > 4 ? buflen - 4 : 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (o + (plain_byte(c) ? 1 : 4) > limit)
			break;
		if (plain_byte(c)) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	if (full >= buflen && o + 3 < buflen) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

void log_msg(int priority, const char *fmt, ...)
{
	static const char *names[] = {"emerg",   "alert",  "crit", "error",
	                              "warning", "notice", "info", "debug"};
	va_list ap;

	if (priority > s_max)
		return;
	if (s_journal < 0)
		s_journal = getenv("JOURNAL_STREAM") != NULL;
	va_start(ap, fmt);
	if (s_journal) {
		sd_journal_printv(priority, fmt, ap);
	} else {
		char stamp[32];
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		flockfile(stderr);
		fprintf(stderr, "%s.%03ldZ %s[%s]: ", stamp, ts.tv_nsec / 1000000, s_ident,
		        names[priority & 7]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		funlockfile(stderr);
	}
	va_end(ap);
}
