/* The console's decisions: approve (with the irreversible rules), deny,
 * edit then approve, approve for the session and approve always. */
#include "tui/console_int.h"

#include <curses.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/al.h"
#include "core/sanitize.h"
#include "core/xalloc.h"

/* ---- decisions ----------------------------------------------------------- */

void
console_decide(struct console *c, int64_t id, enum client_verdict v,
               const char *reason, const char *updated)
{
	char *err = NULL;
	int rc = client_decide(c->client, id, v, reason, updated, &err);
	char *safe = err ? sanitize_to_string(err, strlen(err), NULL) : NULL;

	if (rc == 0) {
		console_say(
		        c, ROLE_OK, "%s #%lld",
		        v == CLIENT_APPROVE
		                ? (updated ? "approved with edits" : "approved")
		                : "denied",
		        (long long)id);
	} else if (rc == AL_EEXIST) {
		/* someone decided first: their decision stands */
		console_say(c, ROLE_ERROR, "#%lld: %s", (long long)id,
		            safe ? safe : "already decided");
	} else {
		console_say(c, ROLE_ERROR, "#%lld not decided: %s",
		            (long long)id, safe ? safe : al_strerror(rc));
	}
	free(safe);
	free(err);
	console_pump(c);
}

static const struct action *
console_decidable(struct console *c)
{
	const struct action *a;

	if (c->o->readonly) {
		console_say(c, ROLE_ERROR, "read-only console: no decisions");
		return NULL;
	}
	a = c->view == CONSOLE_VIEW_QUEUE ? console_selected(c) : NULL;
	if (a == NULL) {
		console_say(c, ROLE_DIM, "nothing pending is selected");
	}
	return a;
}

unsigned
console_on_approve(struct console *c)
{
	const struct action *a = console_decidable(c);

	if (a == NULL) {
		return CONSOLE_REDRAW_STATUS;
	}
	if (!layout_is_irreversible(a)) {
		console_decide(c, a->id, CLIENT_APPROVE, NULL, NULL);
		return CONSOLE_REDRAW_ALL;
	}
	/* irreversible: every line of the input must have been on screen */
	if (c->detail_id == a->id && c->detail_partial) {
		console_say(c, ROLE_ERROR,
		            "irreversible: the detail is still being prepared");
		return CONSOLE_REDRAW_STATUS;
	}
	if (c->detail_id != a->id || c->detail_seen < c->detail_lines) {
		console_say(
		        c, ROLE_ERROR,
		        "irreversible: scroll through the whole detail first "
		        "(%zu of %zu lines seen)",
		        c->detail_id == a->id ? c->detail_seen : 0,
		        c->detail_lines);
		return CONSOLE_REDRAW_STATUS;
	}
	c->prompt = CONSOLE_PROMPT_CONFIRM;
	c->target_id = a->id;
	console_say(c, ROLE_PROMPT,
	            "IRREVERSIBLE action #%lld: press y to approve, any other "
	            "key cancels",
	            (long long)a->id);
	return CONSOLE_REDRAW_STATUS;
}

unsigned
console_on_deny(struct console *c)
{
	const struct action *a = console_decidable(c);

	if (a == NULL) {
		return CONSOLE_REDRAW_STATUS;
	}
	c->prompt = CONSOLE_PROMPT_DENY;
	c->target_id = a->id;
	buf_reset(&c->input);
	console_say(c, ROLE_PROMPT, "Reason for denying #%lld (Esc cancels): ",
	            (long long)a->id);
	return CONSOLE_REDRAW_STATUS;
}

/* Runs $VISUAL or $EDITOR (else vi) on path with the terminal given back;
 * true when it exited 0. fork()+exec() only: nng forbids anything else in
 * a child. */
static bool
console_run_editor(const char *path)
{
	pid_t pid;
	int status = 0;

	def_prog_mode();
	endwin();
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c",
		      "exec ${VISUAL:-${EDITOR:-vi}} \"$1\"", "airlock-edit",
		      path, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	reset_prog_mode();
	refresh();
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static char *
console_edit_text(const char *text)
{
	char path[] = "/tmp/airlock-edit-XXXXXX";
	int fd = mkstemp(path);
	char *out = NULL;
	size_t len = strlen(text);

	if (fd < 0) {
		return NULL;
	}
	if (write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1 &&
	    console_run_editor(path)) {
		out = buf_read_file(path);
	}
	close(fd);
	unlink(path);
	return out;
}

/* Edit then approve: the daemon validates the edited input and keeps
 * both versions; we only check that something changed. */
unsigned
console_on_edit(struct console *c)
{
	const struct action *a = console_decidable(c);
	int64_t id;
	char *edited;
	size_t n;

	if (a == NULL || a->tool_input == NULL) {
		return CONSOLE_REDRAW_STATUS;
	}
	id = a->id;
	edited = console_edit_text(a->tool_input);
	if (edited == NULL) {
		console_say(c, ROLE_ERROR, "editor failed: #%lld not approved",
		            (long long)id);
		return CONSOLE_REDRAW_CLEAR;
	}
	n = strlen(edited);
	while (n > 0 && strchr(" \t\r\n", edited[n - 1]) != NULL) {
		edited[--n] = '\0';
	}
	/* the pending set may have changed while the editor ran */
	console_pump(c);
	a = console_selected(c);
	if (a != NULL && a->id == id && strcmp(edited, a->tool_input) == 0) {
		console_say(c, ROLE_DIM, "input unchanged: #%lld not approved",
		            (long long)id);
	} else {
		console_decide(c, id, CLIENT_APPROVE, NULL, edited);
	}
	free(edited);
	return CONSOLE_REDRAW_CLEAR;
}

/* A decidable call that a rule may cover: never an irreversible one,
 * which is approved alone, with its whole detail seen. */
static const struct action *
console_generalisable(struct console *c)
{
	const struct action *a = console_decidable(c);

	if (a != NULL && layout_is_irreversible(a)) {
		console_say(c, ROLE_ERROR,
		            "irreversible: no rule for this one; approve it "
		            "alone with a");
		return NULL;
	}
	return a;
}

static void
console_rules_error(struct console *c, int64_t id, int rc, const char *err)
{
	char *safe = err ? sanitize_to_string(err, strlen(err), NULL) : NULL;

	console_say(c, ROLE_ERROR, "#%lld not approved: %s", (long long)id,
	            safe ? safe : al_strerror(rc));
	free(safe);
}

unsigned
console_on_approve_session(struct console *c)
{
	const struct action *a = console_generalisable(c);
	char *rule = NULL, *err = NULL;
	int64_t id;
	int rc;

	if (a == NULL) {
		return CONSOLE_REDRAW_STATUS;
	}
	id = a->id;
	rc = client_rules_approve_session(c->o->paths, id, &rule, &err);
	if (rc != 0) {
		console_rules_error(c, id, rc, err);
	} else {
		char *safe = sanitize_to_string(rule ? rule : "",
		                                rule ? strlen(rule) : 0, NULL);

		console_say(c, ROLE_OK,
		            "approved #%lld; for the rest of its session: %s",
		            (long long)id, safe);
		free(safe);
	}
	free(rule);
	free(err);
	console_pump(c);
	return CONSOLE_REDRAW_ALL;
}

void
console_rule_reset(struct console *c)
{
	free(c->rule_text);
	c->rule_text = NULL;
	client_rules_report_clear(&c->rule_report);
}

/* Opens the rule prompt on text (the proposal, or what was typed). */
static void
console_rule_prompt(struct console *c, const char *text)
{
	c->prompt = CONSOLE_PROMPT_RULE;
	buf_reset(&c->input);
	buf_puts(&c->input, text);
	console_say(c, ROLE_PROMPT,
	            "Allow always (Enter: dry run, Esc cancels): ");
}

unsigned
console_on_approve_always(struct console *c)
{
	const struct action *a = console_generalisable(c);
	char *rule = NULL, *err = NULL;

	if (a == NULL) {
		return CONSOLE_REDRAW_STATUS;
	}
	c->target_id = a->id;
	/* no proposal (a compound command): the approver writes one */
	if (client_rules_propose(c->o->paths, a->id, &rule, &err) != 0) {
		rule = xstrdup(a->tool_name ? a->tool_name : "");
	}
	console_rule_prompt(c, rule);
	free(rule);
	free(err);
	return CONSOLE_REDRAW_ALL;
}

/* Enter on the rule prompt: the dry run, shown before anything is saved. */
unsigned
console_rule_check(struct console *c)
{
	char *err = NULL;
	int rc;

	console_rule_reset(c);
	c->rule_text = xstrdup(c->input.data ? c->input.data : "");
	rc = client_rules_check(c->o->paths, c->rule_text, &c->rule_report,
	                        &err);
	if (rc != 0) {
		char *safe = err ? sanitize_to_string(err, strlen(err), NULL)
		                 : xstrdup(al_strerror(rc));

		console_say(c, ROLE_ERROR, "%s; edit the rule: ", safe);
		free(safe);
		free(err);
		return CONSOLE_REDRAW_ALL;
	}
	c->prompt = CONSOLE_PROMPT_RULE_CONFIRM;
	console_say(c, ROLE_PROMPT,
	            "y saves the rule and approves #%lld; e edits it; any "
	            "other key cancels",
	            (long long)c->target_id);
	return CONSOLE_REDRAW_ALL;
}

unsigned
console_rule_confirm(struct console *c, uint32_t key)
{
	int64_t id = c->target_id;
	char *err = NULL;
	int rc;

	if (key == 'e') {
		char *text = xstrdup(c->rule_text ? c->rule_text : "");

		console_rule_reset(c);
		console_rule_prompt(c, text);
		free(text);
		return CONSOLE_REDRAW_ALL;
	}
	c->prompt = CONSOLE_PROMPT_NONE;
	buf_reset(&c->input);
	if (key != 'y' && key != 'Y') {
		console_rule_reset(c);
		console_say(c, ROLE_DIM, "cancelled: no rule saved");
		return CONSOLE_REDRAW_ALL;
	}
	rc = client_rules_approve_always(c->o->paths, id, c->rule_text, &err);
	if (rc != 0) {
		console_rules_error(c, id, rc, err);
	} else {
		char *safe = sanitize_to_string(c->rule_text,
		                                strlen(c->rule_text), NULL);

		console_say(c, ROLE_OK, "approved #%lld; rule saved: %s",
		            (long long)id, safe);
		free(safe);
	}
	free(err);
	console_rule_reset(c);
	console_pump(c);
	return CONSOLE_REDRAW_ALL;
}
