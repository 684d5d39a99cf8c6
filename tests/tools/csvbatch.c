/* csvbatch: reads a register export folder with rollcall-push's CSV reader but WITHOUT its
 * checking sink, and writes every item it parsed as one packed Batch, so a test can send the
 * daemon exactly the rows push would have checked and compare the two sides' messages.
 * Usage: csvbatch EXPORT_DIR URN BATCH_ID OUT_FILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "rollcall/wire.h"

typedef struct items {
	Rollcall__Pupil **pupils;
	Rollcall__Contact **contacts;
	Rollcall__Mark **marks;
	Rollcall__CalendarSession **sessions;
	size_t np, nc, nm, ns;
} items;

/* Keeps a copy of an item: packed and unpacked again (the reader's item lives only during the
 * call). */
#define KEEP(fn, type, arr, n)                                                                     \
	static int fn(void *user, const type *it)                                                  \
	{                                                                                          \
		items *x = user;                                                                   \
		size_t len = protobuf_c_message_get_packed_size((const ProtobufCMessage *)it);     \
		uint8_t *buf = malloc(len + 1);                                                    \
		void *copy;                                                                        \
		if (!buf)                                                                          \
			return -1;                                                                 \
		protobuf_c_message_pack((const ProtobufCMessage *)it, buf);                        \
		copy = protobuf_c_message_unpack(((const ProtobufCMessage *)it)->descriptor, NULL, \
		                                 len, buf);                                        \
		free(buf);                                                                         \
		x->arr = realloc(x->arr, (x->n + 1) * sizeof(*x->arr));                            \
		if (!copy || !x->arr)                                                              \
			return -1;                                                                 \
		x->arr[x->n++] = copy;                                                             \
		return 0;                                                                          \
	}

KEEP(keep_pupil, Rollcall__Pupil, pupils, np)
KEEP(keep_contact, Rollcall__Contact, contacts, nc)
KEEP(keep_mark, Rollcall__Mark, marks, nm)
KEEP(keep_session, Rollcall__CalendarSession, sessions, ns)

int main(int argc, char **argv)
{
	items x = {0};
	export_sink sink = {.user = &x,
	                    .pupil = keep_pupil,
	                    .contact = keep_contact,
	                    .mark = keep_mark,
	                    .session = keep_session};
	Rollcall__Batch b = ROLLCALL__BATCH__INIT;
	export_info info;
	char err[512];
	uint8_t *buf;
	size_t len;
	FILE *f;

	if (argc != 5) {
		fprintf(stderr, "usage: csvbatch EXPORT_DIR URN BATCH_ID OUT_FILE\n");
		return 2;
	}
	if (export_read_csv_dir(argv[1], &sink, &info, err, sizeof(err)) < 0) {
		fprintf(stderr, "csvbatch: %s\n", err);
		return 1;
	}
	b.has_version = b.has_school_urn = b.has_exported_on = 1;
	b.version = WIRE_VERSION;
	b.school_urn = (uint32_t)atol(argv[2]);
	b.batch_id = argv[3];
	b.exported_on = info.exported_on;
	b.source = "csv";
	b.pupils = x.pupils;
	b.n_pupils = x.np;
	b.contacts = x.contacts;
	b.n_contacts = x.nc;
	b.marks = x.marks;
	b.n_marks = x.nm;
	b.sessions = x.sessions;
	b.n_sessions = x.ns;
	len = rollcall__batch__get_packed_size(&b);
	buf = malloc(len + 1);
	f = fopen(argv[4], "wb");
	if (!buf || !f) {
		perror(argv[4]);
		return 1;
	}
	rollcall__batch__pack(&b, buf);
	if (fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(argv[4]);
		return 1;
	}
	printf("%zu pupils, %zu contacts, %zu marks, %zu sessions\n", x.np, x.nc, x.nm, x.ns);
	free(buf);
	for (size_t i = 0; i < x.np; i++)
		rollcall__pupil__free_unpacked(x.pupils[i], NULL);
	for (size_t i = 0; i < x.nc; i++)
		rollcall__contact__free_unpacked(x.contacts[i], NULL);
	for (size_t i = 0; i < x.nm; i++)
		rollcall__mark__free_unpacked(x.marks[i], NULL);
	for (size_t i = 0; i < x.ns; i++)
		rollcall__calendar_session__free_unpacked(x.sessions[i], NULL);
	free(x.pupils);
	free(x.contacts);
	free(x.marks);
	free(x.sessions);
	return 0;
}
