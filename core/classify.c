#include "core/classify.h"

#include <string.h>

/* Interim, fail-closed classifier: every shell command is reported as not
 * understood (so it is asked, never allowed) until the shell parser and the
 * real classifier land. */
int
classify_bash(const char *command, const struct classify_env *env,
              struct risk_report *out)
{
	(void)env;
	risk_report_add(out, RISK_UNPARSED, RISK_SEV_ASK, 0, strlen(command),
	                "shell analysis unavailable");
	return 0;
}

int
classify_path(const char *path, enum classify_op op,
              const struct classify_env *env, struct risk_report *out)
{
	(void)path;
	(void)op;
	(void)env;
	(void)out;
	return 0;
}

int
classify_url(const char *url, struct risk_report *out)
{
	risk_report_add(out, RISK_EGRESS, RISK_SEV_ASK, 0, strlen(url),
	                "network fetch");
	return 0;
}
