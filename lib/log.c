/* Log sink for programs: the systemd journal when started by systemd, stderr otherwise. The
 * process-wide ident and level are the one piece of state a program sets once at start. */
#include "rollcall/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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
