/* Logging for Rollcall's programs (libraries never log; they fill an error buffer). One grammar:
 * "<subsystem>: <what failed> (<reason>)" with URN / batch / job context, never a pupil's name,
 * address or date of birth. Under systemd (JOURNAL_STREAM set) lines go to the journal with
 * their priority; otherwise to stderr with a timestamp. */
#ifndef ROLLCALL_LOG_H
#define ROLLCALL_LOG_H

#include <stddef.h>
#include <syslog.h>

/* Sets the program name and the lowest priority written (LOG_DEBUG..LOG_ERR). */
void log_init(const char *ident, int max_priority);

void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies untrusted text (a value from the wire, a server message) into buf so that it cannot
 * forge or break a log line or move a terminal's cursor: bytes outside printable ASCII and the
 * backslash become \xNN, and text that does not fit ends in "...". NULL prints as "-". Returns
 * buf. Every value from the wire that a program logs goes through it. */
const char *log_escape(const char *s, char *buf, size_t buflen);

/* A buffer size that holds a batch id or a short value escaped. */
#define LOG_ESCAPE_SHORT 300

#define log_err(...)     log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
