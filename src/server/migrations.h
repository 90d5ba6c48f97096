/* migrations.h: the numbered schema migrations, applied in order at start. */
#ifndef VIGIL_MIGRATIONS_H
#define VIGIL_MIGRATIONS_H

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration migrations[];
extern const int migrations_count;

#endif
