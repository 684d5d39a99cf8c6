/* The schema migrations compiled in from sql/NNN_name.sql, in ascending version order. */
#ifndef ROLLCALL_MIGRATIONS_H
#define ROLLCALL_MIGRATIONS_H

typedef struct migration {
	int version;
	const char *name;
	const char *sql;
} migration_t;

extern const migration_t migrations[];
extern const int migrations_count;

#endif
