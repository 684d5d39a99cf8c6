/* rollcall-push's spool: SPOOL/<urn>/ (locked with flock) holds one folder per run, each with
 * its manifest, the batch files not yet acknowledged and acks.log. Nothing leaves the spool
 * until the daemon has acknowledged it. */
#ifndef ROLLCALL_PUSH_SPOOL_H
#define ROLLCALL_PUSH_SPOOL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPOOL_SIG_MAX    1024
#define SPOOL_SOURCE_MAX 300
#define SPOOL_NAME_MAX   64

/* How many items of each kind a batch holds. */
typedef struct batch_counts {
	uint32_t pupils, contacts, marks, sessions;
} batch_counts;

/* What a run was cut from. */
typedef struct spool_manifest {
	char export_path[PATH_MAX];    /* absolute path of the export */
	char signature[SPOOL_SIG_MAX]; /* sizes and mtimes of its files (spool_signature) */
	char source[SPOOL_SOURCE_MAX]; /* "csv" or "ctf:<file base name>" */
	int complete;                  /* 1: the export was read to the end and spooled */
} spool_manifest;

/* One run folder. Fields are set by spool_runs / spool_run_create and not changed afterwards,
 * except through spool_run_finish (m.complete) and spool_ack_append (acks_fd). */
typedef struct spool_run {
	char name[SPOOL_NAME_MAX]; /* "run-20241123T075300.123456Z-4242" */
	char path[PATH_MAX];       /* SPOOL/<urn>/<name> */
	bool has_manifest;         /* false: the run died before writing it (m is zeroed) */
	spool_manifest m;
	int acks_fd; /* acks.log, opened on first append; -1 until then */
} spool_run;

/* A pending batch file of a run: p<phase>-<seq 8 digits>.pb. */
typedef struct spool_file {
	int phase;
	uint32_t seq;
} spool_file;

typedef struct spool spool;

/* Creates SPOOL/<urn>/ (mode 0700) when missing and takes its lock without waiting.
 * Returns 0; -EWOULDBLOCK when another process holds the lock; another negative errno with the
 * reason in err. The caller releases it with spool_close. */
int spool_open(const char *base, uint32_t urn, spool **out, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Releases the lock and frees sp; NULL-safe, nulls *sp. */
void spool_close(spool **sp);

/* The school's folder, SPOOL/<urn>. */
const char *spool_path(const spool *sp);

/* Lists the run folders, oldest first (run names sort by time), with their manifests.
 * On success *runs is a malloc'd array of *n malloc'd runs the caller frees with
 * spool_runs_free. A manifest that cannot be parsed counts as absent. */
int spool_runs(spool *sp, spool_run ***runs, size_t *n, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Frees what spool_runs returned (closing acks.log files); NULL-safe, nulls *runs. */
void spool_runs_free(spool_run ***runs, size_t n);

/* Lists a run's pending batch files, sorted by phase then seq, into a malloc'd array the caller
 * frees. Returns 0 or a negative errno with the reason in err. */
int spool_run_pending(const spool_run *r, spool_file **files, size_t *n, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Makes a new run folder named after the current UTC time and this pid, and writes its manifest
 * (m, with complete forced to 0) atomically. *out is a new run the caller frees with
 * spool_run_destroy. */
int spool_run_create(spool *sp, const spool_manifest *m, spool_run **out, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Closes the run's acks.log and frees it; NULL-safe, nulls *r. */
void spool_run_destroy(spool_run **r);

/* Makes every batch file of the run durable (syncfs), then rewrites the manifest with
 * complete=1 atomically (temporary name, fsync, rename, fsync of the folder). */
int spool_run_finish(spool_run *r, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Writes "p<phase>-<seq>.pb" into out (at least 16 bytes). */
void spool_file_name(int phase, uint32_t seq, char *out, size_t outlen);

/* The batch id of a run's batch: "<run name>-<phase>-<seq 8 digits>". */
void spool_batch_id(const spool_run *r, int phase, uint32_t seq, char *out, size_t outlen);

/* Writes a batch file with one write() and no fsync (spool_run_finish syncs them all). */
int spool_batch_write(const spool_run *r, int phase, uint32_t seq, const void *data, size_t len,
                      char *err, size_t errlen) __attribute__((warn_unused_result));

/* Reads a batch file into a malloc'd buffer the caller frees. */
int spool_batch_read(const spool_run *r, int phase, uint32_t seq, uint8_t **data, size_t *len,
                     char *err, size_t errlen) __attribute__((warn_unused_result));

/* Removes an acknowledged batch file. Returns 0 or a negative errno (-ENOENT is 0). */
int spool_batch_remove(const spool_run *r, int phase, uint32_t seq)
        __attribute__((warn_unused_result));

/* Renames a batch file to <name>.<suffix> ("refused", "corrupt"): kept, never sent again. */
int spool_batch_set_aside(const spool_run *r, int phase, uint32_t seq, const char *suffix)
        __attribute__((warn_unused_result));

/* Appends text to the run's acks.log (opened with O_APPEND on first use). */
int spool_ack_append(spool_run *r, const char *text, size_t len)
        __attribute__((warn_unused_result));

/* Whether the run has a batch file set aside (refused by the daemon, or corrupt): such a run
 * did not deliver its export. */
bool spool_run_has_set_aside(const spool_run *r);

/* Checks that data[0..len) decodes as run r's batch (phase, seq): this wire version and this
 * batch id. Counts its items. Returns 0, or -EBADMSG. */
int spool_batch_inspect(const spool_run *r, int phase, uint32_t seq, const uint8_t *data,
                        size_t len, batch_counts *c) __attribute__((warn_unused_result));

/* The signature of an export: for a folder, "name:size:mtime" of each register file
 * (calendar.csv, pupils.csv, contacts.csv, marks.csv; "name:-" when absent), for a file the
 * same for that file. Equal signatures mean the export has not been rewritten. */
int spool_signature(const char *export_path, bool is_dir, char *out, size_t outlen, char *err,
                    size_t errlen) __attribute__((warn_unused_result));

/* Counts the pending batch files of every run of the school. */
size_t spool_count_pending(spool *sp);

/* Removes run folders that hold nothing but their manifest and acks.log (every batch acked,
 * nothing refused) except the newest keep of them and the run named spare (may be NULL).
 * Returns how many were removed. */
size_t spool_prune(spool *sp, size_t keep, const char *spare);

#endif
