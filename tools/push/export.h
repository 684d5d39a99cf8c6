/* The reader side of rollcall-push: a school's export (CSV folder or CTF file) read into wire
 * items, validated locally as far as the client can, and handed to a sink one item at a time. */
#ifndef ROLLCALL_PUSH_EXPORT_H
#define ROLLCALL_PUSH_EXPORT_H

#include <stdint.h>

#include "rollcall/rollcall.pb-c.h"
#include "rollcall/validate.h"

/* Receives what a reader produces. Item pointers are valid only during the call: the sink packs
 * or copies what it keeps. Every item has its source line set (item->line, has_line). A callback
 * returning a negative value stops the reader, which then returns that value. */
typedef struct export_sink {
	void *user;
	int (*pupil)(void *user, const Rollcall__Pupil *p);
	int (*contact)(void *user, const Rollcall__Contact *c);
	int (*mark)(void *user, const Rollcall__Mark *m);
	int (*session)(void *user, const Rollcall__CalendarSession *s);
	/* A row or element the reader could not turn into a valid item: it is not sent.
	 * file is the file's base name ("marks.csv", "gryphon_y12.xml"); field the column or
	 * element name ("upn", "date", "UPN"). The message carries no name, address or DOB. */
	void (*reject)(void *user, const char *file, unsigned long line, const char *field,
	               const char *reason);
	/* Something worth saying that loses no data (unknown column ignored, ...). */
	void (*warn)(void *user, const char *file, unsigned long line, const char *message);
} export_sink;

/* What the reader learned about the export as a whole. */
typedef struct export_info {
	uint32_t school_urn; /* from the CTF header (SourceSchool/URN); 0 for a CSV folder */
	int32_t exported_on; /* day of the export (CTF DateTime; CSV: newest file mtime) */
} export_info;

/* Reads a register export folder (contract.md §1): calendar.csv (optional), pupils.csv,
 * contacts.csv (optional), marks.csv, in that order, so pupils reach the sink before marks.
 * Returns 0 when the folder was read (rejected rows do not make it fail), or a negative errno
 * with the reason in err when a file cannot be read at all or lacks a required column. */
int export_read_csv_dir(const char *dir, const export_sink *sink, export_info *info, char *err,
                        size_t errlen) __attribute__((warn_unused_result));

/* Reads a DfE Common Transfer File (CTF 19+): pupils (with one Pupil per FSM/SEN/looked-after
 * change, oldest first, effective_from set), contacts, and per-session marks from
 * <AttendSessions> when present. Same return convention as export_read_csv_dir. */
int export_read_ctf(const char *path, const export_sink *sink, export_info *info, char *err,
                    size_t errlen) __attribute__((warn_unused_result));

/* A sink in front of another that applies the item rules of lib/validate (the daemon's own) to
 * every item: an item that breaks one goes to next->reject as "file: line: field: reason" with
 * the daemon's words, the rest to next. The readers only turn text into typed fields. */
typedef struct export_checker {
	export_sink sink; /* give this to the reader */
	const export_sink *next;
	validate_window win;
	const char *file; /* the file items come from (a CTF's name); NULL: by kind ("marks.csv") */
} export_checker;

/* Sets c up in front of next (borrowed) with the rules as of day today. */
void export_checker_init(export_checker *c, const export_sink *next, int32_t today,
                         const char *file);

#endif
