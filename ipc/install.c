#include "ipc/install.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "ipc/jsonutil.h"

/* The marker by which our entries are recognised: the hook's file name. */
#define INSTALL_MARKER "airlock-hook"

struct install_event {
	const char *name;
	bool tool; /* tool events take a matcher */
};

static const struct install_event install_events[] = {
	{ "PreToolUse", true },    { "PermissionRequest", true },
	{ "PostToolUse", true },   { "PostToolUseFailure", true },
	{ "SessionStart", false }, { "SessionEnd", false },
	{ "Stop", false },         { "UserPromptSubmit", false },
	{ "Notification", false },
};

int
install_hook_timeout(int approval_timeout_s)
{
	return approval_timeout_s + 60;
}

int
install_hook_deadline(int approval_timeout_s)
{
	return approval_timeout_s + 30;
}

/* The hook's arguments. The "args" form makes Claude Code exec the hook
 * directly, without /bin/sh -c: measured, that saves a shell start per
 * hook call (bench/bench_hook), and nothing needs quoting. */
static cJSON *
install_args(const struct install_opts *o)
{
	cJSON *args = cJSON_CreateArray();
	char deadline[24];

	if (o->home != NULL) {
		cJSON_AddItemToArray(args, cJSON_CreateString("--home"));
		cJSON_AddItemToArray(args, cJSON_CreateString(o->home));
	}
	snprintf(deadline, sizeof deadline, "%d",
	         install_hook_deadline(o->approval_timeout_s));
	cJSON_AddItemToArray(args, cJSON_CreateString("--deadline"));
	cJSON_AddItemToArray(args, cJSON_CreateString(deadline));
	return args;
}

static int
install_read(const char *path, cJSON **out, char **err)
{
	FILE *f = fopen(path, "r");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	int rc;

	if (f == NULL) {
		if (errno == ENOENT) {
			*out = cJSON_CreateObject();
			return 0;
		}
		*err = xasprintf("%s: %s", path, strerror(errno));
		return AL_EIO;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_append(&b, chunk, n);
	}
	fclose(f);
	char *perr = NULL;
	rc = jsonutil_parse_strict(b.data ? b.data : "", b.len, out, &perr);
	if (rc == 0 && !cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		perr = xstrdup("not a JSON object");
		rc = AL_EPARSE;
	}
	if (rc != 0) {
		*err = xasprintf("%s: %s; not changed", path, perr);
		free(perr);
	}
	buf_free(&b);
	return rc;
}

static bool
install_is_ours(const cJSON *hook)
{
	const char *cmd = jsonutil_str(hook, "command");

	return cmd != NULL && strstr(cmd, INSTALL_MARKER) != NULL;
}

/* Removes our hook entries from one event's matcher groups; drops groups
 * left empty. Returns true when something was removed. */
static bool
install_strip_event(cJSON *groups)
{
	bool removed = false;
	cJSON *g = groups ? groups->child : NULL;

	while (g != NULL) {
		cJSON *next = g->next;
		cJSON *hooks = cJSON_GetObjectItemCaseSensitive(g, "hooks");
		cJSON *h = hooks ? hooks->child : NULL;
		bool here = false; /* only a group we emptied is dropped */
		while (h != NULL) {
			cJSON *hn = h->next;
			if (install_is_ours(h)) {
				cJSON_Delete(
				        cJSON_DetachItemViaPointer(hooks, h));
				here = true;
			}
			h = hn;
		}
		removed = removed || here;
		if (here && cJSON_GetArraySize(hooks) == 0) {
			cJSON_Delete(cJSON_DetachItemViaPointer(groups, g));
		}
		g = next;
	}
	return removed;
}

static bool
install_strip(cJSON *root)
{
	cJSON *hooks = cJSON_GetObjectItemCaseSensitive(root, "hooks");
	bool removed = false;

	if (!cJSON_IsObject(hooks)) {
		return false;
	}
	for (size_t i = 0; i < sizeof install_events / sizeof install_events[0];
	     i++) {
		cJSON *groups = cJSON_GetObjectItemCaseSensitive(
		        hooks, install_events[i].name);
		if (cJSON_IsArray(groups) && install_strip_event(groups)) {
			removed = true;
			if (cJSON_GetArraySize(groups) == 0) {
				cJSON_DeleteItemFromObjectCaseSensitive(
				        hooks, install_events[i].name);
			}
		}
	}
	if (removed && cJSON_GetArraySize(hooks) == 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(root, "hooks");
	}
	return removed;
}

static int
install_add(cJSON *root, const struct install_opts *o, char **err)
{
	cJSON *hooks = cJSON_GetObjectItemCaseSensitive(root, "hooks");

	if (hooks == NULL) {
		hooks = cJSON_AddObjectToObject(root, "hooks");
	}
	if (!cJSON_IsObject(hooks)) {
		*err = xstrdup("\"hooks\" in the settings is not an object");
		return AL_EINVAL;
	}
	for (size_t i = 0; i < sizeof install_events / sizeof install_events[0];
	     i++) {
		cJSON *groups = cJSON_GetObjectItemCaseSensitive(
		        hooks, install_events[i].name);
		if (groups == NULL) {
			groups = cJSON_AddArrayToObject(hooks,
			                                install_events[i].name);
		}
		if (!cJSON_IsArray(groups)) {
			*err = xasprintf(
			        "hooks.%s in the settings is not an array",
			        install_events[i].name);
			return AL_EINVAL;
		}
		cJSON *g = cJSON_CreateObject();
		if (install_events[i].tool) {
			cJSON_AddStringToObject(g, "matcher", "*");
		}
		cJSON *h = cJSON_CreateObject();
		cJSON_AddStringToObject(h, "type", "command");
		cJSON_AddStringToObject(h, "command", o->hook_path);
		cJSON_AddItemToObject(h, "args", install_args(o));
		cJSON_AddNumberToObject(
		        h, "timeout",
		        install_hook_timeout(o->approval_timeout_s));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(g, "hooks"), h);
		cJSON_AddItemToArray(groups, g);
	}
	return 0;
}

static int
install_copy(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");
	FILE *out;
	char chunk[4096];
	size_t n;
	int rc = 0;

	if (in == NULL) {
		return errno == ENOENT ? 0 : AL_EIO;
	}
	out = fopen(to, "wb");
	if (out == NULL) {
		fclose(in);
		return AL_EIO;
	}
	while ((n = fread(chunk, 1, sizeof chunk, in)) > 0) {
		if (fwrite(chunk, 1, n, out) != n) {
			rc = AL_EIO;
		}
	}
	fclose(in);
	if (fclose(out) != 0) {
		rc = AL_EIO;
	}
	return rc;
}

static void
install_mkdir_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	free(dir);
}

/* Backup, then write a temporary file and rename it over the original. */
static int
install_write(const char *path, const cJSON *root, char **err)
{
	char *backup = xasprintf("%s.airlock-backup", path);
	char *tmp = xasprintf("%s.airlock-tmp", path);
	char *text = cJSON_Print(root);
	FILE *f;
	int rc = 0;

	install_mkdir_parent(path);
	if (install_copy(path, backup) != 0) {
		*err = xasprintf("cannot back up %s to %s", path, backup);
		rc = AL_EIO;
		goto out;
	}
	f = fopen(tmp, "w");
	if (f == NULL || fputs(text, f) < 0 || fputc('\n', f) == EOF ||
	    fclose(f) != 0 || rename(tmp, path) != 0) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		rc = AL_EIO;
	}
out:
	cJSON_free(text);
	free(backup);
	free(tmp);
	return rc;
}

int
install_apply(const struct install_opts *o, bool *changed, char **err)
{
	cJSON *root = NULL;
	char *before = NULL;
	char *after = NULL;
	int rc = install_read(o->settings_path, &root, err);

	if (rc != 0) {
		return rc;
	}
	before = cJSON_PrintUnformatted(root);
	install_strip(root);
	rc = install_add(root, o, err);
	if (rc == 0) {
		after = cJSON_PrintUnformatted(root);
		*changed = strcmp(before, after) != 0;
		if (*changed) {
			rc = install_write(o->settings_path, root, err);
		}
	}
	cJSON_free(before);
	cJSON_free(after);
	cJSON_Delete(root);
	return rc;
}

int
install_remove(const struct install_opts *o, bool *changed, char **err)
{
	cJSON *root = NULL;
	int rc = install_read(o->settings_path, &root, err);

	if (rc != 0) {
		return rc;
	}
	*changed = install_strip(root);
	if (*changed) {
		rc = install_write(o->settings_path, root, err);
	}
	cJSON_Delete(root);
	return rc;
}
