/* libFuzzer target: rollcall-push's CSV export reader (lib/csvread under tools/push's
 * export_csv and lib/validate) through export_read_csv_dir. The first byte picks the file the
 * rest becomes (pupils, marks, contacts or calendar); the others are small valid files. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char s_pupils[] = "upn,surname,forename,date_of_birth,sex,nc_year,admission_date\n"
                               "B801200005001,Testperson,Alpha,2016-05-04,F,4,2024-09-02\n";
static const char s_marks[] = "upn,date,session,code\nB801200005001,2024-09-03,AM,/\n";
static const char s_contacts[] = "upn,name,relationship,lives_with,priority\n"
                                 "B801200005001,Parent Person,PAM,Y,1\n";
static const char s_calendar[] = "date,session,open\n2024-09-03,AM,Y\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"pupils.csv", "marks.csv", "contacts.csv",
	                                    "calendar.csv"};
	const char *const fixed[] = {s_pupils, s_marks, s_contacts, s_calendar};
	export_sink sink = fuzz_null_sink();
	export_info info;
	char err[512];
	unsigned pick;

	if (size < 1)
		return 0;
	pick = data[0] % 4;
	for (unsigned i = 0; i < 4; i++)
		if (i == pick)
			fuzz_file_write(names[i], data + 1, size - 1);
		else
			fuzz_file_write(names[i], (const uint8_t *)fixed[i], strlen(fixed[i]));
	(void)export_read_csv_dir(fuzz_file_dir(), &sink, &info, err, sizeof(err));
	return 0;
}
