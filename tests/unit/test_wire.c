/* Unit tests for the wire glue and log escaping: batch ids (what may be logged and echoed),
 * the peek that reads a Batch's id, school and hello without decoding it, and log_escape. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rollcall/log.h"
#include "rollcall/wire.h"

static void test_batch_id(void **state)
{
	static const struct {
		const char *id;
		size_t len; /* 0: strlen(id) */
		int rc;
		const char *why; /* the start of the reason */
	} cases[] = {
	        {"run-20250101T010203.000001Z-77-1-00000001", 0, 0, ""},
	        {"a", 0, 0, ""},
	        {"!~", 0, 0, ""},
	        {"", 0, -EPROTO, "batch_id missing"},
	        {"ok\nrollcalld[info]: forged", 0, -EPROTO,
	         "batch_id must be visible ASCII (character 3 is byte 0x0a)"},
	        {"with space", 0, -EPROTO,
	         "batch_id must be visible ASCII (character 5 is byte 0x20)"},
	        {"tab\there", 0, -EPROTO,
	         "batch_id must be visible ASCII (character 4 is byte 0x09)"},
	        {"nul\0inside", 10, -EPROTO,
	         "batch_id must be visible ASCII (character 4 is byte 0x00)"},
	        {"caf\xc3\xa9", 0, -EPROTO,
	         "batch_id must be visible ASCII (character 4 is byte 0xc3)"},
	        {"del\x7f", 0, -EPROTO,
	         "batch_id must be visible ASCII (character 4 is byte 0x7f)"},
	        {"0123456789012345678901234567890123456789012345678901234567890123", 0, 0, ""},
	        {"01234567890123456789012345678901234567890123456789012345678901234", 0, -EPROTO,
	         "batch_id longer than 64 characters"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[128] = "";
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].id);
		int rc = wire_check_batch_id(cases[i].id, len, why, sizeof(why));

		print_message("case %zu: %s\n", i, why);
		assert_int_equal(rc, cases[i].rc);
		if (rc)
			assert_string_equal(why, cases[i].why);
	}
	assert_int_equal(wire_check_batch_id(NULL, 0, (char[64]){0}, 64), -EPROTO);
}

/* Packs a Batch with the given header fields (and n marks, to have sub-messages to skip). */
static uint8_t *pack(uint32_t urn, const char *id, int hello, size_t nmarks, size_t *len)
{
	Rollcall__Batch b = ROLLCALL__BATCH__INIT;
	Rollcall__Mark *m = calloc(nmarks + 1, sizeof(*m)), **pm = calloc(nmarks + 1, sizeof(*pm));
	uint8_t *buf;

	assert_non_null(m);
	assert_non_null(pm);
	b.has_version = 1;
	b.version = WIRE_VERSION;
	if (urn) {
		b.has_school_urn = 1;
		b.school_urn = urn;
	}
	b.batch_id = (char *)id;
	if (hello) {
		b.has_hello = 1;
		b.hello = 1;
	}
	for (size_t i = 0; i < nmarks; i++) {
		rollcall__mark__init(&m[i]);
		m[i].upn = "B801200005001";
		m[i].code = "/";
		pm[i] = &m[i];
	}
	b.n_marks = nmarks;
	b.marks = pm;
	*len = rollcall__batch__get_packed_size(&b);
	buf = malloc(*len + 1);
	assert_non_null(buf);
	rollcall__batch__pack(&b, buf);
	free(m);
	free(pm);
	return buf;
}

static void test_peek(void **state)
{
	static const struct {
		uint32_t urn;
		const char *id;
		int hello;
		size_t marks;
		const char *want_id, *want_why;
	} cases[] = {
	        {123456, "b-1", 0, 3, "b-1", ""},
	        {0, "hello-1", 1, 0, "hello-1", ""},
	        {999999, NULL, 0, 1, "", ""},
	        {100000, "bad\nid", 0, 0, "", "batch_id must be visible ASCII"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		uint8_t *buf =
		        pack(cases[i].urn, cases[i].id, cases[i].hello, cases[i].marks, &len);
		wire_peek p;

		assert_int_equal(wire_batch_peek(buf, len, &p), 0);
		assert_int_equal(p.school_urn, cases[i].urn);
		assert_int_equal(p.hello, cases[i].hello);
		assert_string_equal(p.batch_id, cases[i].want_id);
		assert_memory_equal(p.why, cases[i].want_why, strlen(cases[i].want_why));
		/* Every cut of the message is either well-formed up to there or refused; never
		 * read past the end (ASan watches). */
		for (size_t cut = 0; cut < len; cut++) {
			uint8_t *part = malloc(cut ? cut : 1);

			assert_non_null(part);
			memcpy(part, buf, cut);
			int rc = wire_batch_peek(part, cut, &p);

			assert_true(rc == 0 || rc == -EBADMSG);
			free(part);
		}
		free(buf);
	}
}

static void test_peek_malformed(void **state)
{
	static const struct {
		const uint8_t bytes[16];
		size_t len;
		int rc;
	} cases[] = {
	        {{0x00}, 1, -EBADMSG},                 /* field 0 */
	        {{0x1a, 0x05, 'a', 'b'}, 4, -EBADMSG}, /* length past the end */
	        {{0x10}, 1, -EBADMSG},                 /* varint missing */
	        {{0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
	         12,
	         -EBADMSG},                                     /* varint of 11 bytes */
	        {{0x1b}, 1, -EBADMSG},                          /* a group */
	        {{0x11, 1, 2, 3}, 4, -EBADMSG},                 /* fixed64 cut */
	        {{0x15, 1, 2, 3, 4}, 5, 0},                     /* fixed32 skipped */
	        {{0x10, 0xc0, 0xc4, 0x07, 0x1a, 1, 'x'}, 7, 0}, /* urn 123456, id "x" */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wire_peek p;

		print_message("case %zu\n", i);
		assert_int_equal(wire_batch_peek(cases[i].bytes, cases[i].len, &p), cases[i].rc);
	}
	{
		wire_peek p;

		assert_int_equal(wire_batch_peek(cases[7].bytes, cases[7].len, &p), 0);
		assert_int_equal(p.school_urn, 123456);
		assert_string_equal(p.batch_id, "x");
	}
}

static void test_decode_refuses_bad_id(void **state)
{
	size_t len;
	uint8_t *buf = pack(123456, "two words", 0, 0, &len);
	wire_arena *a = wire_arena_new(1 << 20);
	Rollcall__Batch *b;
	char err[128];

	assert_non_null(a);
	assert_int_equal(wire_batch_decode(a, buf, len, &b, err, sizeof(err)), -EPROTO);
	assert_string_equal(err, "batch_id must be visible ASCII (character 4 is byte 0x20)");
	assert_true(wire_arena_footprint(a) > 0);
	wire_arena_destroy(&a);
	free(buf);
}

static void test_log_escape(void **state)
{
	static const struct {
		const char *in;
		size_t buflen;
		const char *want;
	} cases[] = {
	        {"plain text", 64, "plain text"},
	        {"two\nlines", 64, "two\\x0alines"},
	        {"back\\slash", 64, "back\\x5cslash"},
	        {"\x1b[2Jclear", 64, "\\x1b[2Jclear"},
	        {"caf\xc3\xa9", 64, "caf\\xc3\\xa9"},
	        {NULL, 64, "-"},
	        {"abcde", 6, "abcde"},      /* fits exactly */
	        {"abcdef", 6, "ab..."},     /* does not: cut, marked */
	        {"ab\ncdefgh", 9, "ab..."}, /* an escape is never cut in half */
	        {"abc", 3, ""},             /* too small even for "..." */
	        {"", 1, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];

		memset(buf, 'Z', sizeof(buf));
		assert_ptr_equal(log_escape(cases[i].in, buf, cases[i].buflen), buf);
		print_message("case %zu: %s\n", i, buf);
		assert_string_equal(buf, cases[i].want);
		assert_true(strlen(buf) < cases[i].buflen);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_batch_id),       cmocka_unit_test(test_peek),
	        cmocka_unit_test(test_peek_malformed), cmocka_unit_test(test_decode_refuses_bad_id),
	        cmocka_unit_test(test_log_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
