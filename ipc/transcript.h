#ifndef AIRLOCK_IPC_TRANSCRIPT_H
#define AIRLOCK_IPC_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/action.h"

/*
 * Claude Code transcripts (~/.claude/projects/<project>/<session>.jsonl,
 * the transcript_path of every hook event): one JSON object per line. The
 * tool calls are the "tool_use" blocks of "assistant" messages; their
 * outcomes are the "tool_result" blocks of the "user" messages that
 * follow. Everything else (prompts, attachments, API bookkeeping) is
 * skipped. Lines are parsed as strictly as hook events (ipc/jsonutil.h);
 * a line that fails is counted, never half-read.
 */

struct transcript_call {
	char *tool_use_id;
	char *session_id;
	char *tool_name;
	char *tool_input; /* compact JSON object */
	char *summary;    /* as the hook path summarises it */
	char *cwd;
	char *permission_mode; /* the last one the transcript stated */
	int64_t ms;            /* when the model asked for it; 0 unknown */
	bool sidechain;        /* a subagent's call */
	bool has_result;
	bool is_error; /* the tool_result said is_error */
	int64_t result_ms;
};

struct transcript {
	struct transcript_call *calls; /* in transcript order, ids unique */
	size_t ncalls;
	size_t lines;          /* non-empty lines */
	size_t bad_lines;      /* not one strict JSON object: skipped */
	size_t bad_calls;      /* tool_use blocks without id, name or input */
	size_t orphan_results; /* tool_result for no call in the transcript */
};

/* Parses len bytes of transcript text. Never fails on content (bad lines
 * are counted); *out is a new transcript the caller frees. */
void transcript_parse(const char *buf, size_t len, struct transcript **out);
/* Reads and parses the file at path. AL_EIO / AL_ETOOBIG with *err (the
 * caller frees) on failure; *out untouched then. */
int transcript_load(const char *path, struct transcript **out, char **err);
void transcript_free(struct transcript *t); /* NULL is a no-op */

/* The action an imported call is recorded as: hook_event "PreToolUse",
 * source AUDIT_SOURCE_IMPORT ("import"), no verdict, state decided,
 * request_id "import:<tool_use_id>" (so a second import of the same call
 * is refused by the store), and a reason naming origin (the file). The
 * caller frees. */
struct action *transcript_action(const struct transcript_call *c,
                                 const char *origin);

/* Milliseconds since the epoch of an ISO 8601 UTC time as transcripts
 * write it ("2026-11-27T07:05:09.561Z"); AL_EPARSE otherwise. */
int transcript_time(const char *iso, int64_t *out);

#endif
