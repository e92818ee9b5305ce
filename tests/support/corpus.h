#ifndef AIRLOCK_TESTS_CORPUS_H
#define AIRLOCK_TESTS_CORPUS_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * Reads a labelled corpus from ../shared/corpus (JSON Lines; ".gz" files are
 * read through zcat). fn gets each case's parsed object (borrowed for the
 * call) and its 1-based line number. Returns the number of cases read, or
 * -1 when the file cannot be opened or a line does not parse.
 */
typedef void (*corpus_fn)(const cJSON *c, const char *raw, int line, void *arg);
int corpus_each(const char *name, corpus_fn fn, void *arg);

/* The "input" string of a case, decoded from the raw line with its true
 * length (it may hold NUL bytes, which cJSON truncates). The caller frees
 * *out. Returns 0 or -1. */
int corpus_input(const char *raw, char **out, size_t *len);

/* Full path of a corpus or harness file under ../shared; caller frees. */
char *corpus_path(const char *rel);

#endif
