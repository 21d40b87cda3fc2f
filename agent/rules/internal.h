/* Rule engine internals shared by its files: the loader (loader.c, load_*.c), the parser
 * (parser.c), the compiler (compile*.c), evaluation (eval.c), output templates (output.c), the
 * plumbing (util.c). Not a public API: include rules/rules.h. */
#ifndef OSP_RULES_INTERNAL_H
#define OSP_RULES_INTERNAL_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fields/fields.h"
#include "rules/rules.h"

#define MAX_DEPTH 128 /* condition nesting, macro nesting, list nesting */
#define MAX_TRANSFORMERS 4

/* ---- arena: every load-time object lives here and is freed at once ---- */

struct arena_chunk;
struct arena {
	struct arena_chunk *head;
};

void *rules_arena_alloc(struct arena *a, size_t size); /* zeroed; NULL on ENOMEM */
char *rules_arena_strndup(struct arena *a, const char *s, size_t len);
void rules_arena_free(struct arena *a);

/* ---- string -> pointer map (names of lists, macros, rules; `in` sets) ---- */

struct smap_slot {
	const char *key;
	size_t len;
	uint64_t hash;
	void *val;
};

struct smap {
	struct smap_slot *slots;
	size_t cap; /* power of two */
	size_t n;
};

uint64_t rules_smap_hash(const char *s, size_t len);
void *rules_smap_get(const struct smap *m, const char *key, size_t len);
/* Inserts or replaces; key must outlive the map. Returns 0 or -ENOMEM. */
int rules_smap_put(struct smap *m, const char *key, size_t len, void *val);
void rules_smap_free(struct smap *m);

/* ---- source text and positions ---- */

struct rfile {
	char *path;
	char *buf; /* whole file, NUL-terminated (kept until the load ends) */
	size_t len;
};

/* A YAML scalar: its value, and where it came from so that offsets map back to line:col. */
struct rtext {
	const struct rfile *file;
	const char *s; /* value, NUL-terminated, in the arena */
	size_t len;
	size_t src_start; /* byte index of the node in file->buf */
	size_t src_end;
	uint32_t line, col; /* 1-based, of the node */
	int style;	    /* yaml_scalar_style_t */
};

struct rpos {
	const struct rtext *t;
	size_t off; /* byte offset inside t->s */
};

/* ---- condition AST (parser.c) ---- */

enum tok_kind {
	TK_EOF = 0,
	TK_LPAREN,
	TK_RPAREN,
	TK_COMMA,
	TK_OP,	   /* = == != < <= > >= */
	TK_WORD,   /* identifier, field name, keyword, bare value */
	TK_STRING, /* quoted; escapes decoded at compile */
	TK_ERROR,
};

struct token {
	enum tok_kind kind;
	const char *p;
	size_t len;
	struct rpos pos;
	const char *arg; /* WORD followed by [arg]: the text inside brackets */
	size_t arglen;
	bool arg_quoted;
};

enum cmp_op {
	OP_EQ = 0,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_CONTAINS,
	OP_ICONTAINS,
	OP_BCONTAINS,
	OP_STARTSWITH,
	OP_BSTARTSWITH,
	OP_ENDSWITH,
	OP_GLOB,
	OP_IGLOB,
	OP_IN,
	OP_INTERSECTS,
	OP_PMATCH,
	OP_EXISTS,
	OP_REGEX,
	OP_COUNT
};

extern const char *const rules_cmp_op_names[OP_COUNT];

enum transformer {
	TR_TOLOWER = 1,
	TR_TOUPPER,
	TR_BASENAME,
	TR_LEN,
	TR_B64,
};

struct afield {
	struct token name; /* field name, with arg */
	uint8_t ntr;
	uint8_t tr[MAX_TRANSFORMERS]; /* applied innermost first */
};

enum aval_kind {
	AV_WORD = 0, /* bare word: may name a list inside (...) */
	AV_STRING,   /* quoted */
	AV_FIELD,    /* val(field) */
	AV_RAW,	     /* an exception value or list item: taken literally, may name a list */
};

struct aval {
	enum aval_kind kind;
	struct token tok;
	struct afield field;
};

enum anode_kind {
	AN_AND = 0,
	AN_OR,
	AN_NOT,
	AN_MACRO,
	AN_CHECK,
};

struct anode {
	enum anode_kind kind;
	struct rpos pos;
	struct anode *a, *b; /* AND/OR: a, b; NOT: a */
	struct token name;   /* MACRO */
	struct afield lhs;   /* CHECK */
	enum cmp_op op;
	struct rpos oppos; /* where the operator is written */
	bool list;	   /* the values were written as (v1, v2, ...) */
	struct aval *vals;
	size_t nvals;
};

struct rdiag_sink; /* the ruleset, seen by the parser */

/* A condition is one or more text fragments (a rule plus appended conditions), read as if joined by
 * spaces. Returns the AST or NULL after reporting an error through ruleset_error_at(). */
struct anode *rules_cond_parse(struct ruleset *rs, const struct rtext *const *frags, size_t nfrags);

/* ---- compiled form (compile.c, eval.c) ---- */

struct cfield {
	const struct osp_field *f;
	struct osp_farg arg;
	enum osp_ftype type; /* after transformers */
	uint8_t ntr;
	uint8_t tr[MAX_TRANSFORMERS];
	bool multi; /* several values: any ancestor, or a list field */
};

struct strset {
	struct smap map;
};

enum cnode_kind {
	CN_AND = 0,
	CN_OR,
	CN_NOT,
	CN_CHECK,
	CN_TRUE,
	CN_FALSE,
};

struct cnode {
	enum cnode_kind kind;
	enum cmp_op op;
	size_t nkids;
	struct cnode **kids;
	struct cfield lhs;
	struct cfield *rhs; /* val(field) */
	/* one value */
	const char *s;
	size_t len;
	const char *lower; /* icontains / iglob */
	int64_t i;
	regex_t *re;
	/* several values */
	struct smap *set; /* in / intersects on strings (keys = values) */
	int64_t *ints;	  /* in / intersects on numbers, sorted */
	size_t nints;
	const char **paths; /* pmatch */
	size_t *plens;
	size_t npaths;
	bool lenient; /* an exception: fields we never supply only make it not apply */
};

struct out_seg {
	const char *lit; /* literal text, or NULL for a field */
	size_t len;
	struct cfield field;
	size_t outfield; /* index in rule->ofields */
};

struct rexc_value {
	struct rtext *t;
	struct rtext **list; /* a value written as a YAML list: [a, b] */
	size_t nlist;
	bool is_list;
};

struct rexception {
	struct rtext *name;
	struct rtext **fields;
	size_t nfields;
	bool fields_scalar; /* fields: proc.name (one field, not a list) */
	struct rtext **comps;
	size_t ncomps;
	struct rexc_value **rows; /* each row has nfields values (one when fields_scalar) */
	size_t *rowlen;
	struct rtext **rowpos;
	size_t nrows;
	struct rexception *next;
};

struct rfrag {
	struct rtext *t;
	struct rfrag *next;
};

struct rule {
	char *name;
	struct rtext *pos; /* the item's `rule:` scalar */
	struct rfrag *cond, *cond_tail;
	struct rtext *desc;
	struct rtext *output;
	const char *output_str;
	enum rule_priority priority;
	bool has_priority;
	bool enabled;
	bool warn_evttypes;
	bool skip_unknown;
	char *source;
	char **tags;
	size_t ntags;
	struct rexception *exc;
	/* compiled */
	struct cnode *root;
	uint32_t evt_mask;
	bool active;
	const char *why;
	struct out_seg *segs;
	size_t nsegs;
	const char **ofields; /* names as written */
	struct cfield *ofield_defs;
	size_t nofields;
};

struct rlist_item {
	struct rtext *t;
	struct rlist_item *next;
};

struct rlist {
	char *name;
	struct rtext *pos;
	struct rlist_item *items, *tail;
	bool expanding;
};

struct rmacro {
	char *name;
	struct rtext *pos;
	struct rfrag *cond, *cond_tail;
	struct anode *ast;
	bool parsed, failed, expanding;
	struct rmacro *next_def; /* definition order */
};

struct diag_node {
	struct rule_diag d;
	struct diag_node *next;
};

#define SCRATCH_N 4

struct ruleset {
	struct arena arena;
	struct ruleset_opts opts;
	struct diag_node *diags, *diags_tail;
	size_t ndiag, nerrors;
	const struct rule_diag **diag_index;
	struct rfile **files;
	size_t nfiles;
	struct smap lists, macros, rules_by_name;
	struct rmacro *macro_head, *macro_tail;
	struct rule **rules;
	size_t nrules, caprules;
	struct rule **by_type[OSP_ET_COUNT];
	size_t nby_type[OSP_ET_COUNT];
	uint32_t evt_mask;
	uint32_t names_mask; /* event types whose conditions read user or group names */
	regex_t **regexes;
	size_t nregexes, capregexes;
	struct smap **sets;
	size_t nsets, capsets;
	char *scratch[SCRATCH_N];
	uint32_t depth;
};

/* Diagnostics. msg is formatted; positions come from an rpos (mapped back to the file) or an rtext. */
__attribute__((format(printf, 4, 5))) void
ruleset_diag_at(struct ruleset *rs, const struct rpos *pos, bool warning, const char *fmt, ...);
__attribute__((format(printf, 3, 4))) void ruleset_diag_file(struct ruleset *rs, const char *file,
							     const char *fmt, ...);
/* Maps a position to 1-based line and column in its file. */
void rules_rpos_linecol(const struct rpos *pos, uint32_t *line, uint32_t *col);

/* compile.c: after every file is loaded. */
int ruleset_compile(struct ruleset *rs);
/* A field reference as written (name token with its arg) resolved, with transformers. */
int rules_compile_field(struct ruleset *rs, const struct afield *af, struct cfield *out,
			bool *unknown);

/* eval.c */
bool rules_cnode_eval(struct ruleset *rs, const struct cnode *n, const struct osp_field_ctx *ctx,
		      const struct osp_event *ev);
/* Extracts a compiled field (transformers applied) into v using scratch slot `slot`. */
int rules_cfield_get(struct ruleset *rs, const struct cfield *cf, uint32_t nth, int slot,
		     const struct osp_field_ctx *ctx, const struct osp_event *ev,
		     struct osp_fval *v);
/* Compares one extracted value against a check's value(s). */
bool rules_check_value(struct ruleset *rs, const struct cnode *n, const struct osp_fval *v,
		       const struct osp_field_ctx *ctx, const struct osp_event *ev);

/* output.c */
int rules_output_compile(struct ruleset *rs, struct rule *r);
/* After analysis: an error for each output field that none of the active rule's event types can
 * supply (a template field we cannot fill is an error at load, not a silent <NA>). */
int rules_output_check_supplied(struct ruleset *rs, struct rule *r);

#endif
