#define _XOPEN_SOURCE 700
#include "tests/support/tmpdir.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
test_tmp_make(struct test_tmp *t, const char *tag)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/airlock-%s-XXXXXX", tag);
	if (mkdtemp(t->dir) == NULL) {
		return -1;
	}
	snprintf(t->path, sizeof t->path, "%s/audit.db", t->dir);
	return 0;
}

static int
test_tmp_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int
test_tmp_remove(const struct test_tmp *t)
{
	if (strncmp(t->dir, "/tmp/airlock-", 13) != 0) {
		return -1;
	}
	return nftw(t->dir, test_tmp_rm, 16, FTW_DEPTH | FTW_PHYS);
}
