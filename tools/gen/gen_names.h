/* The generator's built-in word lists: plainly synthetic people, places and streets. Surnames,
 * towns, LAs and school names are compounds of invented syllables so no list names a real
 * person; phone numbers come from Ofcom's ranges reserved for drama. */
#ifndef ROLLCALL_GEN_NAMES_H
#define ROLLCALL_GEN_NAMES_H

#include <stddef.h>

typedef struct gen_forename {
	const char *name;
	const char *short_form; /* a common preferred form, or NULL */
} gen_forename;

typedef struct gen_ethnicity {
	const char *code; /* DfE main ethnicity code */
	double share;     /* of pupils */
	double eal;       /* chance of English as an additional language */
} gen_ethnicity;

typedef struct gen_list {
	const char *const *item;
	size_t n;
} gen_list;

extern const gen_forename names_girls[];
extern const size_t names_girls_count;
extern const gen_forename names_boys[];
extern const size_t names_boys_count;
extern const gen_ethnicity names_ethnicity[];
extern const size_t names_ethnicity_count;

extern const gen_list names_adult_women; /* contacts */
extern const gen_list names_adult_men;
extern const gen_list names_initials;      /* staff initials */
extern const gen_list names_syllable_head; /* surname / place first halves */
extern const gen_list names_syllable_tail; /* surname second halves */
extern const gen_list names_place_tail;    /* town second halves */
extern const gen_list names_school_tail;   /* school place second halves */
extern const gen_list names_street_kind;   /* Road, Lane, ... */
extern const gen_list names_locality;      /* patterns with %s for address line 2 */
extern const gen_list names_la;            /* invented local authority names */
extern const gen_list names_postcode_area; /* postcode areas of valid shape no real area uses */

/* Writes a surname built from syllables (a, b) into out. */
void names_surname(char *out, size_t outlen, size_t a, size_t b);

#endif
