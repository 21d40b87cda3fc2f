/* Rule file loader: YAML (libyaml) -> lists, macros and rules, with Falco's override/append semantics.
 *
 * Every file is read completely, so that any node's position maps back to file:line:col. Items are
 * merged in file order (later definitions replace earlier ones, `override`/`append` extend them); the
 * conditions are parsed and compiled only once everything is loaded (compile.c), because a macro may
 * use a list or macro that a later file defines. This file: reading files and directories, the YAML
 * documents, positions and diagnostics, the entry points; the items are in load_items.c,
 * load_rule.c and load_exceptions.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "rules/load.h"

/* ---- positions ---- */

/* libyaml marks count characters; the file is UTF-8: convert (line, column) to a byte index. */
size_t rules_load_mark_byte(const struct loadctx *lc, const yaml_mark_t *m)
{
	size_t i, col = 0;

	if (m->line >= lc->nlines)
		return lc->file->len;
	i = lc->line_start[m->line];
	while (i < lc->file->len && col < m->column && lc->file->buf[i] != '\n') {
		i++;
		while (i < lc->file->len && ((unsigned char)lc->file->buf[i] & 0xc0) == 0x80)
			i++;
		col++;
	}
	return i;
}

struct rtext *rules_load_text(struct loadctx *lc, const yaml_node_t *n)
{
	struct rtext *t = rules_arena_alloc(&lc->rs->arena, sizeof(*t));

	if (!t)
		return NULL;
	t->file = lc->file;
	if (n->type == YAML_SCALAR_NODE) {
		t->s = rules_arena_strndup(&lc->rs->arena, (const char *)n->data.scalar.value,
					   n->data.scalar.length);
		t->len = n->data.scalar.length;
		t->style = n->data.scalar.style;
	} else {
		t->s = "";
		t->len = 0;
		t->style = YAML_PLAIN_SCALAR_STYLE;
	}
	if (!t->s)
		return NULL;
	t->src_start = rules_load_mark_byte(lc, &n->start_mark);
	t->src_end = rules_load_mark_byte(lc, &n->end_mark);
	if (t->src_end <= t->src_start)
		t->src_end = lc->file->len;
	t->line = (uint32_t)n->start_mark.line + 1;
	t->col = (uint32_t)n->start_mark.column + 1;
	return t;
}

__attribute__((format(printf, 4, 0))) static void
node_diag(struct loadctx *lc, const yaml_node_t *n, bool warning, const char *fmt, va_list ap)
{
	struct rtext *t = rules_load_text(lc, n);
	struct rpos pos = {t, 0};
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	ruleset_diag_at(lc->rs, &pos, warning, "%s", msg);
}

void rules_load_err(struct loadctx *lc, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	node_diag(lc, n, false, fmt, ap);
	va_end(ap);
}

void rules_load_warn(struct loadctx *lc, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	node_diag(lc, n, true, fmt, ap);
	va_end(ap);
}

/* ---- YAML helpers ---- */

yaml_node_t *rules_load_node(struct loadctx *lc, int id)
{
	return yaml_document_get_node(lc->doc, id);
}

yaml_node_t *rules_load_map_get(struct loadctx *lc, const yaml_node_t *map, const char *key,
				yaml_node_t **keynode)
{
	yaml_node_pair_t *p;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = rules_load_node(lc, p->key);

		if (rules_yaml_scalar_is(k, key)) {
			if (keynode)
				*keynode = k;
			return rules_load_node(lc, p->value);
		}
	}
	return NULL;
}

int rules_load_bool(const yaml_node_t *n, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	const char *s = rules_yaml_scalar(n);
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < 3; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

char *rules_load_dup_scalar(struct loadctx *lc, const yaml_node_t *n)
{
	return rules_arena_strndup(&lc->rs->arena, (const char *)n->data.scalar.value,
				   n->data.scalar.length);
}

static int read_all(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 65536, n = 0, r;
	char *b = NULL, *nb;
	int ret = 0;

	if (!f)
		return -errno;
	b = malloc(cap);
	if (!b) {
		ret = -ENOMEM;
		goto cleanup;
	}
	while ((r = fread(b + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0) {
			if (cap > (64u << 20)) {
				ret = -EFBIG;
				goto cleanup;
			}
			nb = realloc(b, cap * 2);
			if (!nb) {
				ret = -ENOMEM;
				goto cleanup;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		ret = -EIO;
		goto cleanup;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
cleanup:
	free(b);
	fclose(f);
	return ret;
}

static int add_file(struct ruleset *rs, const char *path, char *buf, size_t len, struct rfile **out)
{
	struct rfile *f = calloc(1, sizeof(*f)), **nf;

	if (!f)
		return -ENOMEM;
	f->path = strdup(path);
	nf = realloc(rs->files, (rs->nfiles + 1) * sizeof(*nf));
	if (!f->path || !nf) {
		free(f->path);
		free(f);
		if (nf)
			rs->files = nf;
		return -ENOMEM;
	}
	rs->files = nf;
	f->buf = buf;
	f->len = len;
	rs->files[rs->nfiles++] = f;
	*out = f;
	return 0;
}

/* Parses one file's text. Takes ownership of buf. */
static int load_text(struct ruleset *rs, const char *path, char *buf, size_t len)
{
	struct loadctx lc;
	yaml_parser_t parser;
	yaml_document_t doc;
	bool parser_ok = false, doc_ok = false;
	size_t i, nl = 1;
	int ret = 0;

	memset(&lc, 0, sizeof(lc));
	lc.rs = rs;
	if ((ret = add_file(rs, path, buf, len, &lc.file))) {
		free(buf);
		return ret;
	}
	for (i = 0; i < len; i++)
		nl += buf[i] == '\n';
	lc.line_start = malloc(nl * sizeof(*lc.line_start));
	if (!lc.line_start) {
		ret = -ENOMEM;
		goto cleanup;
	}
	lc.line_start[0] = 0;
	lc.nlines = 1;
	for (i = 0; i < len; i++)
		if (buf[i] == '\n')
			lc.line_start[lc.nlines++] = i + 1;

	if (!yaml_parser_initialize(&parser)) {
		ret = -ENOMEM;
		goto cleanup;
	}
	parser_ok = true;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (;;) {
		yaml_node_t *root;

		if (!yaml_parser_load(&parser, &doc)) {
			struct rtext t = {
			    .file = lc.file, .s = "", .style = YAML_PLAIN_SCALAR_STYLE};
			struct rpos pos = {&t, 0};
			yaml_mark_t m = parser.problem_mark;

			t.src_start = rules_load_mark_byte(&lc, &m);
			t.src_end = len;
			ruleset_diag_at(rs, &pos, false, "YAML syntax error: %s%s%s",
					parser.problem ? parser.problem : "invalid document",
					parser.context ? " " : "",
					parser.context ? parser.context : "");
			ret = -EINVAL;
			goto cleanup;
		}
		doc_ok = true;
		root = yaml_document_get_root_node(&doc);
		if (!root) /* end of stream */
			break;
		lc.doc = &doc;
		if (root->type == YAML_SEQUENCE_NODE) {
			yaml_node_item_t *it;

			for (it = root->data.sequence.items.start;
			     it < root->data.sequence.items.top; it++)
				rules_load_item(&lc, yaml_document_get_node(&doc, *it));
		} else if (!rules_yaml_is_null(root)) {
			rules_load_err(&lc, root, "a rules file must be a sequence of items");
		}
		yaml_document_delete(&doc);
		doc_ok = false;
	}
cleanup:
	if (doc_ok)
		yaml_document_delete(&doc);
	if (parser_ok)
		yaml_parser_delete(&parser);
	free(lc.line_start);
	return ret;
}

static int load_path(struct ruleset *rs, const char *path);

static int load_dir_file(void *arg, const char *path, int err)
{
	struct ruleset *rs = arg;

	if (err) {
		ruleset_diag_file(rs, path, "path too long");
		return 0;
	}
	return load_path(rs, path) == -ENOMEM ? -ENOMEM : 0;
}

static int load_dir(struct ruleset *rs, const char *path)
{
	int ret = rules_yaml_dir(path, load_dir_file, rs);

	if (ret && ret != -ENOMEM)
		ruleset_diag_file(rs, path, "cannot read directory: %s", strerror(-ret));
	return ret;
}

static int load_path(struct ruleset *rs, const char *path)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if (stat(path, &st)) {
		ret = -errno;
		ruleset_diag_file(rs, path, "cannot open: %s", strerror(errno));
		return ret;
	}
	if (S_ISDIR(st.st_mode))
		return load_dir(rs, path);
	ret = read_all(path, &buf, &len);
	if (ret) {
		ruleset_diag_file(rs, path, "cannot read: %s", strerror(-ret));
		return ret;
	}
	return load_text(rs, path, buf, len);
}

/* ---- public entry points ---- */

static struct ruleset *ruleset_new(const struct ruleset_opts *opts)
{
	struct ruleset *rs = calloc(1, sizeof(*rs));
	size_t i;

	if (!rs)
		return NULL;
	rs->opts.matching = RULE_MATCH_FIRST;
	rs->opts.min_priority = RULE_PRIO_DEBUG;
	if (opts)
		rs->opts = *opts;
	for (i = 0; i < SCRATCH_N; i++) {
		rs->scratch[i] = malloc(OSP_FIELD_BUFSZ);
		if (!rs->scratch[i]) {
			ruleset_free(rs);
			return NULL;
		}
	}
	return rs;
}

static int finish(struct ruleset *rs, struct ruleset **out)
{
	size_t i;
	int ret;

	ret = ruleset_compile(rs);
	/* the file texts were only needed for positions */
	for (i = 0; i < rs->nfiles; i++) {
		free(rs->files[i]->buf);
		rs->files[i]->buf = NULL;
		rs->files[i]->len = 0;
	}
	if (ret == -ENOMEM) {
		ruleset_free(rs);
		*out = NULL;
		return ret;
	}
	*out = rs;
	return rs->nerrors ? -EINVAL : 0;
}

int ruleset_load(const char *const *paths, size_t npaths, const struct ruleset_opts *opts,
		 struct ruleset **out)
{
	struct ruleset *rs = ruleset_new(opts);
	size_t i;

	*out = NULL;
	if (!rs)
		return -ENOMEM;
	for (i = 0; i < npaths; i++) {
		if (load_path(rs, paths[i]) == -ENOMEM) {
			ruleset_free(rs);
			return -ENOMEM;
		}
	}
	return finish(rs, out);
}

int ruleset_load_string(const char *name, const char *yaml, size_t len,
			const struct ruleset_opts *opts, struct ruleset **out)
{
	struct ruleset *rs = ruleset_new(opts);
	char *buf;

	*out = NULL;
	if (!rs)
		return -ENOMEM;
	buf = malloc(len + 1);
	if (!buf) {
		ruleset_free(rs);
		return -ENOMEM;
	}
	memcpy(buf, yaml, len);
	buf[len] = '\0';
	if (load_text(rs, name, buf, len) == -ENOMEM) {
		ruleset_free(rs);
		return -ENOMEM;
	}
	return finish(rs, out);
}

void ruleset_free(struct ruleset *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->nregexes; i++) {
		regfree(rs->regexes[i]);
	}
	free(rs->regexes);
	for (i = 0; i < rs->nsets; i++)
		rules_smap_free(rs->sets[i]);
	free(rs->sets);
	for (i = 0; i < rs->nfiles; i++) {
		free(rs->files[i]->buf);
		free(rs->files[i]->path);
		free(rs->files[i]);
	}
	free(rs->files);
	for (i = 0; i < OSP_ET_COUNT; i++)
		free(rs->by_type[i]);
	for (i = 0; i < SCRATCH_N; i++)
		free(rs->scratch[i]);
	rules_smap_free(&rs->lists);
	rules_smap_free(&rs->macros);
	rules_smap_free(&rs->rules_by_name);
	free(rs->rules);
	free(rs->diag_index);
	rules_arena_free(&rs->arena);
	free(rs);
}
