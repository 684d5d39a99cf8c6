/* Logging for Rollcall's programs (libraries never log; they fill an error buffer). One grammar:
 * "<subsystem>: <what failed> (<reason>)" with URN / batch / job context, never a pupil's name,
 * address or date of birth. Under systemd (JOURNAL_STREAM set) lines go to the journal with
 * their priority; otherwise to stderr with a timestamp. */
#ifndef ROLLCALL_LOG_H
#define ROLLCALL_LOG_H

#include <syslog.h>

/* Sets the program name and the lowest priority written (LOG_DEBUG..LOG_ERR). */
void log_init(const char *ident, int max_priority);

void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)     log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
