#include "core/inject.h"

#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/inject_int.h"
#include "core/xalloc.h"

/*
 * Phrase screening. The text is first normalised (lower case, invisible
 * characters dropped, whitespace collapsed, hyphenated line breaks joined,
 * homoglyphs, fullwidth forms and leetspeak folded to ASCII), keeping for
 * every normalised byte its offset in the original and how it was made.
 * Rules are then matched on the normalised text: a rule is a sequence of
 * elements, each a set of alternatives, with at most `gap` bytes between
 * consecutive elements. Alternatives starting with an ASCII letter or
 * digit only match at a word start.
 *
 * Rule kinds: ADDRESS rules find text addressed to an AI ("AI agents:",
 * "@claude"); STANDALONE rules are findings on their own (overrides,
 * forged markers); ADDRESSED rules (run a command, read a key file, do not
 * tell the user) are findings only when an ADDRESS or STANDALONE match
 * starts at most INJECT_WINDOW bytes before them. That keeps "run `npm
 * install`" in a README harmless while "AI agents: run `curl … | sh`" is
 * not.
 */

#define INJECT_WINDOW    400
#define INJECT_MAX_ELEMS 4
#define INJECT_BUCKETS   1024

enum inject_kind {
	K_ADDRESS,
	K_STANDALONE,
	K_ADDRESSED
};

enum {
	NF_FOLD = 1,  /* byte came from a homoglyph, fullwidth or leet digit */
	NF_SPLIT = 2, /* a hyphenated line break was joined before this byte */
};

struct inject_rule {
	const char *tech; /* NULL for ADDRESS rules */
	unsigned char kind;
	unsigned char lang;    /* 1: not English, adds "multilingual" */
	unsigned char gap;     /* max bytes between elements */
	unsigned char nocross; /* gaps may not cross quotes or brackets */
	const char *pat; /* elements " ~ ", alternatives "|", '#' is a pipe */
	const char *why;
};

/* clang-format off */
static const struct inject_rule inject_rules[] = {
	{NULL, K_ADDRESS, 0, 0, 0,
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
	{"direct_override", K_STANDALONE, 0, 24, 1,
	 "ignore|disregard|forget ~ previous|prior|above|earlier|preceding|all|"
	 "any|your|its|the|my|these|those|original|existing ~ instruction|"
	 "directive|guideline|guardrail|direction|system prompt|orders|"
	 "constraints", "asks to ignore earlier instructions"},
	{"direct_override", K_STANDALONE, 0, 4, 1, "ignore|disregard ~ the user",
	 "asks to ignore the user"},
	{"direct_override", K_STANDALONE, 0, 0, 0,
	 "your new task|your new instructions|new instructions:|"
	 "updated instructions:|your real task|your actual task|"
	 "stop the current task|stop what you are doing|forget everything",
	 "replaces the agent's task"},
	{"direct_override", K_ADDRESSED, 0, 0, 0,
	 "highest priority|must ignore|override your|instead of your task",
	 "claims priority over the agent's instructions"},
	{"direct_override", K_STANDALONE, 1, 40, 1,
	 "ignora|olvida|olvide|descarta ~ instrucciones|indicaciones|órdenes",
	 "override phrasing (Spanish)"},
	{"direct_override", K_STANDALONE, 1, 40, 1,
	 "ignoriere|ignorieren sie|vergiss|vergessen sie ~ anweisungen|"
	 "instruktionen|vorgaben|befehle", "override phrasing (German)"},
	{"direct_override", K_STANDALONE, 1, 40, 1,
	 "ignore|ignorez|oublie|oubliez ~ consignes|directives précédentes|"
	 "instructions précédentes", "override phrasing (French)"},
	{"direct_override", K_STANDALONE, 1, 40, 1,
	 "ignora|dimentica|ignore|esqueça ~ istruzioni|instruções|instrucoes",
	 "override phrasing (Italian/Portuguese)"},
	{"direct_override", K_STANDALONE, 1, 40, 1,
	 "игнорируй|проигнорируй|игнорируйте|забудь|забудьте ~ указания|"
	 "инструкции|указаний|инструкций|команды|правила",
	 "override phrasing (Russian)"},
	{"direct_override", K_STANDALONE, 1, 40, 1,
	 "忽略|无视|忽视|不要理会 ~ 指令|指示|说明|规则|提示",
	 "override phrasing (Chinese)"},
	{"direct_override", K_STANDALONE, 1, 40, 1, "指示|命令|ルール ~ 無視",
	 "override phrasing (Japanese)"},
	{"direct_override", K_STANDALONE, 1, 40, 1, "지시|명령|지침 ~ 무시",
	 "override phrasing (Korean)"},
	{"fake_system", K_STANDALONE, 0, 0, 0,
	 "<#im_start#>|<#im_end#>|<#system#>|<#user#>|<#assistant#>|"
	 "<#endoftext#>|[inst]|<<sys>>|</function_results>|<function_results>|"
	 "</function_calls>|<function_calls>|<system>|</system>|"
	 "[system override]|system override|important system notice|"
	 "system notice:|[system]|[system message]|system message:|"
	 "assistant (internal)|</tool_result>|<tool_result>|"
	 "\"type\":\"tool_use\"|\"type\": \"tool_use\"|begin system prompt|"
	 "new system prompt|end of user input",
	 "forged system, turn or tool marker"},
	{"fake_system", K_STANDALONE, 0, 4, 0,
	 "system: ~ you are now|you must|you are in",
	 "forged system instruction"},
	{"fake_system", K_STANDALONE, 0, 250, 0, "\nhuman: ~ \nassistant:",
	 "forged conversation turns"},
	{"fake_system", K_STANDALONE, 0, 60, 0,
	 "[airlock]|airlock: ~ approved|auto-approve|allowed by|granted",
	 "forged approval-console output"},
	{"approval_spoofing", K_STANDALONE, 0, 0, 0,
	 "approved by user|approved by the user|pre-approved|preapproved|"
	 "auto-approve enabled|do not mention this to the user|"
	 "do not tell the user|don't tell the user|without the user knowing|"
	 "\"approved\":true|\"approved\": true",
	 "claims approval or hides the action from the human"},
	{"roleplay", K_STANDALONE, 0, 60, 0,
	 "you are now ~ no restrictions|unrestricted|without restrictions|"
	 "jailbr|no limits|no rules|not bound|maintenance mode|developer mode|"
	 "god mode|admin mode|root mode|never asks|free from",
	 "persona framing to shed restrictions"},
	{"roleplay", K_STANDALONE, 0, 0, 0,
	 "stay in character|in character as|do anything now|"
	 "an assistant with no restrictions|jailbreak mode|"
	 "developer mode enabled|pretend you have no",
	 "persona framing to shed restrictions"},
	{"command_execution", K_ADDRESSED, 0, 80, 0,
	 "run|running|execute|executing|exec|invoke|launch|type|paste|ejecuta|"
	 "ejecute|exécute|exécutez|führe|fuehre|esegui|выполни|выполните|"
	 "запусти|执行|运行|実行|실행 ~ `|curl |wget |bash|# sh|#sh|sh -c|rm -rf|"
	 "rm -f|git push|git remote|git config|git add|git commit|sudo |chmod |"
	 "chown |psql|mysql|nslookup|dig |nc |ncat|npm config|npm publish|"
	 "pip install|python -c|node -e|powershell|iex|eval|printenv|cat |"
	 "find ~|find /|scp |ssh |rsync|any command|any shell command|"
	 "shell command|команду|コマンド|命令|명령",
	 "asks the agent to run a command"},
	{"command_execution", K_ADDRESSED, 0, 0, 0,
	 "# sh|#sh|# bash|#bash|rm -rf|git push|delete tests|nslookup $(|"
	 "curl -s|curl -fssl|wget -q|git remote add|drop table",
	 "asks the agent to run a risky command"},
	{"secret_exfiltration", K_ADDRESSED, 0, 0, 0,
	 "~/.ssh|.ssh/|id_rsa|id_ed25519|id_ecdsa|aws/credentials|~/.aws|.aws/|"
	 ".env|.netrc|.npmrc|.pypirc|.git-credentials|hosts.yml|"
	 "credentials.json|application_default_credentials|.kube/config|"
	 "mcp.json|.claude.json|.pem|printenv|`env`|environment variable|"
	 "process.env|auth token|_token|_api_key|_secret|api key|access token|"
	 "secret key|private key|keychain|ssh key|env vars|.docker/config",
	 "asks the agent to read or send credentials"},
	{"tamper_request", K_ADDRESSED, 0, 0, 0,
	 ".claude/settings|settings.json|bypasspermissions|"
	 "dangerously-skip-permissions|core.hookspath|.claude/hooks|~/.claude|"
	 ".bashrc|.profile|.zshrc|crontab|authorized_keys|npm config set|"
	 "postinstall|sudoers|--no-verify|defaultmode|bash(*)|"
	 "permissions.allow|disable the hook|disable airlock|remove the hook|"
	 "git config --global",
	 "asks the agent to weaken its guard or persist something"},
	{"approval_spoofing", K_ADDRESSED, 0, 0, 0,
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
	{"split", K_ADDRESSED, 0, 30, 0,
	 "concatenate|combine the|join the|assemble ~ steps|parts|fields|lines|"
	 "pieces|strings|fragments",
	 "instruction assembled from separate pieces"},
};
/* clang-format on */

#define INJECT_NRULES (sizeof(inject_rules) / sizeof(inject_rules[0]))

/* ---- findings ---------------------------------------------------------- */

void
inject_add(struct inject_list *l, const char *tech, size_t start, size_t end,
           const char *why)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].technique = tech;
	l->v[l->n].start = start;
	l->v[l->n].end = end > start ? end : start + 1;
	l->v[l->n].why = why;
	l->n++;
}

uint32_t
inject_utf8(const char *t, size_t len, size_t i, size_t *adv)
{
	const unsigned char *s = (const unsigned char *)t + i;
	size_t left = len - i;
	uint32_t cp;
	size_t need;

	*adv = 1;
	if (s[0] < 0x80) {
		return s[0];
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0xfffd;
	}
	if (left < need) {
		return 0xfffd;
	}
	for (size_t k = 1; k < need; k++) {
		if ((s[k] & 0xc0) != 0x80) {
			return 0xfffd;
		}
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	*adv = need;
	return cp;
}

/* ---- normalisation ----------------------------------------------------- */

struct inject_norm {
	char *s;
	uint32_t *map; /* original offset of each byte */
	unsigned char *fl;
	size_t n;
	unsigned char pending; /* flags for the next emitted byte */
};

static void
inject_emit(struct inject_norm *nm, unsigned char b, size_t orig,
            unsigned char fl)
{
	nm->s[nm->n] = (char)b;
	nm->map[nm->n] = (uint32_t)orig;
	nm->fl[nm->n] = fl | nm->pending;
	nm->pending = 0;
	nm->n++;
}

/* Code points that render as nothing: zero-width, joiners, bidi controls,
 * tag characters, variation selectors, soft hyphen. */
static bool
inject_invisible(uint32_t cp)
{
	return cp == 0xad || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff || cp == 0x180e ||
	       (cp >= 0xfe00 && cp <= 0xfe0f) ||
	       (cp >= 0xe0000 && cp <= 0xe007f) ||
	       (cp >= 0xe0100 && cp <= 0xe01ef);
}

/* Cyrillic and Greek letters that look like Latin ones. */
static char
inject_homoglyph(uint32_t cp)
{
	static const struct {
		uint16_t cp;
		char c;
	} map[] = {
		{ 0x0430, 'a' }, { 0x0435, 'e' }, { 0x043e, 'o' },
		{ 0x0440, 'p' }, { 0x0441, 'c' }, { 0x0443, 'y' },
		{ 0x0445, 'x' }, { 0x0456, 'i' }, { 0x0458, 'j' },
		{ 0x0455, 's' }, { 0x04bb, 'h' }, { 0x0501, 'd' },
		{ 0x051d, 'w' }, { 0x0410, 'a' }, { 0x0412, 'b' },
		{ 0x0415, 'e' }, { 0x041a, 'k' }, { 0x041c, 'm' },
		{ 0x041d, 'h' }, { 0x041e, 'o' }, { 0x0420, 'p' },
		{ 0x0421, 'c' }, { 0x0422, 't' }, { 0x0425, 'x' },
		{ 0x0406, 'i' }, { 0x0408, 'j' }, { 0x0405, 's' },
		{ 0x0423, 'y' }, { 0x03bf, 'o' }, { 0x03b1, 'a' },
		{ 0x03b5, 'e' }, { 0x03b9, 'i' }, { 0x03ba, 'k' },
		{ 0x03bd, 'v' }, { 0x03c1, 'p' }, { 0x03c4, 't' },
		{ 0x03c5, 'u' }, { 0x0391, 'a' }, { 0x0392, 'b' },
		{ 0x0395, 'e' }, { 0x0396, 'z' }, { 0x0397, 'h' },
		{ 0x0399, 'i' }, { 0x039a, 'k' }, { 0x039c, 'm' },
		{ 0x039d, 'n' }, { 0x039f, 'o' }, { 0x03a1, 'p' },
		{ 0x03a4, 't' }, { 0x03a5, 'y' }, { 0x03a7, 'x' },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].cp == cp) {
			return map[i].c;
		}
	}
	return 0;
}

static bool
inject_alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool
inject_alnum(unsigned char c)
{
	return inject_alpha(c) || (c >= '0' && c <= '9');
}

static char
inject_leet(unsigned char c)
{
	switch (c) {
	case '0':
		return 'o';
	case '1':
		return 'i';
	case '3':
		return 'e';
	case '4':
		return 'a';
	case '5':
		return 's';
	case '7':
		return 't';
	default:
		return 0;
	}
}

static void
inject_space(struct inject_norm *nm, size_t orig, bool nl)
{
	if (nm->n > 0 &&
	    (nm->s[nm->n - 1] == ' ' || nm->s[nm->n - 1] == '\n')) {
		if (nl) {
			nm->s[nm->n - 1] = '\n';
		}
		return;
	}
	inject_emit(nm, nl ? '\n' : ' ', orig, 0);
}

/* "ig-\nnore": a hyphen at a line break inside a word. Returns the offset
 * of the next letter to join, or 0. */
static size_t
inject_hyphen_join(const char *t, size_t len, size_t i, struct inject_norm *nm)
{
	size_t j = i + 1;
	bool nl = false;

	if (nm->n == 0 || !inject_alpha((unsigned char)nm->s[nm->n - 1])) {
		return 0;
	}
	while (j < len &&
	       (t[j] == ' ' || t[j] == '\t' || t[j] == '\r' || t[j] == '\n') &&
	       j - i < 16) {
		nl |= t[j] == '\n';
		j++;
	}
	return (nl && j < len && t[j] >= 'a' && t[j] <= 'z') ? j : 0;
}

/* Maps one ASCII byte; leet digits fold when they touch a letter. */
static void
inject_norm_ascii(struct inject_norm *nm, const char *t, size_t len, size_t i)
{
	unsigned char c = (unsigned char)t[i];
	char l = inject_leet(c);

	if (c >= 'A' && c <= 'Z') {
		inject_emit(nm, c + 32, i, 0);
	} else if (l != 0 &&
	           ((nm->n > 0 &&
	             inject_alpha((unsigned char)nm->s[nm->n - 1])) ||
	            (i + 1 < len && inject_alpha((unsigned char)t[i + 1])))) {
		inject_emit(nm, (unsigned char)l, i, NF_FOLD);
	} else {
		inject_emit(nm, c, i, 0);
	}
}

/* Maps one non-ASCII code point at t[i] (adv bytes). */
static void
inject_norm_wide(struct inject_norm *nm, const char *t, size_t len, size_t i,
                 uint32_t cp, size_t adv)
{
	char h = inject_homoglyph(cp);
	size_t nadv;

	if (cp >= 0xff01 && cp <= 0xff5e) {
		unsigned char a = (unsigned char)(cp - 0xfee0);
		inject_emit(nm, (a >= 'A' && a <= 'Z') ? a + 32 : a, i,
		            NF_FOLD);
		return;
	}
	if (h != 0) {
		bool prev = nm->n > 0 &&
		            inject_alpha((unsigned char)nm->s[nm->n - 1]);
		bool next = i + adv < len &&
		            inject_alpha((unsigned char)t[i + adv]) &&
		            inject_utf8(t, len, i + adv, &nadv) < 0x80;
		if (prev || next) {
			inject_emit(nm, (unsigned char)h, i, NF_FOLD);
			return;
		}
	}
	if ((cp >= 0x0410 && cp <= 0x042f) || (cp >= 0x0400 && cp <= 0x040f)) {
		cp += cp >= 0x0410 ? 0x20 : 0x50;
		inject_emit(nm, (unsigned char)(0xc0 | (cp >> 6)), i, 0);
		inject_emit(nm, (unsigned char)(0x80 | (cp & 0x3f)), i, 0);
		return;
	}
	if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7) {
		cp += 0x20;
		inject_emit(nm, (unsigned char)(0xc0 | (cp >> 6)), i, 0);
		inject_emit(nm, (unsigned char)(0x80 | (cp & 0x3f)), i, 0);
		return;
	}
	for (size_t k = 0; k < adv; k++) {
		inject_emit(nm, (unsigned char)t[i + k], i, 0);
	}
}

static bool
inject_ws(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' ||
	       cp == '\f' || cp == '\v' || cp == 0xa0 || cp == 0x3000 ||
	       (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029;
}

static void
inject_normalize(const char *t, size_t len, struct inject_norm *nm)
{
	size_t i = 0, adv, j;

	nm->s = xmalloc(len * 2 + 1);
	nm->map = xmalloc((len * 2 + 1) * sizeof(*nm->map));
	nm->fl = xmalloc(len * 2 + 1);
	nm->n = 0;
	nm->pending = 0;
	while (i < len) {
		unsigned char c = (unsigned char)t[i];
		uint32_t cp = c < 0x80 ? c : inject_utf8(t, len, i, &adv);
		if (c < 0x80) {
			adv = 1;
		}
		if (c == '\\' && i + 1 < len &&
		    (t[i + 1] == 'n' || t[i + 1] == 't')) {
			inject_space(nm, i,
			             t[i + 1] == 'n'); /* JSON-escaped text */
			i += 2;
		} else if (inject_ws(cp)) {
			inject_space(nm, i,
			             cp == '\n' || cp == 0x2028 ||
			                     cp == 0x2029);
			i += adv;
		} else if (inject_invisible(cp)) {
			i += adv;
		} else if (c == '-' &&
		           (j = inject_hyphen_join(t, len, i, nm)) != 0) {
			nm->pending |= NF_SPLIT;
			i = j;
		} else if (c < 0x80) {
			inject_norm_ascii(nm, t, len, i);
			i++;
		} else {
			inject_norm_wide(nm, t, len, i, cp, adv);
			i += adv;
		}
	}
	nm->s[nm->n] = '\0';
	nm->map[nm->n] = (uint32_t)len;
}

static void
inject_norm_free(struct inject_norm *nm)
{
	free(nm->s);
	free(nm->map);
	free(nm->fl);
}

/* ---- compiled rules ----------------------------------------------------- */

/*
 * Rules are compiled per call (no mutable globals) into a flat arena: about
 * 600 alternatives, a few KB, microseconds. Each element keeps a bitmap of
 * the bytes its alternatives start with, and the first elements are indexed
 * by first byte as (rule, alternative) pairs, so a position is only
 * compared against alternatives that can match there.
 */
struct inject_alt {
	const char *s;
	unsigned char len;
	bool word; /* must start at a word start */
};

struct inject_elem {
	size_t first, nalts; /* slice of the alternative pool */
	uint32_t mask[8];    /* first bytes of the alternatives */
};

struct inject_crule {
	const struct inject_rule *r;
	struct inject_elem el[INJECT_MAX_ELEMS];
	size_t nel;
};

struct inject_entry {
	unsigned short rule, alt;
};

struct inject_rules {
	struct inject_crule r[INJECT_NRULES];
	struct inject_alt *alts;
	size_t nalts;
	char *arena;
	/* first-element alternatives, bucketed by their first two bytes */
	struct inject_entry *ent;
	size_t off[INJECT_BUCKETS + 1];
};

static void
inject_compile_rule(struct inject_rules *rs, size_t k, char **ap)
{
	struct inject_crule *cr = &rs->r[k];
	const char *p = inject_rules[k].pat;
	struct inject_elem *e = &cr->el[0];

	cr->r = &inject_rules[k];
	cr->nel = 1;
	memset(e, 0, sizeof(*e));
	e->first = rs->nalts;
	while (*p != '\0') {
		struct inject_alt *a = &rs->alts[rs->nalts++];
		a->s = *ap;
		while (*p != '\0' && *p != '|' && strncmp(p, " ~ ", 3) != 0) {
			*(*ap)++ = *p == '#' ? '|' : *p;
			p++;
		}
		a->len = (unsigned char)(*ap - a->s);
		a->word = inject_alnum((unsigned char)a->s[0]);
		e->mask[(unsigned char)a->s[0] >> 5] |=
		        1u << ((unsigned char)a->s[0] & 31);
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

/* Bucket of a position: its first two bytes, hashed. Every first-element
 * alternative is at least two bytes long. */
static size_t
inject_bucket(unsigned char b0, unsigned char b1)
{
	return ((size_t)b0 * 31u + b1) & (INJECT_BUCKETS - 1);
}

static void
inject_index_first(struct inject_rules *rs)
{
	size_t cnt[INJECT_BUCKETS] = { 0 }, fill[INJECT_BUCKETS];

	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < INJECT_NRULES; k++) {
			const struct inject_elem *e = &rs->r[k].el[0];
			for (size_t a = e->first; a < e->first + e->nalts;
			     a++) {
				const struct inject_alt *al = &rs->alts[a];
				size_t b = inject_bucket(
				        (unsigned char)al->s[0],
				        (unsigned char)al->s[al->len > 1]);
				if (pass == 0) {
					cnt[b]++;
				} else {
					rs->ent[fill[b]].rule =
					        (unsigned short)k;
					rs->ent[fill[b]++].alt =
					        (unsigned short)a;
				}
			}
		}
		if (pass == 0) {
			rs->off[0] = 0;
			for (size_t b = 0; b < INJECT_BUCKETS; b++) {
				rs->off[b + 1] = rs->off[b] + cnt[b];
				fill[b] = rs->off[b];
			}
			rs->ent = xmalloc((rs->off[INJECT_BUCKETS] + 1) *
			                  sizeof(*rs->ent));
		}
	}
}

static struct inject_rules *
inject_compile(void)
{
	struct inject_rules *rs = xcalloc(1, sizeof(*rs));
	size_t chars = 0, alts = 0;
	char *ap;

	for (size_t k = 0; k < INJECT_NRULES; k++) {
		chars += strlen(inject_rules[k].pat);
		for (const char *p = inject_rules[k].pat; *p; p++) {
			alts += *p == '|' || *p == '~';
		}
		alts++;
	}
	rs->arena = xmalloc(chars + 1);
	rs->alts = xmalloc(alts * sizeof(*rs->alts));
	ap = rs->arena;
	for (size_t k = 0; k < INJECT_NRULES; k++) {
		inject_compile_rule(rs, k, &ap);
	}
	inject_index_first(rs);
	return rs;
}

static void
inject_rules_free(struct inject_rules *rs)
{
	free(rs->ent);
	free(rs->alts);
	free(rs->arena);
	free(rs);
}

/* ---- matching ------------------------------------------------------------ */

static bool
inject_word_start(const struct inject_norm *nm, size_t q)
{
	return q == 0 || !inject_alnum((unsigned char)nm->s[q - 1]);
}

static size_t
inject_alt_at(const struct inject_norm *nm, size_t q,
              const struct inject_alt *al)
{
	/* Cheapest tests first: most bytes are inside words. */
	if (nm->n - q < al->len || nm->s[q] != al->s[0] ||
	    (al->word && !inject_word_start(nm, q)) ||
	    (al->len > 1 && nm->s[q + 1] != al->s[1]) ||
	    memcmp(nm->s + q, al->s, al->len) != 0) {
		return 0;
	}
	return q + al->len;
}

static size_t
inject_elem_at(const struct inject_rules *rs, const struct inject_norm *nm,
               size_t q, const struct inject_elem *e)
{
	unsigned char b = (unsigned char)nm->s[q];

	if (!(e->mask[b >> 5] & (1u << (b & 31)))) {
		return 0;
	}
	for (size_t a = e->first; a < e->first + e->nalts; a++) {
		size_t end = inject_alt_at(nm, q, &rs->alts[a]);
		if (end != 0) {
			return end;
		}
	}
	return 0;
}

/* Bytes a no-cross gap may not pass: quotes and brackets end a phrase. */
static bool
inject_barrier(char ch)
{
	return ch == '"' || ch == '{' || ch == '}' || ch == '<' || ch == '>';
}

/* Continues rule cr after its first element matched up to end; returns the
 * end of the whole match or 0. */
static size_t
inject_rule_rest(const struct inject_rules *rs, const struct inject_norm *nm,
                 const struct inject_crule *cr, size_t end)
{
	for (size_t k = 1; end != 0 && k < cr->nel; k++) {
		size_t q = end, found = 0;
		for (; q <= end + cr->r->gap && q < nm->n; q++) {
			if (q > end && cr->r->nocross &&
			    inject_barrier(nm->s[q - 1])) {
				break;
			}
			found = inject_elem_at(rs, nm, q, &cr->el[k]);
			if (found != 0) {
				break;
			}
		}
		end = found;
	}
	return end;
}

struct inject_match {
	const struct inject_rule *r;
	size_t s, e; /* normalised offsets */
};

struct inject_matches {
	struct inject_match *v;
	size_t n, cap;
};

static void
inject_push_match(struct inject_matches *m, const struct inject_rule *r,
                  size_t s, size_t e)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 32;
		m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
	}
	m->v[m->n].r = r;
	m->v[m->n].s = s;
	m->v[m->n].e = e;
	m->n++;
}

static void
inject_match_all(const struct inject_norm *nm, const struct inject_rules *rs,
                 struct inject_matches *m)
{
	for (size_t p = 0; p + 1 < nm->n; p++) {
		unsigned char b = (unsigned char)nm->s[p];
		size_t last_rule = (size_t)-1, h;
		/* Alternatives starting with a letter or digit all need a word
		 * start, so inside a word nothing can start. */
		if (inject_alnum(b) && !inject_word_start(nm, p)) {
			continue;
		}
		h = inject_bucket(b, (unsigned char)nm->s[p + 1]);
		for (size_t k = rs->off[h]; k < rs->off[h + 1]; k++) {
			const struct inject_entry *en = &rs->ent[k];
			const struct inject_crule *cr = &rs->r[en->rule];
			size_t e;
			if (en->rule == last_rule) {
				continue; /* this rule already matched here */
			}
			e = inject_alt_at(nm, p, &rs->alts[en->alt]);
			if (e != 0 &&
			    (e = inject_rule_rest(rs, nm, cr, e)) != 0) {
				inject_push_match(m, cr->r, p, e);
				last_rule = en->rule;
			}
		}
	}
}

/* ---- evaluation ---------------------------------------------------------- */

/* A quoted example inside text about prompt injection is discussion. */
static bool
inject_quoted_discussion(const struct inject_ctx *c,
                         const struct inject_norm *nm,
                         const struct inject_match *m)
{
	size_t b = m->s;

	if (!memmem(nm->s, nm->n, "injection", 9)) {
		return false;
	}
	while (b > 0 && m->s - b < 120 && nm->s[b - 1] != '\n') {
		b--;
		if (nm->s[b] == '"' ||
		    (b >= 2 && memcmp(nm->s + b - 2, "\xe2\x80\x9c", 3) == 0)) {
			return true;
		}
	}
	(void)c;
	return false;
}

static bool
inject_span_has(const struct inject_norm *nm, size_t s, size_t e,
                unsigned char flag)
{
	for (size_t k = s; k < e; k++) {
		if (nm->fl[k] & flag) {
			return true;
		}
	}
	return false;
}

static void
inject_emit_match(struct inject_ctx *c, const struct inject_norm *nm,
                  const struct inject_match *m)
{
	size_t os = nm->map[m->s];
	size_t oe = nm->map[m->e];

	inject_add(c->out, m->r->tech, os, oe, m->r->why);
	if (m->r->lang) {
		inject_add(c->out, "multilingual", os, oe,
		           "instruction written in another language");
	}
	if (inject_span_has(nm, m->s, m->e, NF_FOLD)) {
		inject_add(c->out, "homoglyph", os, oe,
		           "look-alike letters or leetspeak inside an "
		           "instruction");
	}
	if (inject_span_has(nm, m->s + 1, m->e, NF_SPLIT)) {
		inject_add(c->out, "split", os, oe,
		           "instruction words broken across lines");
	}
}

static void
inject_evaluate(struct inject_ctx *c, const struct inject_norm *nm,
                const struct inject_matches *m)
{
	size_t last_anchor = (size_t)-1;
	bool any_anchor = c->assume_addr;

	/* Matches are ordered by start, so the latest anchor so far is the
	 * only one an ADDRESSED match needs to look at. */
	for (size_t k = 0; k < m->n; k++) {
		const struct inject_match *x = &m->v[k];
		if (x->r->kind == K_ADDRESS) {
			last_anchor = x->s;
			any_anchor = true;
			c->nanchors++;
			continue;
		}
		if (x->r->kind == K_STANDALONE) {
			if (strcmp(x->r->tech, "direct_override") == 0 &&
			    inject_quoted_discussion(c, nm, x)) {
				continue;
			}
			last_anchor = x->s;
			any_anchor = true;
			c->nanchors++;
			inject_emit_match(c, nm, x);
			continue;
		}
		if (c->assume_addr ||
		    (any_anchor && last_anchor != (size_t)-1 &&
		     x->s - last_anchor <= INJECT_WINDOW)) {
			inject_emit_match(c, nm, x);
		}
	}
}

static void
inject_screen_phrases(struct inject_ctx *c)
{
	struct inject_norm nm;
	struct inject_rules *rs = inject_compile();
	struct inject_matches m = { 0 };

	inject_normalize(c->text, c->len, &nm);
	inject_match_all(&nm, rs, &m);
	inject_evaluate(c, &nm, &m);
	free(m.v);
	inject_rules_free(rs);
	inject_norm_free(&nm);
}

static void
inject_run(struct inject_ctx *c)
{
	inject_screen_phrases(c);
	inject_scan_unicode(c);
	inject_scan_encoded(c);
	inject_scan_markdown(c);
	inject_mark_hidden(c);
}

bool
inject_payload(struct inject_ctx *parent, const char *text, size_t len,
               size_t cs, size_t ce, const char *tech, const char *why)
{
	struct inject_list sub = { 0 };
	struct inject_ctx c = { 0 };

	if (parent->depth >= 2 || len == 0) {
		return false;
	}
	c.text = text;
	c.len = len;
	c.depth = parent->depth + 1;
	c.assume_addr = true;
	c.out = &sub;
	inject_run(&c);
	if (sub.n > 0) {
		inject_add(parent->out, tech, cs, ce, why);
		for (size_t k = 0; k < sub.n; k++) {
			inject_add(parent->out, sub.v[k].technique, cs, ce,
			           sub.v[k].why);
		}
		parent->nanchors++;
	}
	free(sub.v);
	return sub.n > 0;
}

/* ---- API ------------------------------------------------------------------
 */

static int
inject_cmp(const void *a, const void *b)
{
	const struct inject_finding *x = a, *y = b;

	if (x->start != y->start) {
		return x->start < y->start ? -1 : 1;
	}
	if (x->end != y->end) {
		return x->end < y->end ? -1 : 1;
	}
	return strcmp(x->technique, y->technique);
}

/* Sorts and drops repeats of the same technique on the same span. */
static size_t
inject_dedupe(struct inject_list *l)
{
	size_t w = 0;

	if (l->n == 0) {
		return 0;
	}
	qsort(l->v, l->n, sizeof(*l->v), inject_cmp);
	for (size_t k = 0; k < l->n; k++) {
		if (w > 0 && l->v[w - 1].start == l->v[k].start &&
		    l->v[w - 1].end == l->v[k].end &&
		    strcmp(l->v[w - 1].technique, l->v[k].technique) == 0) {
			continue;
		}
		l->v[w++] = l->v[k];
	}
	return w;
}

int
inject_screen(const char *text, size_t len, struct inject_finding **out,
              size_t *n)
{
	struct inject_list l = { 0 };
	struct inject_ctx c = { 0 };

	if (out == NULL || n == NULL || (text == NULL && len > 0)) {
		return AL_EINVAL;
	}
	c.text = text;
	c.len = len < INJECT_MAX_LEN ? len : INJECT_MAX_LEN;
	c.out = &l;
	if (c.len > 0) {
		inject_run(&c);
	}
	*n = inject_dedupe(&l);
	if (*n == 0) {
		free(l.v);
		l.v = NULL;
	}
	*out = l.v;
	return 0;
}

bool
inject_detected(const char *text, size_t len)
{
	struct inject_finding *f = NULL;
	size_t n = 0;

	if (inject_screen(text, len, &f, &n) != 0) {
		return false;
	}
	free(f);
	return n > 0;
}
