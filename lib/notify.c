/* sd_notify wrapper: READY, STATUS, WATCHDOG, RELOADING, STOPPING. */
#include "rollcall/notify.h"

#include <stdarg.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

void notify_ready(void)
{
	(void)sd_notify(0, "READY=1");
}

void notify_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1");
}

void notify_reloading(void)
{
	(void)sd_notify(0, "RELOADING=1");
}

void notify_watchdog(void)
{
	(void)sd_notify(0, "WATCHDOG=1");
}

void notify_status(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n = snprintf(buf, sizeof(buf), "STATUS=");

	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	(void)sd_notify(0, buf);
}

uint64_t notify_watchdog_usec(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) > 0)
		return usec;
	return 0;
}
