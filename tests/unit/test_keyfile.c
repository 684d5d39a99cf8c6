/* Unit tests for keyfile.c: key files are created exclusively with mode 0600 (an existing file
 * or symbolic link in the way is left alone), and a secret key that group or others may read
 * is refused. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rollcall/keyfile.h"

static char s_dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(s_dir, sizeof(s_dir), "/tmp/rollcall-test-keyfile.XXXXXX");
	return mkdtemp(s_dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s_dir);
	return system(cmd);
}

static void path_in_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", s_dir, name);
}

static void read_all(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
}

/* Mode 0600 whatever the umask, and the pair reads back. */
static void test_write_mode_and_round_trip(void **state)
{
	char path[128], err[256];
	keypair kp, back;
	struct stat st;
	mode_t old = umask(0);

	(void)state;
	path_in_dir(path, sizeof(path), "fresh.key");
	assert_int_equal(keyfile_generate(&kp), 0);
	assert_int_equal(keyfile_write(path, &kp, err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(keyfile_read(path, &back, 1, err, sizeof(err)), 0);
	assert_string_equal(back.public_key, kp.public_key);
	assert_string_equal(back.secret_key, kp.secret_key);
}

/* Whatever is already at the path (a file, a link to a file, a link to nowhere) is refused
 * and left exactly as it was: the key is never written through or over it. */
static void test_write_is_exclusive(void **state)
{
	static const struct {
		const char *name;
		int kind; /* 0 a file, 1 a symlink to a file, 2 a dangling symlink */
	} cases[] = {{"file.key", 0}, {"link.key", 1}, {"dangling.key", 2}};
	keypair kp;

	(void)state;
	assert_int_equal(keyfile_generate(&kp), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[128], target[128], err[256], before[256], after[256];
		struct stat st;
		int fd;

		path_in_dir(path, sizeof(path), cases[i].name);
		snprintf(target, sizeof(target), "%s/target-%zu", s_dir, i);
		if (cases[i].kind == 0) {
			fd = open(path, O_WRONLY | O_CREAT, 0644);
			assert_true(fd >= 0);
			assert_int_equal(write(fd, "precious\n", 9), 9);
			close(fd);
		} else {
			if (cases[i].kind == 1) {
				fd = open(target, O_WRONLY | O_CREAT, 0644);
				assert_true(fd >= 0);
				assert_int_equal(write(fd, "precious\n", 9), 9);
				close(fd);
			}
			assert_int_equal(symlink(target, path), 0);
		}
		assert_int_equal(keyfile_write(path, &kp, err, sizeof(err)), -EEXIST);
		assert_non_null(strstr(err, "already exists"));
		assert_int_equal(lstat(path, &st), 0);
		if (cases[i].kind == 0) {
			assert_true(S_ISREG(st.st_mode));
			read_all(path, after, sizeof(after));
			assert_string_equal(after, "precious\n");
		} else {
			ssize_t n = readlink(path, before, sizeof(before) - 1);

			assert_true(S_ISLNK(st.st_mode)); /* not replaced by a file */
			assert_true(n > 0);
			before[n] = 0;
			assert_string_equal(before, target);
			if (cases[i].kind == 1) {
				read_all(target, after, sizeof(after));
				assert_string_equal(after, "precious\n");
			} else {
				assert_int_equal(access(target, F_OK),
				                 -1); /* not created through */
			}
		}
	}
}

/* A secret that group or others may read or write is refused; the owner-only file and a
 * public-only file readable by all are fine. */
static void test_read_refuses_exposed_secret(void **state)
{
	static const struct {
		mode_t mode;
		int secret;
		int want; /* 0 or -EACCES */
	} cases[] = {
	        {0600, 1, 0},       {0400, 1, 0},       {0640, 1, -EACCES}, {0604, 1, -EACCES},
	        {0620, 1, -EACCES}, {0644, 1, -EACCES}, {0644, 0, 0},       {0666, 0, 0},
	};
	keypair kp;

	(void)state;
	assert_int_equal(keyfile_generate(&kp), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[128], name[32], err[256];
		keypair w = kp, back;
		int rc;

		snprintf(name, sizeof(name), "mode-%zu.key", i);
		path_in_dir(path, sizeof(path), name);
		if (!cases[i].secret)
			w.secret_key[0] = 0;
		assert_int_equal(keyfile_write(path, &w, err, sizeof(err)), 0);
		assert_int_equal(chmod(path, cases[i].mode), 0);
		rc = keyfile_read(path, &back, 0, err, sizeof(err));
		if (rc != cases[i].want)
			fail_msg("mode %04o secret %d: got %d (%s), expected %d", cases[i].mode,
			         cases[i].secret, rc, rc ? err : "", cases[i].want);
		if (rc == -EACCES) {
			assert_non_null(strstr(err, path));
			assert_non_null(strstr(err, "chmod 600"));
		} else {
			assert_string_equal(back.public_key, kp.public_key);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_write_mode_and_round_trip),
	        cmocka_unit_test(test_write_is_exclusive),
	        cmocka_unit_test(test_read_refuses_exposed_secret),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
