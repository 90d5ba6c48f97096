/*
 * unittest.h: files and directories for the unit tests that read them
 * (the repository's own files, scratch trees under /tmp).  Include it after
 * cmocka.h.  The functions are static inline: a test uses some of them.
 */
#ifndef VIGIL_UNITTEST_H
#define VIGIL_UNITTEST_H

#include <ftw.h>
#include <sys/stat.h>

/* A path under the repository root (VIGIL_TOP, else "."); caller frees. */
static inline char *
unit_top_path(const char *rel)
{
	const char *top = getenv("VIGIL_TOP");

	return xasprintf("%s/%s", top != NULL && *top != '\0' ? top : ".", rel);
}

/* Remove one entry of a tree being deleted. */
static inline int
unit_rm_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A fresh directory /tmp/vigil-NAME-XXXXXX; remove it with unit_rm_tree. */
static inline char *
unit_tmpdir(const char *name)
{
	char *dir = xasprintf("/tmp/vigil-%s-XXXXXX", name);

	assert_non_null(mkdtemp(dir));
	return dir;
}

/* Remove the tree at path and free the string. */
static inline void
unit_rm_tree(char *path)
{
	nftw(path, unit_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(path);
}

/* Write text to dir/name (to name when dir is NULL); fails the test on error. */
static inline void
unit_put_file(const char *dir, const char *name, const char *text)
{
	char *path = dir != NULL ? xasprintf("%s/%s", dir, name) :
	    xstrdup(name);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
	free(path);
}

#endif
