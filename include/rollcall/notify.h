/* The one place that talks to systemd's service manager (sd_notify). Every call is a no-op
 * when NOTIFY_SOCKET is not set, so programs run the same outside systemd. */
#ifndef ROLLCALL_NOTIFY_H
#define ROLLCALL_NOTIFY_H

#include <stdint.h>

void notify_ready(void);
void notify_stopping(void);
void notify_reloading(void);
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void notify_watchdog(void);

/* The watchdog interval systemd asked for, in microseconds, or 0 when none. */
uint64_t notify_watchdog_usec(void);

#endif
