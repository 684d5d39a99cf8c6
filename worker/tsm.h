/* The TSM pack job (domain.md §8, contract.md §2): one school, one term, written under
 * <output_dir>/tsm/<school_urn>/<term>/ as pack.html, categories.csv, bands.csv, pupils.csv and
 * penalty-threshold.csv. Everything comes from the register, computed again for the pack (the
 * previous academic year is read when the trends need it), so a past term's pack regenerates
 * byte for byte. */
#ifndef ROLLCALL_WORKER_TSM_H
#define ROLLCALL_WORKER_TSM_H

#include <stddef.h>
#include <stdint.h>

#include "jobs.h"

/* Writes the pack of school urn for term ("2025-autumn"; NULL: the school's current term as of
 * its latest marked day). The pack's day is the term's last school day, or for a term still
 * going the latest marked day. result gets the folder written. Returns 0 (also when the
 * school has no marks yet: no pack, said in result), -EINVAL for a bad term, -ENOENT for a term
 * the school's calendar does not know or that has no sessions yet, -EIO or -ENOMEM; the reason
 * in err, without personal data. */
int tsm_run(const job_env *env, uint32_t urn, const char *term, char *result, size_t rlen,
            char *err, size_t elen) __attribute__((warn_unused_result));

#endif
