/* Condition parser: Falco's filter language to an AST.
 *
 * Grammar (EBNF). Keywords are case-sensitive, as in Falco.
 *
 *   condition   = or_expr EOF ;
 *   or_expr     = and_expr { "or" and_expr } ;
 *   and_expr    = not_expr { "and" not_expr } ;
 *   not_expr    = "not" not_expr | primary ;
 *   primary     = "(" or_expr ")" | macro_ref | check ;
 *   macro_ref   = identifier ;                  (* a name without a dot, not followed by an operator *)
 *   check       = field_expr ( "exists"
 *                            | binary_op value
 *                            | list_op "(" [ value { "," value } ] ")" ) ;
 *   field_expr  = transformer "(" field_expr ")" | field ;
 *   field       = field_name [ "[" field_arg "]" ] ;
 *   transformer = "tolower" | "toupper" | "basename" | "len" | "b64" ;
 *   binary_op   = "=" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "icontains"
 *               | "bcontains" | "startswith" | "bstartswith" | "endswith" | "glob" | "iglob"
 *               | "regex" ;
 *   list_op     = "in" | "intersects" | "pmatch" ;
 *   value       = quoted_string | bare_string | "val" "(" field_expr ")" ;
 *   field_name  = name { "." name } ;          name = letter { letter | digit | "_" } ;
 *   field_arg   = quoted_string | { any character but "[", "]", quotes, blanks } ;
 *   bare_string = { any character but "(", ")", ",", "=", quotes, blanks } ;
 *   quoted_string = '"' { char | "\" char } '"' | "'" { char | "\" char } "'" ;
 *
 * The tokenizer copies nothing: a token is (pointer, length) into the condition text, plus the
 * position it came from. It is driven by the parser in one of two modes, because Falco's bare strings
 * may contain characters that are operators elsewhere ("fd.name startswith /etc/<x>"): NAME mode reads
 * field names, keywords and operators; VALUE mode reads a value.
 */
#include <ctype.h>
#include <string.h>

#include "rules/internal.h"

const char *const rules_cmp_op_names[OP_COUNT] = {
    [OP_EQ] = "=",
    [OP_NE] = "!=",
    [OP_LT] = "<",
    [OP_LE] = "<=",
    [OP_GT] = ">",
    [OP_GE] = ">=",
    [OP_CONTAINS] = "contains",
    [OP_ICONTAINS] = "icontains",
    [OP_BCONTAINS] = "bcontains",
    [OP_STARTSWITH] = "startswith",
    [OP_BSTARTSWITH] = "bstartswith",
    [OP_ENDSWITH] = "endswith",
    [OP_GLOB] = "glob",
    [OP_IGLOB] = "iglob",
    [OP_IN] = "in",
    [OP_INTERSECTS] = "intersects",
    [OP_PMATCH] = "pmatch",
    [OP_EXISTS] = "exists",
    [OP_REGEX] = "regex",
};

enum lex_mode { LEX_NAME, LEX_VALUE };

struct parser {
	struct ruleset *rs;
	const struct rtext *const *frags;
	size_t nfrags;
	size_t fi;  /* current fragment */
	size_t off; /* offset in it */
	unsigned int depth;
	bool failed;
	struct token cur;
	bool have;
	enum lex_mode cur_mode;
	size_t cur_fi, cur_off; /* where cur started (to re-lex in another mode) */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
	       c == '\b';
}

static bool is_name_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

static void skip_blanks(struct parser *ps)
{
	while (ps->fi < ps->nfrags) {
		const struct rtext *t = ps->frags[ps->fi];

		while (ps->off < t->len && is_blank(t->s[ps->off]))
			ps->off++;
		if (ps->off < t->len)
			return;
		ps->fi++;
		ps->off = 0;
	}
}

static void perr(struct parser *ps, const struct rpos *pos, const char *msg)
{
	if (ps->failed)
		return;
	ps->failed = true;
	ruleset_diag_at(ps->rs, pos, false, "%s", msg);
}

/* Reads a quoted string starting at s[i] (the quote). Sets *end past the closing quote. */
static bool lex_quoted(const char *s, size_t len, size_t i, size_t *end)
{
	char q = s[i];

	for (i++; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			i++;
			continue;
		}
		if (s[i] == q) {
			*end = i + 1;
			return true;
		}
	}
	return false;
}

static struct token lex(struct parser *ps, enum lex_mode mode)
{
	struct token tk;
	const struct rtext *t;
	const char *s;
	size_t i, len;

	memset(&tk, 0, sizeof(tk));
	skip_blanks(ps);
	if (ps->fi >= ps->nfrags) {
		tk.kind = TK_EOF;
		t = ps->nfrags ? ps->frags[ps->nfrags - 1] : NULL;
		tk.pos.t = t;
		tk.pos.off = t ? t->len : 0;
		return tk;
	}
	t = ps->frags[ps->fi];
	s = t->s;
	len = t->len;
	i = ps->off;
	tk.pos.t = t;
	tk.pos.off = i;
	tk.p = s + i;
	switch (s[i]) {
	case '(':
		tk.kind = TK_LPAREN;
		tk.len = 1;
		ps->off = i + 1;
		return tk;
	case ')':
		tk.kind = TK_RPAREN;
		tk.len = 1;
		ps->off = i + 1;
		return tk;
	case ',':
		tk.kind = TK_COMMA;
		tk.len = 1;
		ps->off = i + 1;
		return tk;
	case '"':
	case '\'': {
		size_t end;

		if (!lex_quoted(s, len, i, &end)) {
			tk.kind = TK_ERROR;
			tk.len = len - i;
			ps->off = len;
			return tk;
		}
		tk.kind = TK_STRING;
		tk.p = s + i + 1;
		tk.len = end - i - 2;
		ps->off = end;
		return tk;
	}
	default:
		break;
	}
	if (mode == LEX_NAME) {
		if (s[i] == '=' || s[i] == '<' || s[i] == '>' || s[i] == '!') {
			size_t n = 1;

			if (i + 1 < len && s[i + 1] == '=')
				n = 2;
			if (s[i] == '!' && n == 1) {
				tk.kind = TK_ERROR;
				tk.len = 1;
				ps->off = i + 1;
				return tk;
			}
			tk.kind = TK_OP;
			tk.len = n;
			ps->off = i + n;
			return tk;
		}
		if (!is_name_start(s[i])) {
			/* not a name: read it as a bare string so the error shows all of it */
			size_t j = i;

			while (j < len && !is_blank(s[j]) && !strchr("()\"',=", s[j]))
				j++;
			tk.kind = TK_ERROR;
			tk.len = j > i ? j - i : 1;
			ps->off = i + tk.len;
			return tk;
		}
		while (i < len && is_name_char(s[i]))
			i++;
		tk.kind = TK_WORD;
		tk.len = (size_t)(s + i - tk.p);
		if (i < len && s[i] == '[') {
			size_t a = i + 1, e;

			if (a < len && (s[a] == '"' || s[a] == '\'')) {
				if (!lex_quoted(s, len, a, &e) || e >= len || s[e] != ']') {
					tk.kind = TK_ERROR;
					tk.len = len - (size_t)(tk.p - s);
					ps->off = len;
					return tk;
				}
				tk.arg = s + a + 1;
				tk.arglen = e - a - 2;
				tk.arg_quoted = true;
				i = e + 1;
			} else {
				e = a;
				while (e < len && s[e] != ']' && s[e] != '[' && s[e] != '"' &&
				       s[e] != '\'' && !is_blank(s[e]))
					e++;
				if (e >= len || s[e] != ']') {
					tk.kind = TK_ERROR;
					tk.len = e - (size_t)(tk.p - s);
					ps->off = e;
					return tk;
				}
				tk.arg = s + a;
				tk.arglen = e - a;
				i = e + 1;
			}
		}
		ps->off = i;
		return tk;
	}
	/* LEX_VALUE: Falco's bare string */
	while (i < len && !is_blank(s[i]) && !strchr("()\"',=", s[i]))
		i++;
	if (i == ps->off) {
		tk.kind = TK_ERROR;
		tk.len = 1;
		ps->off = i + 1;
		return tk;
	}
	tk.kind = TK_WORD;
	tk.len = i - ps->off;
	ps->off = i;
	return tk;
}

static const struct token *peek(struct parser *ps, enum lex_mode mode)
{
	if (ps->have && ps->cur_mode == mode)
		return &ps->cur;
	if (ps->have) { /* re-lex the same spot in the other mode */
		ps->fi = ps->cur_fi;
		ps->off = ps->cur_off;
	}
	skip_blanks(ps);
	ps->cur_fi = ps->fi;
	ps->cur_off = ps->off;
	ps->cur = lex(ps, mode);
	ps->cur_mode = mode;
	ps->have = true;
	return &ps->cur;
}

static struct token next(struct parser *ps, enum lex_mode mode)
{
	struct token t = *peek(ps, mode);

	ps->have = false;
	return t;
}

static bool tok_is(const struct token *t, const char *word)
{
	size_t n = strlen(word);

	return (t->kind == TK_WORD || t->kind == TK_OP) && t->len == n &&
	       memcmp(t->p, word, n) == 0 && !t->arg;
}

static void unexpected(struct parser *ps, const struct token *t, const char *what)
{
	char msg[256];

	if (t->kind == TK_EOF)
		snprintf(msg, sizeof(msg), "%s, found the end of the condition", what);
	else if (t->kind == TK_ERROR && (*t->p == '"' || *t->p == '\''))
		snprintf(msg, sizeof(msg), "unterminated string %.*s",
			 (int)(t->len > 40 ? 40 : t->len), t->p);
	else
		snprintf(msg, sizeof(msg), "%s, found '%.*s'", what,
			 (int)(t->len > 60 ? 60 : t->len), t->p);
	perr(ps, &t->pos, msg);
}

static struct anode *new_node(struct parser *ps, enum anode_kind kind, const struct rpos *pos)
{
	struct anode *n = rules_arena_alloc(&ps->rs->arena, sizeof(*n));

	if (!n) {
		perr(ps, pos, "out of memory");
		return NULL;
	}
	n->kind = kind;
	n->pos = *pos;
	return n;
}

static int transformer_of(const struct token *t)
{
	static const char *const names[] = {NULL, "tolower", "toupper", "basename", "len", "b64"};
	size_t i;

	if (t->kind != TK_WORD || t->arg)
		return 0;
	for (i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (tok_is(t, names[i]))
			return (int)i;
	return 0;
}

static int op_of(const struct token *t)
{
	int i;

	if (tok_is(t, "=="))
		return OP_EQ;
	for (i = 0; i < OP_COUNT; i++)
		if (tok_is(t, rules_cmp_op_names[i]))
			return i;
	return -1;
}

static struct anode *parse_or(struct parser *ps);

/* field_expr = transformer "(" field_expr ")" | field */
static bool parse_field_expr(struct parser *ps, struct afield *af)
{
	struct token t = next(ps, LEX_NAME);
	int tr = transformer_of(&t);

	if (tr && peek(ps, LEX_NAME)->kind == TK_LPAREN) {
		struct token close;

		next(ps, LEX_NAME);
		if (++ps->depth > MAX_DEPTH) {
			perr(ps, &t.pos, "transformers nested too deep");
			return false;
		}
		if (!parse_field_expr(ps, af))
			return false;
		ps->depth--;
		if (af->ntr >= MAX_TRANSFORMERS) {
			perr(ps, &t.pos, "more than 4 transformers on one field");
			return false;
		}
		af->tr[af->ntr++] = (uint8_t)tr;
		close = next(ps, LEX_NAME);
		if (close.kind != TK_RPAREN) {
			unexpected(ps, &close, "expected ')' after the transformer's field");
			return false;
		}
		return true;
	}
	if (t.kind != TK_WORD) {
		unexpected(ps, &t, "expected a field");
		return false;
	}
	af->name = t;
	return true;
}

/* value = quoted_string | bare_string | "val" "(" field_expr ")" */
static bool parse_value(struct parser *ps, struct aval *v)
{
	const struct token *pk = peek(ps, LEX_NAME);

	if (pk->kind == TK_WORD && tok_is(pk, "val")) {
		struct token save = *pk;

		next(ps, LEX_NAME);
		if (peek(ps, LEX_NAME)->kind == TK_LPAREN) {
			struct token close;

			next(ps, LEX_NAME);
			v->kind = AV_FIELD;
			v->tok = save;
			if (!parse_field_expr(ps, &v->field))
				return false;
			close = next(ps, LEX_NAME);
			if (close.kind != TK_RPAREN) {
				unexpected(ps, &close, "expected ')' after val(field");
				return false;
			}
			return true;
		}
		v->kind = AV_WORD; /* the bare word "val" */
		v->tok = save;
		return true;
	}
	v->tok = next(ps, LEX_VALUE);
	if (v->tok.kind == TK_STRING) {
		v->kind = AV_STRING;
		return true;
	}
	if (v->tok.kind != TK_WORD) {
		unexpected(ps, &v->tok, "expected a value");
		return false;
	}
	v->kind = AV_WORD;
	return true;
}

/* list = "(" [ value { "," value } ] ")" */
static bool parse_list(struct parser *ps, struct anode *n)
{
	struct token t = next(ps, LEX_NAME);
	size_t cap = 0;

	if (t.kind != TK_LPAREN) {
		unexpected(ps, &t, "expected '(' and a list of values");
		return false;
	}
	n->list = true;
	if (peek(ps, LEX_NAME)->kind == TK_RPAREN) {
		next(ps, LEX_NAME);
		return true;
	}
	for (;;) {
		struct token sep;

		if (n->nvals == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct aval *nv = rules_arena_alloc(&ps->rs->arena, ncap * sizeof(*nv));

			if (!nv) {
				perr(ps, &t.pos, "out of memory");
				return false;
			}
			if (n->nvals)
				memcpy(nv, n->vals, n->nvals * sizeof(*nv));
			n->vals = nv;
			cap = ncap;
		}
		if (!parse_value(ps, &n->vals[n->nvals]))
			return false;
		n->nvals++;
		sep = next(ps, LEX_NAME);
		if (sep.kind == TK_RPAREN)
			return true;
		if (sep.kind != TK_COMMA) {
			unexpected(ps, &sep, "expected ',' or ')' in the list");
			return false;
		}
	}
}

/* check = field_expr ( "exists" | binary_op value | list_op list ) */
static struct anode *parse_check(struct parser *ps)
{
	const struct token *pk = peek(ps, LEX_NAME);
	struct anode *n = new_node(ps, AN_CHECK, &pk->pos);
	struct token opt;
	int op;

	if (!n || !parse_field_expr(ps, &n->lhs))
		return NULL;
	opt = next(ps, LEX_NAME);
	op = op_of(&opt);
	if (op < 0) {
		unexpected(ps, &opt, "expected an operator after the field");
		return NULL;
	}
	n->op = (enum cmp_op)op;
	n->oppos = opt.pos;
	if (op == OP_EXISTS)
		return n;
	if (op == OP_IN || op == OP_INTERSECTS || op == OP_PMATCH) {
		if (!parse_list(ps, n))
			return NULL;
		return n;
	}
	n->vals = rules_arena_alloc(&ps->rs->arena, sizeof(*n->vals));
	if (!n->vals) {
		perr(ps, &opt.pos, "out of memory");
		return NULL;
	}
	n->nvals = 1;
	if (!parse_value(ps, &n->vals[0]))
		return NULL;
	return n;
}

/* primary = "(" or_expr ")" | macro_ref | check */
static struct anode *parse_primary(struct parser *ps)
{
	const struct token *pk = peek(ps, LEX_NAME);

	if (pk->kind == TK_LPAREN) {
		struct anode *n;
		struct token open = next(ps, LEX_NAME), close;

		n = parse_or(ps);
		if (!n)
			return NULL;
		close = next(ps, LEX_NAME);
		if (close.kind != TK_RPAREN) {
			char msg[160];
			uint32_t l, c;

			rules_rpos_linecol(&open.pos, &l, &c);
			snprintf(msg, sizeof(msg), "expected ')' to close the '(' at %u:%u", l, c);
			unexpected(ps, &close, msg);
			return NULL;
		}
		return n;
	}
	if (pk->kind == TK_WORD && !pk->arg && !memchr(pk->p, '.', pk->len) &&
	    !(transformer_of(pk))) {
		/* a macro, unless an operator follows (then a field without a dot: an error later) */
		struct token name = next(ps, LEX_NAME);
		const struct token *after = peek(ps, LEX_NAME);

		if (after->kind == TK_OP || (after->kind == TK_WORD && op_of(after) >= 0 &&
					     !tok_is(after, "and") && !tok_is(after, "or"))) {
			struct anode *n = new_node(ps, AN_CHECK, &name.pos);
			struct token opt;
			int op;

			if (!n)
				return NULL;
			n->lhs.name = name;
			opt = next(ps, LEX_NAME);
			op = op_of(&opt);
			n->op = (enum cmp_op)op;
			n->oppos = opt.pos;
			if (op == OP_EXISTS)
				return n;
			if (op == OP_IN || op == OP_INTERSECTS || op == OP_PMATCH)
				return parse_list(ps, n) ? n : NULL;
			n->vals = rules_arena_alloc(&ps->rs->arena, sizeof(*n->vals));
			if (!n->vals)
				return NULL;
			n->nvals = 1;
			return parse_value(ps, &n->vals[0]) ? n : NULL;
		}
		{
			struct anode *m = new_node(ps, AN_MACRO, &name.pos);

			if (m)
				m->name = name;
			return m;
		}
	}
	if (pk->kind != TK_WORD) {
		struct token t = *pk;

		unexpected(ps, &t, "expected a field, a macro, 'not' or '('");
		return NULL;
	}
	return parse_check(ps);
}

/* not_expr = "not" not_expr | primary */
static struct anode *parse_not(struct parser *ps)
{
	const struct token *pk = peek(ps, LEX_NAME);

	if (tok_is(pk, "not")) {
		struct token t = next(ps, LEX_NAME);
		struct anode *n, *sub;

		if (++ps->depth > MAX_DEPTH) {
			perr(ps, &t.pos, "condition nested deeper than 128 levels");
			return NULL;
		}
		sub = parse_not(ps);
		ps->depth--;
		if (!sub)
			return NULL;
		n = new_node(ps, AN_NOT, &t.pos);
		if (n)
			n->a = sub;
		return n;
	}
	return parse_primary(ps);
}

/* and_expr = not_expr { "and" not_expr } */
static struct anode *parse_and(struct parser *ps)
{
	struct anode *l = parse_not(ps);

	while (l && tok_is(peek(ps, LEX_NAME), "and")) {
		struct token t = next(ps, LEX_NAME);
		struct anode *r = parse_not(ps), *n;

		if (!r)
			return NULL;
		n = new_node(ps, AN_AND, &t.pos);
		if (!n)
			return NULL;
		n->a = l;
		n->b = r;
		l = n;
	}
	return l;
}

/* or_expr = and_expr { "or" and_expr } */
static struct anode *parse_or(struct parser *ps)
{
	struct anode *l;
	const struct token *pk = peek(ps, LEX_NAME);

	if (++ps->depth > MAX_DEPTH) {
		struct token t = *pk;

		perr(ps, &t.pos, "condition nested deeper than 128 levels");
		return NULL;
	}
	l = parse_and(ps);
	while (l && tok_is(peek(ps, LEX_NAME), "or")) {
		struct token t = next(ps, LEX_NAME);
		struct anode *r = parse_and(ps), *n;

		if (!r)
			return NULL;
		n = new_node(ps, AN_OR, &t.pos);
		if (!n)
			return NULL;
		n->a = l;
		n->b = r;
		l = n;
	}
	ps->depth--;
	return l;
}

/* condition = or_expr EOF */
struct anode *rules_cond_parse(struct ruleset *rs, const struct rtext *const *frags, size_t nfrags)
{
	struct parser ps;
	struct anode *n;
	const struct token *end;

	memset(&ps, 0, sizeof(ps));
	ps.rs = rs;
	ps.frags = frags;
	ps.nfrags = nfrags;
	skip_blanks(&ps);
	if (ps.fi >= nfrags) {
		struct rpos pos = {nfrags ? frags[0] : NULL, 0};

		ruleset_diag_at(rs, &pos, false, "empty condition");
		return NULL;
	}
	n = parse_or(&ps);
	if (!n || ps.failed)
		return NULL;
	end = peek(&ps, LEX_NAME);
	if (end->kind != TK_EOF) {
		struct token t = *end;

		unexpected(&ps, &t, "expected 'and', 'or' or the end of the condition");
		return NULL;
	}
	return n;
}
