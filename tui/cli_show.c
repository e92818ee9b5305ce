/* `airlock show ID`: one call from the audit database with its decision,
 * its outcome, its result, and for a file tool the diff against the file
 * as it is on disk now. */
#include "tui/cli_audit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/al.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/diff.h"
#include "core/xalloc.h"
#include "ipc/export.h"
#include "tui/cli_audit_int.h"

#define CLI_SHOW_MAX_FILE (16 * 1024 * 1024) /* largest file diffed */

/* The file's bytes (NULL when it does not exist; *err set when it exists
 * but cannot be read or is too large to diff). */
static char *
cli_show_read_file(const char *path, size_t *len, const char **err)
{
	struct stat st;
	FILE *f;
	char *data;

	*len = 0;
	if (stat(path, &st) != 0) {
		*err = errno == ENOENT ? NULL : "the file cannot be read";
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CLI_SHOW_MAX_FILE) {
		*err = "not a regular file, or too large to diff";
		return NULL;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		*err = "the file cannot be read";
		return NULL;
	}
	data = xmalloc((size_t)st.st_size + 1);
	*len = fread(data, 1, (size_t)st.st_size, f);
	data[*len] = '\0';
	fclose(f);
	return data;
}

/* The file as it was before the change, when the change is already on
 * disk: the edits undone in reverse order. */
static int
cli_show_undo(const struct export_change *ch, const char *now, size_t len,
              char **before, size_t *blen)
{
	struct diff_edit *rev = xcalloc(ch->nedits, sizeof rev[0]);

	for (size_t i = 0; i < ch->nedits; i++) {
		const struct diff_edit *e = &ch->edits[ch->nedits - 1 - i];
		rev[i] = (struct diff_edit){ .old_s = e->new_s,
			                     .old_len = e->new_len,
			                     .new_s = e->old_s,
			                     .new_len = e->old_len,
			                     .replace_all = e->replace_all };
	}
	int rc =
	        diff_apply_multi(now, len, rev, ch->nedits, before, blen, NULL);
	free(rev);
	return rc;
}

/* Diffs an Edit/MultiEdit against the file now on disk. */
static int
cli_show_diff_edits(const struct export_change *ch, const char *cur, size_t len,
                    struct buf *out, char note[200])
{
	struct diff_edit_error e = { 0 };
	struct diff_result *r = NULL;
	char *other = NULL;
	size_t olen = 0;
	int rc = diff_apply_multi(cur, len, ch->edits, ch->nedits, &other,
	                          &olen, &e);

	if (rc == 0) {
		rc = diff_lines(cur, len, other, olen, -1, &r);
	} else if (cur != NULL &&
	           cli_show_undo(ch, cur, len, &other, &olen) == 0) {
		snprintf(note, 200,
		         "already applied: the diff is rebuilt from "
		         "the file as it is now");
		rc = diff_lines(other, olen, cur, len, -1, &r);
	} else {
		snprintf(note, 200, "does not apply to the file on disk: %s",
		         e.msg);
	}
	if (rc == 0) {
		diff_format_unified(r, ch->file_path, ch->file_path, out);
	}
	diff_free(r);
	free(other);
	return rc;
}

static int
cli_show_diff_write(const struct export_change *ch, const char *cur, size_t len,
                    struct buf *out, char note[200])
{
	struct diff_result *r = NULL;
	int rc = diff_write(cur, len, ch->content, ch->content_len, -1, &r);

	if (rc == 0 && diff_hunk_count(r) == 0 && !diff_binary(r)) {
		snprintf(note, 200,
		         "the file on disk already has this content");
	} else if (rc == 0) {
		diff_format_unified(r, ch->file_path, ch->file_path, out);
	}
	diff_free(r);
	return rc;
}

/* The unified diff of a file tool's input (the edited input when the
 * approver changed it) against the file on disk, or NULL; note says why
 * there is none, or qualifies the diff. */
static char *
cli_show_diff(const struct action *a, char note[200])
{
	struct export_change ch = { 0 };
	const char *input = a->edited_input ? a->edited_input : a->tool_input;
	const char *err = NULL;
	struct buf b = { 0 };
	size_t len = 0;
	int rc = export_file_change(a->tool_name, input, &ch);

	note[0] = '\0';
	if (rc != 0) {
		if (rc != AL_ENOENT) {
			snprintf(note, 200, "the input is not a valid %s call",
			         a->tool_name);
		}
		return NULL;
	}
	char *path = ch.file_path[0] == '/' || a->cwd == NULL
	                     ? xstrdup(ch.file_path)
	                     : xasprintf("%s/%s", a->cwd, ch.file_path);
	char *cur = cli_show_read_file(path, &len, &err);
	if (err != NULL) {
		snprintf(note, 200, "%s: %s", path, err);
	} else if (ch.is_write) {
		rc = cli_show_diff_write(&ch, cur, len, &b, note);
	} else {
		rc = cli_show_diff_edits(&ch, cur, len, &b, note);
	}
	free(cur);
	free(path);
	export_change_clear(&ch);
	if (err != NULL || rc != 0 || b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static void
cli_show_field(const char *label, const char *value)
{
	printf("  %-13s", label);
	cli_audit_put(value, true);
	putchar('\n');
}

static void
cli_show_json_block(const char *label, const char *json)
{
	char *pretty = export_pretty(json);

	printf("%s:\n", label);
	cli_audit_put(pretty ? pretty : json, false);
	putchar('\n');
	free(pretty);
}

static void
cli_show_findings(const struct action *a)
{
	const struct risk_report *r = &a->risk;
	bool bash = a->tool_name && strcmp(a->tool_name, "Bash") == 0;
	size_t slen = a->summary ? strlen(a->summary) : 0;

	for (size_t i = 0; i < r->nfindings; i++) {
		const struct risk_finding *f = &r->findings[i];
		printf("  finding      %s (%s) at [%zu, %zu)",
		       risk_cat_name(f->cat),
		       f->severity == RISK_SEV_DENY ? "deny" : "ask", f->start,
		       f->end);
		/* For Bash the spans index the command, which is the summary.
		 */
		if (bash && f->end <= slen && f->start < f->end) {
			char *span = xstrndup(a->summary + f->start,
			                      f->end - f->start);
			printf(" \"");
			cli_audit_put(span, true);
			printf("\"");
			free(span);
		}
		printf(": ");
		cli_audit_put(f->why, true);
		putchar('\n');
	}
	for (size_t i = 0; i < r->nhosts; i++) {
		cli_show_field("host", r->hosts[i]);
	}
}

static void
cli_show_head(const struct action *a)
{
	char when[40];

	cli_audit_iso(a->received_ms, when);
	printf("call %lld  %s  %s\n", (long long)a->id,
	       a->tool_name ? a->tool_name : "-",
	       a->hook_event ? a->hook_event : "-");
	cli_show_field("summary", a->summary);
	cli_show_field("session", a->session_id);
	cli_show_field("cwd", a->cwd);
	cli_show_field("mode", a->permission_mode);
	cli_show_field("tool_use_id", a->tool_use_id);
	cli_show_field("received", when);
}

static void
cli_show_decision(const struct action *a)
{
	bool imported =
	        a->source && strcmp(a->source, AUDIT_SOURCE_IMPORT) == 0;

	printf("decision:\n");
	if (imported) {
		printf("  imported from a transcript: no decision "
		       "provenance\n");
		cli_show_field("note", a->reason);
		return;
	}
	cli_show_field("verdict", a->verdict ? a->verdict : "(event)");
	cli_show_field("source", a->source);
	cli_show_field("rule", a->rule);
	cli_show_field("rule file", a->rule_file);
	cli_show_field("reason", a->reason);
	cli_show_field("tainted",
	               a->tainted ? "yes (untrusted content read)" : "no");
	cli_show_findings(a);
}

static void
cli_show_outcome(const struct action *a)
{
	char when[40];
	char wait[32];
	char *who;

	printf("outcome:\n");
	cli_show_field("state", action_state_name(a->state));
	if (a->decided_ms <= 0) {
		return;
	}
	cli_audit_iso(a->decided_ms, when);
	cli_audit_duration(a->decided_ms - a->received_ms, wait);
	who = a->approver ? xasprintf("%s (uid %lld, pid %lld)", a->approver,
	                              (long long)a->approver_uid,
	                              (long long)a->approver_pid)
	                  : xstrdup("airlockd (no human)");
	cli_show_field("decided by", who);
	cli_show_field("decided at", when);
	cli_show_field("waited", wait);
	cli_show_field("reason", a->final_reason);
	free(who);
	if (a->edited_input != NULL) {
		cli_show_json_block("edited input (what ran)", a->edited_input);
	}
}

/* The PostToolUse event of the call (its result), or NULL. */
static struct action *
cli_show_post_event(struct audit *db, const struct action *a)
{
	struct audit_tool_use tu = { 0 };
	struct action *post = NULL;

	if (a->tool_use_id == NULL || a->result != NULL ||
	    audit_find_tool_use(db, a->tool_use_id, &tu) != 0 ||
	    tu.event_id <= 0 || audit_get(db, tu.event_id, &post) != 0) {
		return NULL;
	}
	return post;
}

static void
cli_show_result(const struct action *post)
{
	char size[64];

	if (post == NULL || post->result == NULL) {
		return;
	}
	snprintf(size, sizeof size, "%lld bytes%s",
	         (long long)post->result_size,
	         (int64_t)strlen(post->result) < post->result_size
	                 ? " (kept in part)"
	                 : "");
	printf("result (%s call %lld):\n",
	       post->hook_event ? post->hook_event : "event",
	       (long long)post->id);
	cli_show_field("size", size);
	cli_show_field("sha256", post->result_sha256);
	cli_audit_put(post->result, false);
	putchar('\n');
}

static void
cli_show_text(const struct action *a, const char *diff, const char *note,
              const struct action *post)
{
	cli_show_head(a);
	if (a->tool_input != NULL) {
		cli_show_json_block("input", a->tool_input);
	}
	cli_show_decision(a);
	cli_show_outcome(a);
	if (diff != NULL || note[0] != '\0') {
		printf("diff against the file on disk%s%s:\n",
		       note[0] ? " — " : "", note);
	}
	if (diff != NULL) {
		cli_audit_put(diff, false);
	}
	cli_show_result(post ? post : a);
}

int
cli_show(const struct cli *c)
{
	static const char *const with_value[] = { NULL };
	struct cli_audit_ctx x = { 0 };
	struct action *a = NULL;
	long long id = 0;
	char note[200];

	if (!cli_audit_num(cli_arg(c, with_value, 0), &id)) {
		fprintf(stderr, "usage: airlock show ID [--json]\n");
		return 2;
	}
	if (cli_audit_open(c, &x, AUDIT_READONLY) != 0) {
		return 1;
	}
	int rc = audit_get(x.db, id, &a);
	if (rc != 0) {
		fprintf(stderr, "airlock: no call %lld (%s)\n", id,
		        audit_errmsg(x.db));
		cli_audit_close(&x);
		return 1;
	}
	char *diff = cli_show_diff(a, note);
	struct action *post = cli_show_post_event(x.db, a);
	if (cli_flag(c, "--json")) {
		char *s = export_show_text(a, diff, post);
		puts(s);
		free(s);
	} else {
		cli_show_text(a, diff, note, post);
	}
	free(diff);
	action_free(post);
	action_free(a);
	cli_audit_close(&x);
	return 0;
}
