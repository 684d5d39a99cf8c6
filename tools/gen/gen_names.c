/* Word lists for rollcall-gen (see gen_names.h). */
#include "gen_names.h"

#include <stdio.h>

#define LIST(name, ...)                                                                            \
	static const char *const s_##name[] = {__VA_ARGS__};                                       \
	const gen_list names_##name = {s_##name, sizeof(s_##name) / sizeof(s_##name[0])}

const gen_forename names_girls[] = {
        {"Amara", NULL},       {"Isla", NULL},        {"Maya", NULL},        {"Zara", NULL},
        {"Freya", NULL},       {"Aisha", NULL},       {"Chloe", NULL},       {"Evie", NULL},
        {"Ruby", NULL},        {"Nadia", NULL},       {"Leah", NULL},        {"Poppy", NULL},
        {"Sofia", "Sofi"},     {"Hana", NULL},        {"Ivy", NULL},         {"Esme", NULL},
        {"Layla", NULL},       {"Grace", NULL},       {"Priya", NULL},       {"Nia", NULL},
        {"Elizabeth", "Beth"}, {"Katherine", "Kate"}, {"Alexandra", "Alex"}, {"Oluwaseun", "Seun"},
        {"Rosalind", "Rosie"}, {"Harriet", "Hattie"}, {"Florence", "Flo"},   {"Imogen", "Immy"},
        {"Yasmin", NULL},      {"Tilly", NULL},       {"Mariam", NULL},      {"Ada", NULL},
        {"Orla", NULL},        {"Bethan", NULL},      {"Keira", NULL},       {"Lina", NULL},
};
const size_t names_girls_count = sizeof(names_girls) / sizeof(names_girls[0]);

const gen_forename names_boys[] = {
        {"Arlo", NULL},
        {"Ezra", NULL},
        {"Finn", NULL},
        {"Idris", NULL},
        {"Kai", NULL},
        {"Leo", NULL},
        {"Musa", NULL},
        {"Noah", NULL},
        {"Oscar", NULL},
        {"Ravi", NULL},
        {"Theo", NULL},
        {"Yusuf", NULL},
        {"Zain", NULL},
        {"Jonah", NULL},
        {"Callum", NULL},
        {"Dev", NULL},
        {"Felix", NULL},
        {"Hugo", NULL},
        {"Omar", NULL},
        {"Rory", NULL},
        {"Milo", NULL},
        {"Tariq", NULL},
        {"Kofi", NULL},
        {"Ethan", NULL},
        {"Alexander", "Alex"},
        {"Benjamin", "Ben"},
        {"Samuel", "Sam"},
        {"Maximilian", "Max"},
        {"Oluwadamilare", "Dami"},
        {"Frederick", "Freddie"},
        {"Thomas", "Tom"},
        {"Joseph", "Joe"},
        {"Reuben", NULL},
        {"Ilyas", NULL},
        {"Caspian", NULL},
        {"Bram", NULL},
};
const size_t names_boys_count = sizeof(names_boys) / sizeof(names_boys[0]);

/* Shares roughly follow the school census for England; eal is the chance a pupil of that group
 * has English as an additional language, tuned so about 18% of pupils do overall. */
const gen_ethnicity names_ethnicity[] = {
        {"WBRI", 0.600, 0.01}, {"WIRI", 0.005, 0.02}, {"WIRT", 0.003, 0.05}, {"WROM", 0.004, 0.80},
        {"WOTH", 0.070, 0.80}, {"MWBC", 0.020, 0.03}, {"MWBA", 0.010, 0.10}, {"MWAS", 0.012, 0.15},
        {"MOTH", 0.022, 0.15}, {"AIND", 0.032, 0.60}, {"APKN", 0.045, 0.70}, {"ABAN", 0.017, 0.80},
        {"AOTH", 0.022, 0.70}, {"BCRB", 0.010, 0.02}, {"BAFR", 0.045, 0.60}, {"BOTH", 0.006, 0.30},
        {"CHNE", 0.005, 0.70}, {"OOTH", 0.020, 0.70}, {"REFU", 0.050, 0.05}, {"NOBT", 0.002, 0.05},
};
const size_t names_ethnicity_count = sizeof(names_ethnicity) / sizeof(names_ethnicity[0]);

LIST(adult_women, "Alison", "Bernadette", "Carys", "Deborah", "Eleni", "Fatima", "Gemma", "Helen",
     "Ifeoma", "Joanne", "Kirsty", "Lorna", "Meena", "Naomi", "Patrice", "Rachel", "Shazia",
     "Tamsin", "Ursula", "Wendy");
LIST(adult_men, "Aidan", "Bilal", "Craig", "Darren", "Emeka", "Farhan", "Gareth", "Hamza", "Ian",
     "Jerome", "Kieran", "Lewis", "Marek", "Nathan", "Owen", "Pradeep", "Rhys", "Stuart", "Tomasz",
     "Wesley");
LIST(initials, "A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "T",
     "V", "W", "Y");
LIST(syllable_head, "Ash", "Bram", "Brook", "Cald", "Dun", "Elder", "Fen", "Gold", "Hart", "Hazel",
     "Kel", "Lark", "Marl", "Nether", "Oak", "Pen", "Quill", "Rook", "Sand", "Thorn", "Wren", "Wyn",
     "Ald", "Birch", "Cob", "Dray", "Fair", "Glen", "Holm", "Ings", "Kest", "Lin", "Mor", "Ott",
     "Pell", "Rush");
LIST(syllable_tail, "wick", "combe", "ridge", "thorpe", "ley", "field", "stow", "mere", "by",
     "worth", "ford", "hurst", "ton", "well", "wood", "shaw", "den", "gate", "holt", "stead");
LIST(place_tail, "bury", "minster", "ham", "borough", "chester", "haven", "port", "wold", "bridge",
     "cote", "dale", "moor");
LIST(school_tail, "field", "lea", "mere", "wood", "bank", "hill", "side", "vale", "croft", "brook",
     "green", "park", "view", "acre", "dene", "gate");
LIST(street_kind, "Road", "Street", "Lane", "Close", "Avenue", "Way", "Crescent", "Drive",
     "Gardens", "Grove", "Terrace", "Mews");
LIST(locality, "Upper %s", "%s Green", "%s End", "Little %s", "%s Park", "Lower %s");
LIST(la, "Ashmarsh", "Brackenmoor", "Coldharbour Vale", "Dunmere", "Eastwold", "Fenholt",
     "Glenmarsh", "Harrowfell", "Ivelshire", "Kestrelford", "Larkmoor", "Marlowe Vale", "Northfenn",
     "Oakhallow", "Pennick", "Quillborough", "Ravensmere", "Saltholm", "Thornwold", "Wrenshire");
/* Second letter X: a valid outward-code shape ([A-Z][A-HJ-Y]9) that no real area uses. */
LIST(postcode_area, "KX", "MX", "RX", "TX", "FX", "JX", "UX", "GX", "YX", "AX");

void names_surname(char *out, size_t outlen, size_t a, size_t b)
{
	snprintf(out, outlen, "%s%s", names_syllable_head.item[a % names_syllable_head.n],
	         names_syllable_tail.item[b % names_syllable_tail.n]);
}
