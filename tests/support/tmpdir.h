#ifndef AIRLOCK_TESTS_SUPPORT_TMPDIR_H
#define AIRLOCK_TESTS_SUPPORT_TMPDIR_H

/* A private directory under /tmp for one test's files (an audit database
 * at `path`), removed with everything in it. */
struct test_tmp {
	char dir[64];
	char path[128]; /* dir/audit.db */
};

/* Creates /tmp/airlock-<tag>-XXXXXX; 0, or -1 (errno set). */
int test_tmp_make(struct test_tmp *t, const char *tag);
/* Removes the directory and its contents; 0 on success. */
int test_tmp_remove(const struct test_tmp *t);

#endif
