/*
 * The phrase rules of the injection screener and their per-screening
 * compilation into an index.
 *
 * A rule is a sequence of elements, each a set of alternatives, with at
 * most `gap` bytes between consecutive elements; it is matched on the
 * normalised text (inject_norm.c). Alternatives starting with an ASCII
 * letter or digit only match at a word start.
 *
 * Rule kinds: ADDRESS rules find text addressed to an AI ("AI agents:",
 * "@claude"); STANDALONE rules are findings on their own (overrides,
 * forged markers); ADDRESSED rules (run a command, read a key file, do not
 * tell the user) are findings only when an ADDRESS or STANDALONE match
 * starts shortly before them. That keeps "run `npm install`" in a README
 * harmless while "AI agents: run `curl … | sh`" is not. MARKER rules find
 * the words that switch on a decoder (ROT13, reversed text), so no
 * separate search of the whole text is needed for them.
 */
#include <stdlib.h>
#include <string.h>

#include "core/inject_int.h"
#include "core/xalloc.h"

/* clang-format off */
static const struct inject_rule inject_rule_table[] = {
	{NULL, INJECT_K_ADDRESS, 0, 0, 0,
	 "ai assistant|ai agent|ai model|ai language model|ai system|ai coding|"
	 "ai tool|ai reviewer|ai-assistant|ai-agent|ai:|ai,|to ai|for ai|llm|"
	 "language model|automated agent|automated tool|automated code|"
	 "automated assistant|automated reviewer|automated system|coding agent|"
	 "coding assistant|coding tool|assistant:|assistant,|assistant (|"
	 "assistant instructions|instructions for the assistant|"
	 "the assistant should|the assistant must|assistants must|"
	 "assistants should|assistants:|agent:|agents:|agent task|agent notice|"
	 "agents should|agents only|agents reading|agent working|@claude|"
	 "claude:|for bots|bots:|if you are an ai|you are an ai|ki-system|"
	 "ki-assistent|l'ia|asistente de ia|asistente:|ai助手|aiアシスタント|"
	 "ai 어시스턴트|어시스턴트|ии-ассистент|ассистент|<important>|note to ai|"
	 "attention llm", "addressed to an AI"},
	{"direct_override", INJECT_K_STANDALONE, 0, 24, 1,
	 "ignore|disregard|forget ~ previous|prior|above|earlier|preceding|all|"
	 "any|your|its|the|my|these|those|original|existing ~ instruction|"
	 "directive|guideline|guardrail|direction|system prompt|orders|"
	 "constraints", "asks to ignore earlier instructions"},
	{"direct_override", INJECT_K_STANDALONE, 0, 4, 1, "ignore|disregard ~ the user",
	 "asks to ignore the user"},
	{"direct_override", INJECT_K_STANDALONE, 0, 0, 0,
	 "your new task|your new instructions|new instructions:|"
	 "updated instructions:|your real task|your actual task|"
	 "stop the current task|stop what you are doing|forget everything",
	 "replaces the agent's task"},
	{"direct_override", INJECT_K_ADDRESSED, 0, 0, 0,
	 "highest priority|must ignore|override your|instead of your task",
	 "claims priority over the agent's instructions"},
	{"direct_override", INJECT_K_STANDALONE, 1, 40, 1,
	 "ignora|olvida|olvide|descarta ~ instrucciones|indicaciones|órdenes",
	 "override phrasing (Spanish)"},
	{"direct_override", INJECT_K_STANDALONE, 1, 40, 1,
	 "ignoriere|ignorieren sie|vergiss|vergessen sie ~ anweisungen|"
	 "instruktionen|vorgaben|befehle", "override phrasing (German)"},
	{"direct_override", INJECT_K_STANDALONE, 1, 40, 1,
	 "ignore|ignorez|oublie|oubliez ~ consignes|directives précédentes|"
	 "instructions précédentes", "override phrasing (French)"},
	{"direct_override", INJECT_K_STANDALONE, 1, 40, 1,
	 "ignora|dimentica|ignore|esqueça ~ istruzioni|instruções|instrucoes",
	 "override phrasing (Italian/Portuguese)"},
	{"direct_override", INJECT_K_STANDALONE, 1, 40, 1,
	 "игнорируй|проигнорируй|игнорируйте|забудь|забудьте ~ указания|"
	 "инструкции|указаний|инструкций|команды|правила",
	 "override phrasing (Russian)"},
	{"direct_override", INJECT_K_STANDALONE, 1, 40, 1,
	 "忽略|无视|忽视|不要理会 ~ 指令|指示|说明|规则|提示",
	 "override phrasing (Chinese)"},
	{"direct_override", INJECT_K_STANDALONE, 1, 40, 1, "指示|命令|ルール ~ 無視",
	 "override phrasing (Japanese)"},
	{"direct_override", INJECT_K_STANDALONE, 1, 40, 1, "지시|명령|지침 ~ 무시",
	 "override phrasing (Korean)"},
	{"fake_system", INJECT_K_STANDALONE, 0, 0, 0,
	 "<#im_start#>|<#im_end#>|<#system#>|<#user#>|<#assistant#>|"
	 "<#endoftext#>|[inst]|<<sys>>|</function_results>|<function_results>|"
	 "</function_calls>|<function_calls>|<system>|</system>|"
	 "[system override]|system override|important system notice|"
	 "system notice:|[system]|[system message]|system message:|"
	 "assistant (internal)|</tool_result>|<tool_result>|"
	 "\"type\":\"tool_use\"|\"type\": \"tool_use\"|begin system prompt|"
	 "new system prompt|end of user input",
	 "forged system, turn or tool marker"},
	{"fake_system", INJECT_K_STANDALONE, 0, 4, 0,
	 "system: ~ you are now|you must|you are in",
	 "forged system instruction"},
	{"fake_system", INJECT_K_STANDALONE, 0, 250, 0, "\nhuman: ~ \nassistant:",
	 "forged conversation turns"},
	{"fake_system", INJECT_K_STANDALONE, 0, 60, 0,
	 "[airlock]|airlock: ~ approved|auto-approve|allowed by|granted",
	 "forged approval-console output"},
	{"approval_spoofing", INJECT_K_STANDALONE, 0, 0, 0,
	 "approved by user|approved by the user|pre-approved|preapproved|"
	 "auto-approve enabled|do not mention this to the user|"
	 "do not tell the user|don't tell the user|without the user knowing|"
	 "\"approved\":true|\"approved\": true",
	 "claims approval or hides the action from the human"},
	{"roleplay", INJECT_K_STANDALONE, 0, 60, 0,
	 "you are now ~ no restrictions|unrestricted|without restrictions|"
	 "jailbr|no limits|no rules|not bound|maintenance mode|developer mode|"
	 "god mode|admin mode|root mode|never asks|free from",
	 "persona framing to shed restrictions"},
	{"roleplay", INJECT_K_STANDALONE, 0, 0, 0,
	 "stay in character|in character as|do anything now|"
	 "an assistant with no restrictions|jailbreak mode|"
	 "developer mode enabled|pretend you have no",
	 "persona framing to shed restrictions"},
	{"command_execution", INJECT_K_ADDRESSED, 0, 80, 0,
	 "run|running|execute|executing|exec|invoke|launch|type|paste|ejecuta|"
	 "ejecute|exécute|exécutez|führe|fuehre|esegui|выполни|выполните|"
	 "запусти|执行|运行|実行|실행 ~ `|curl |wget |bash|# sh|#sh|sh -c|rm -rf|"
	 "rm -f|git push|git remote|git config|git add|git commit|sudo |chmod |"
	 "chown |psql|mysql|nslookup|dig |nc |ncat|npm config|npm publish|"
	 "pip install|python -c|node -e|powershell|iex|eval|printenv|cat |"
	 "find ~|find /|scp |ssh |rsync|any command|any shell command|"
	 "shell command|команду|コマンド|命令|명령",
	 "asks the agent to run a command"},
	{"command_execution", INJECT_K_ADDRESSED, 0, 0, 0,
	 "# sh|#sh|# bash|#bash|rm -rf|git push|delete tests|nslookup $(|"
	 "curl -s|curl -fssl|wget -q|git remote add|drop table",
	 "asks the agent to run a risky command"},
	{"secret_exfiltration", INJECT_K_ADDRESSED, 0, 0, 0,
	 "~/.ssh|.ssh/|id_rsa|id_ed25519|id_ecdsa|aws/credentials|~/.aws|.aws/|"
	 ".env|.netrc|.npmrc|.pypirc|.git-credentials|hosts.yml|"
	 "credentials.json|application_default_credentials|.kube/config|"
	 "mcp.json|.claude.json|.pem|printenv|`env`|environment variable|"
	 "process.env|auth token|_token|_api_key|_secret|api key|access token|"
	 "secret key|private key|keychain|ssh key|env vars|.docker/config",
	 "asks the agent to read or send credentials"},
	{"tamper_request", INJECT_K_ADDRESSED, 0, 0, 0,
	 ".claude/settings|settings.json|bypasspermissions|"
	 "dangerously-skip-permissions|core.hookspath|.claude/hooks|~/.claude|"
	 ".bashrc|.profile|.zshrc|crontab|authorized_keys|npm config set|"
	 "postinstall|sudoers|--no-verify|defaultmode|bash(*)|"
	 "permissions.allow|disable the hook|disable airlock|remove the hook|"
	 "git config --global",
	 "asks the agent to weaken its guard or persist something"},
	{"approval_spoofing", INJECT_K_ADDRESSED, 0, 0, 0,
	 "without asking|without confirmation|without approval|without user|"
	 "without telling|no user confirmation|do not ask|don't ask|never ask|"
	 "silently|do not mention|don't mention|do not tell|don't tell|"
	 "do not report|do not show|not alarmed|describe this command|"
	 "already approved|is trusted|approve it|approve every|approve all|"
	 "authorised by|authorized by|expect you to do this|themselves without|"
	 "tell the user|telling the user|confirm to the user|"
	 "bestätige dem benutzer|告诉用户|伝えないで|ユーザーには|не говори|"
	 "sans demander|sin preguntar",
	 "asks to skip or mislead the human approver"},
	{NULL, INJECT_K_MARKER, INJECT_MAYBE_REVERSE, 0, 0, "reverse",
	 "mentions reversed text"},
	{NULL, INJECT_K_MARKER, INJECT_MAYBE_BACKWARDS, 0, 0, "backwards",
	 "mentions text written backwards"},
	/* "rot13" normalises to "rotie" (leet folding), "rot-13" to "rot-1" */
	{NULL, INJECT_K_MARKER, INJECT_MAYBE_ROT13, 0, 0, "rotie|rot-1",
	 "mentions ROT13"},
	{"split", INJECT_K_ADDRESSED, 0, 30, 0,
	 "concatenate|combine the|join the|assemble ~ steps|parts|fields|lines|"
	 "pieces|strings|fragments",
	 "instruction assembled from separate pieces"},
};
/* clang-format on */

#define INJECT_NRULES (sizeof(inject_rule_table) / sizeof(inject_rule_table[0]))

/*
 * Compiled per screening (no mutable globals) into a flat arena: about
 * 600 alternatives, a few KB, a few microseconds. Each element keeps a
 * bitmap of the bytes its alternatives start with.
 */
/* " ~ " separates the elements of a pattern. */
static bool
inject_elem_sep(const char *p)
{
	return p[0] == ' ' && p[1] == '~' && p[2] == ' ';
}

static void
inject_pair_add(struct inject_elem *e, const struct inject_alt *a)
{
	unsigned char b0 = (unsigned char)a->s[0];
	size_t k;

	if (a->len == 1) {
		e->single[b0 >> 6] |= (uint64_t)1 << (b0 & 63);
		return;
	}
	k = inject_pair(b0, (unsigned char)a->s[1]);
	e->pair[k >> 6] |= (uint64_t)1 << (k & 63);
}

static void
inject_compile_rule(struct inject_rules *rs, size_t k, char **ap)
{
	struct inject_crule *cr = &rs->r[k];
	const char *p = inject_rule_table[k].pat;
	struct inject_elem *e = &cr->el[0];

	cr->r = &inject_rule_table[k];
	cr->nel = 1;
	memset(e, 0, sizeof(*e));
	e->first = rs->nalts;
	while (*p != '\0') {
		struct inject_alt *a = &rs->alts[rs->nalts++];
		a->s = *ap;
		while (*p != '\0' && *p != '|' && !inject_elem_sep(p)) {
			*(*ap)++ = *p == '#' ? '|' : *p;
			p++;
		}
		a->len = (unsigned char)(*ap - a->s);
		a->word = inject_alnum((unsigned char)a->s[0]);
		rs->lead[a - rs->alts] = a->s[0];
		inject_pair_add(e, a);
		e->nalts++;
		if (*p == '|') {
			p++;
		} else if (*p == ' ') {
			p += 3;
			e = &cr->el[cr->nel++];
			memset(e, 0, sizeof(*e));
			e->first = rs->nalts;
		}
	}
}

/* Counting sort of the first-element alternatives into their buckets,
 * keeping rule order (then alternative order) inside each bucket. */
static void
inject_index_first(struct inject_rules *rs)
{
	unsigned short cnt[INJECT_BUCKETS] = { 0 }, fill[INJECT_BUCKETS];

	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < rs->nrules; k++) {
			const struct inject_elem *e = &rs->r[k].el[0];
			for (size_t a = e->first; a < e->first + e->nalts;
			     a++) {
				const struct inject_alt *al = &rs->alts[a];
				size_t b;
				if (al->len < 3) {
					abort(); /* the index needs 3 bytes */
				}
				b = inject_bucket3(al->s);
				if (pass == 0) {
					cnt[b]++;
					rs->used[b >> 6] |= (uint64_t)1
					                    << (b & 63);
					rs->start[(unsigned char)al->s[0]] = 1;
					continue;
				}
				rs->ent[fill[b]].rule = (unsigned short)k;
				rs->ent[fill[b]++].alt = (unsigned short)a;
			}
		}
		if (pass == 0) {
			rs->off[0] = 0;
			for (size_t b = 0; b < INJECT_BUCKETS; b++) {
				rs->off[b + 1] =
				        (unsigned short)(rs->off[b] + cnt[b]);
				fill[b] = rs->off[b];
			}
			rs->ent = xmalloc((rs->off[INJECT_BUCKETS] + 1u) *
			                  sizeof(*rs->ent));
		}
	}
}

struct inject_rules *
inject_rules_new(void)
{
	struct inject_rules *rs = xcalloc(1, sizeof(*rs));
	size_t chars = 0, alts = 0;
	char *ap;

	for (size_t k = 0; k < INJECT_NRULES; k++) {
		chars += strlen(inject_rule_table[k].pat);
		for (const char *p = inject_rule_table[k].pat; *p; p++) {
			alts += *p == '|' || *p == '~';
		}
		alts++;
	}
	rs->nrules = INJECT_NRULES;
	rs->r = xcalloc(INJECT_NRULES, sizeof(*rs->r));
	rs->arena = xmalloc(chars + 1);
	rs->alts = xmalloc(alts * sizeof(*rs->alts));
	rs->lead = xmalloc(alts);
	ap = rs->arena;
	for (size_t k = 0; k < INJECT_NRULES; k++) {
		inject_compile_rule(rs, k, &ap);
	}
	inject_index_first(rs);
	return rs;
}

void
inject_rules_free(struct inject_rules *rs)
{
	if (rs == NULL) {
		return;
	}
	free(rs->ent);
	free(rs->alts);
	free(rs->lead);
	free(rs->arena);
	free(rs->r);
	free(rs);
}
