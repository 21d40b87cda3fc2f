/* What the compiler's files share: compile.c (the AST compiled, macros, rules, the ruleset),
 * compile_values.c (a check: its field, operator and values), compile_exceptions.c (a rule's
 * exceptions as a condition), compile_types.c (the event types a rule can match, or why none).
 * Internal to rules/. */
#ifndef OSP_RULES_COMPILE_H
#define OSP_RULES_COMPILE_H

#include "rules/internal.h"

struct cctx {
	struct ruleset *rs;
	struct rule *r;
	bool skip_unknown;
	bool unknown; /* an unknown field was met under skip-if-unknown-filter */
	bool failed;
	unsigned int depth;
};

/* A value as written, before list expansion. */
struct vsrc {
	const char *s;
	size_t len;
	struct rpos pos;
	bool may_name_list;
	bool decode; /* quoted in a condition: escapes to decode */
};

struct vvec {
	struct vsrc *v;
	size_t n, cap;
};

int rules_vvec_push(struct vvec *vv, const struct vsrc *v);
void rules_compile_err(struct cctx *cc, const struct rpos *pos, const char *msg);
struct cnode *rules_cnode_new(struct cctx *cc, enum cnode_kind kind);
int rules_resolve_field(struct ruleset *rs, const char *name, size_t len, const char *arg,
			size_t arglen, struct cfield *out, const char **why);
bool rules_is_numeric_type(enum osp_ftype t);
bool rules_op_allowed(enum cmp_op op, enum osp_ftype t);
bool rules_is_list_op(enum cmp_op op);
struct cnode *rules_build_check(struct cctx *cc, const struct cfield *lhs, enum cmp_op op,
				const struct vsrc *vals, size_t nvals, const struct rpos *oppos);
struct cnode *rules_compile_node(struct cctx *cc, const struct anode *an);
struct cnode *rules_compile_exception(struct cctx *cc, const struct rexception *e);
void rules_set_inactive(struct ruleset *rs, struct rule *r, const char *why);
void rules_analyse(struct ruleset *rs, struct rule *r);

#endif
