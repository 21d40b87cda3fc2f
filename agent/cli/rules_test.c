/* Rule test cases: see cli.h and docs/rule-tests.md.
 *
 * Test files are read whole with libyaml's document loader (every node keeps its line and column),
 * each event mapping is converted to a JSON object typed by the field it names (replay_key_type():
 * `proc.tty: 34816` is an integer, `container.image.tag: 1.42` a string), and replayed.
 */
#include "cli/cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "replay/replay.h"
#include "rules/rules.h"
#include "rules/yaml.h"

struct tcase {
	char *name;
	char *expect; /* NULL: no rule fires */
	struct replay_event *re;
	const char *file;
	unsigned long line, col;
};

struct tset {
	struct tcase *c;
	size_t n, cap;
	char **files; /* names the cases point to */
	size_t nfiles;
	size_t nerrors;
	FILE *err;
};

static void terr(struct tset *ts, const char *file, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void terr(struct tset *ts, const char *file, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;

	fprintf(ts->err, "%s:%lu:%lu: ", file, m ? (unsigned long)m->line + 1 : 0ul,
		m ? (unsigned long)m->column + 1 : 0ul);
	va_start(ap, fmt);
	vfprintf(ts->err, fmt, ap);
	va_end(ap);
	fputc('\n', ts->err);
	ts->nerrors++;
}

static bool plain(const yaml_node_t *n)
{
	return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* A scalar as the JSON value a key of type t takes; NULL (with an error printed) when it cannot be. */
static cJSON *scalar_json(struct tset *ts, const char *file, const char *key, const yaml_node_t *n,
			  enum replay_vtype t)
{
	const char *s = sval(n);
	cJSON *j;

	if (rules_yaml_is_null(n))
		return cJSON_CreateNull();
	if (t == REPLAY_VT_INT) {
		const char *d = s[0] == '-' ? s + 1 : s;
		size_t i;

		for (i = 0; d[i] >= '0' && d[i] <= '9'; i++)
			;
		if (!plain(n) || !i || d[i] || i > 20) {
			terr(ts, file, &n->start_mark, "%s: expected an integer, got '%s'", key, s);
			return NULL;
		}
		j = cJSON_CreateNumber(strtod(s, NULL));
		if (j) {
			j->valuestring = strdup(s); /* exact: replay reads the text */
			if (!j->valuestring) {
				cJSON_Delete(j);
				return NULL;
			}
		}
		return j;
	}
	if (t == REPLAY_VT_BOOL) {
		if (plain(n) &&
		    (rules_yaml_scalar_is(n, "true") || rules_yaml_scalar_is(n, "True") ||
		     rules_yaml_scalar_is(n, "TRUE")))
			return cJSON_CreateBool(1);
		if (plain(n) &&
		    (rules_yaml_scalar_is(n, "false") || rules_yaml_scalar_is(n, "False") ||
		     rules_yaml_scalar_is(n, "FALSE")))
			return cJSON_CreateBool(0);
		terr(ts, file, &n->start_mark, "%s: expected true or false, got '%s'", key, s);
		return NULL;
	}
	if (strlen(s) != n->data.scalar.length) {
		terr(ts, file, &n->start_mark, "%s: a NUL byte in the value", key);
		return NULL;
	}
	return cJSON_CreateString(s);
}

static cJSON *value_json(struct tset *ts, const char *file, yaml_document_t *doc, const char *key,
			 const yaml_node_t *n)
{
	enum replay_vtype t = replay_key_type(key);
	cJSON *j = NULL, *c;

	if (n->type == YAML_SCALAR_NODE) {
		if (t == REPLAY_VT_LIST || t == REPLAY_VT_OBJECT) {
			if (rules_yaml_is_null(n))
				return cJSON_CreateNull();
			terr(ts, file, &n->start_mark, "%s: expected a %s", key,
			     t == REPLAY_VT_LIST ? "list" : "map");
			return NULL;
		}
		return scalar_json(ts, file, key, n, t);
	}
	if (n->type == YAML_SEQUENCE_NODE && t == REPLAY_VT_LIST) {
		enum replay_vtype et = !strcmp(key, "proc.apid") ? REPLAY_VT_INT : REPLAY_VT_STRING;
		yaml_node_item_t *it;

		j = cJSON_CreateArray();
		for (it = n->data.sequence.items.start; j && it < n->data.sequence.items.top;
		     it++) {
			const yaml_node_t *e = yaml_document_get_node(doc, *it);

			if (!e || e->type != YAML_SCALAR_NODE) {
				terr(ts, file, e ? &e->start_mark : &n->start_mark,
				     "%s: expected a list of values", key);
				cJSON_Delete(j);
				return NULL;
			}
			c = scalar_json(ts, file, key, e, et);
			if (!c) {
				cJSON_Delete(j);
				return NULL;
			}
			cJSON_AddItemToArray(j, c);
		}
		return j;
	}
	if (n->type == YAML_MAPPING_NODE && t == REPLAY_VT_OBJECT) {
		yaml_node_pair_t *p;

		j = cJSON_CreateObject();
		for (p = n->data.mapping.pairs.start; j && p < n->data.mapping.pairs.top; p++) {
			const yaml_node_t *k = yaml_document_get_node(doc, p->key);
			const yaml_node_t *v = yaml_document_get_node(doc, p->value);

			if (!k || !v || k->type != YAML_SCALAR_NODE ||
			    v->type != YAML_SCALAR_NODE) {
				terr(ts, file, &n->start_mark, "%s: expected a map of strings",
				     key);
				cJSON_Delete(j);
				return NULL;
			}
			cJSON_AddItemToObject(j, sval(k), cJSON_CreateString(sval(v)));
		}
		return j;
	}
	terr(ts, file, &n->start_mark, "%s: expected %s", key,
	     t == REPLAY_VT_LIST     ? "a list"
	     : t == REPLAY_VT_OBJECT ? "a map"
				     : "a single value");
	return NULL;
}

/* The event mapping as a JSON object; NULL with an error printed. */
static cJSON *event_json(struct tset *ts, const char *file, yaml_document_t *doc,
			 const yaml_node_t *ev)
{
	yaml_node_pair_t *p;
	cJSON *o;

	if (ev->type != YAML_MAPPING_NODE) {
		terr(ts, file, &ev->start_mark, "event: expected a map of field names to values");
		return NULL;
	}
	o = cJSON_CreateObject();
	for (p = ev->data.mapping.pairs.start; o && p < ev->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = yaml_document_get_node(doc, p->key);
		const yaml_node_t *v = yaml_document_get_node(doc, p->value);
		cJSON *j;

		if (!k || !v || k->type != YAML_SCALAR_NODE) {
			terr(ts, file, k ? &k->start_mark : &ev->start_mark,
			     "event: keys are field names");
			cJSON_Delete(o);
			return NULL;
		}
		j = value_json(ts, file, doc, sval(k), v);
		if (!j) {
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddItemToObject(o, sval(k), j);
	}
	return o;
}

/* The mark of the event key named key (for replay errors), else the event's own. */
static const yaml_mark_t *key_mark(yaml_document_t *doc, const yaml_node_t *ev, const char *key)
{
	yaml_node_pair_t *p;

	if (ev->type == YAML_MAPPING_NODE && key && *key)
		for (p = ev->data.mapping.pairs.start; p < ev->data.mapping.pairs.top; p++) {
			const yaml_node_t *k = yaml_document_get_node(doc, p->key);

			if (rules_yaml_scalar_is(k, key))
				return &k->start_mark;
		}
	return &ev->start_mark;
}

static int add_case(struct tset *ts, struct tcase *c)
{
	if (ts->n == ts->cap) {
		size_t nc = ts->cap ? ts->cap * 2 : 64;
		struct tcase *n = realloc(ts->c, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		ts->c = n;
		ts->cap = nc;
	}
	ts->c[ts->n++] = *c;
	return 0;
}

static int load_case(struct tset *ts, struct replay *rp, const char *file, yaml_document_t *doc,
		     const yaml_node_t *item)
{
	const yaml_node_t *name = NULL, *event = NULL, *expect = NULL;
	struct tcase c = {0};
	struct replay_err rerr;
	yaml_node_pair_t *p;
	cJSON *ej = NULL;
	int ret = 0;

	if (item->type != YAML_MAPPING_NODE) {
		terr(ts, file, &item->start_mark, "a test case is a map with name, event, expect");
		return 0;
	}
	for (p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = yaml_document_get_node(doc, p->key);
		const yaml_node_t *v = yaml_document_get_node(doc, p->value);

		if (rules_yaml_scalar_is(k, "name") && !name)
			name = v;
		else if (rules_yaml_scalar_is(k, "event") && !event)
			event = v;
		else if (rules_yaml_scalar_is(k, "expect") && !expect)
			expect = v;
		else {
			terr(ts, file, k ? &k->start_mark : &item->start_mark,
			     "unknown or repeated key '%s' in a test case (name, event, expect)",
			     k && k->type == YAML_SCALAR_NODE ? sval(k) : "?");
			return 0;
		}
	}
	if (!name || name->type != YAML_SCALAR_NODE || rules_yaml_is_null(name) || !event ||
	    !expect) {
		terr(
		    ts, file, &item->start_mark,
		    "a test case needs name (a string), event (a map) and expect (a rule or null)");
		return 0;
	}
	if (expect->type != YAML_SCALAR_NODE) {
		terr(ts, file, &expect->start_mark, "expect: a rule name, or null");
		return 0;
	}
	ej = event_json(ts, file, doc, event);
	if (!ej)
		return 0;
	c.file = file;
	c.line = item->start_mark.line + 1;
	c.col = item->start_mark.column + 1;
	c.name = strdup(sval(name));
	c.expect = rules_yaml_is_null(expect) ? NULL : strdup(sval(expect));
	if (!c.name || (!rules_yaml_is_null(expect) && !c.expect)) {
		ret = -ENOMEM;
		goto cleanup;
	}
	ret = replay_object(rp, ej, &c.re, &rerr);
	if (ret == -EINVAL) {
		terr(ts, file, key_mark(doc, event, rerr.key), "case \"%s\": %s%s%s", c.name,
		     rerr.key, rerr.key[0] ? ": " : "", rerr.msg);
		ret = 0;
		goto cleanup;
	}
	if (ret)
		goto cleanup;
	ret = add_case(ts, &c);
	if (!ret)
		memset(&c, 0, sizeof(c));
cleanup:
	cJSON_Delete(ej);
	free(c.name);
	free(c.expect);
	replay_event_free(c.re);
	return ret;
}

static int load_file(struct tset *ts, struct replay *rp, const char *path)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	yaml_node_item_t *it;
	char **nf, *file = NULL;
	FILE *f = NULL;
	bool have_parser = false, have_doc = false;
	int ret = 0;

	nf = realloc(ts->files, (ts->nfiles + 1) * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	ts->files = nf;
	file = strdup(path);
	if (!file)
		return -ENOMEM;
	ts->files[ts->nfiles++] = file;
	f = fopen(path, "re");
	if (!f) {
		terr(ts, file, NULL, "%s", strerror(errno));
		return 0;
	}
	if (!yaml_parser_initialize(&parser)) {
		ret = -ENOMEM;
		goto cleanup;
	}
	have_parser = true;
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_mark_t m = parser.problem_mark;

		terr(ts, file, &m, "YAML syntax error: %s",
		     parser.problem ? parser.problem : "unreadable");
		goto cleanup;
	}
	have_doc = true;
	root = yaml_document_get_root_node(&doc);
	if (!root || rules_yaml_is_null(root))
		goto cleanup; /* an empty file: no case */
	if (root->type != YAML_SEQUENCE_NODE) {
		terr(ts, file, &root->start_mark, "a test file is a list of cases");
		goto cleanup;
	}
	for (it = root->data.sequence.items.start; it < root->data.sequence.items.top; it++) {
		ret = load_case(ts, rp, file, &doc, yaml_document_get_node(&doc, *it));
		if (ret)
			break;
	}
cleanup:
	if (have_doc)
		yaml_document_delete(&doc);
	if (have_parser)
		yaml_parser_delete(&parser);
	fclose(f);
	return ret;
}

struct load_arg {
	struct tset *ts;
	struct replay *rp;
};

static int load_dir_file(void *arg, const char *path, int err)
{
	struct load_arg *la = arg;

	if (err) {
		terr(la->ts, path, NULL, "path too long");
		return 0;
	}
	return load_file(la->ts, la->rp, path);
}

static int load_path(struct tset *ts, struct replay *rp, const char *path)
{
	struct load_arg la = {ts, rp};
	struct stat st;
	int ret;

	if (stat(path, &st)) {
		terr(ts, path, NULL, "%s", strerror(errno));
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(ts, rp, path);
	ret = rules_yaml_dir(path, load_dir_file, &la);
	if (ret < 0 && ret != -ENOMEM) {
		terr(ts, path, NULL, "%s", strerror(-ret));
		return 0;
	}
	return ret;
}

static int first_match(const struct rule *r, const struct osp_event *ev, void *arg)
{
	*(const struct rule **)arg = r;
	return 1;
}

static void tset_free(struct tset *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++) {
		free(ts->c[i].name);
		free(ts->c[i].expect);
		replay_event_free(ts->c[i].re);
	}
	free(ts->c);
	for (i = 0; i < ts->nfiles; i++)
		free(ts->files[i]);
	free(ts->files);
}

int cli_rules_test_run(const char *const *rules, size_t nrules, const char *const *tests,
		       size_t ntests, FILE *out, FILE *err, struct cli_rules_test_result *res)
{
	struct tset ts = {.err = err};
	struct cli_rules_test_result r = {0};
	struct ruleset *rs = NULL;
	struct replay *rp = NULL;
	size_t i;
	int ret, status = 2;

	ret = ruleset_load(rules, nrules, NULL, &rs);
	if (rs) {
		for (i = 0; i < ruleset_ndiag(rs); i++) {
			const struct rule_diag *d = ruleset_diag(rs, i);

			if (!d->warning)
				fprintf(err, "%s:%u:%u: %s\n", d->file, d->line, d->col, d->msg);
		}
	}
	if (ret) {
		fprintf(err, "rules test: the rules did not load (%s)\n", strerror(-ret));
		goto cleanup;
	}
	rp = replay_new(16384);
	if (!rp) {
		fprintf(err, "rules test: %s\n", strerror(errno));
		goto cleanup;
	}
	for (i = 0; i < ntests; i++) {
		ret = load_path(&ts, rp, tests[i]);
		if (ret) {
			fprintf(err, "rules test: %s\n", strerror(-ret));
			goto cleanup;
		}
	}
	for (i = 0; i < ts.n; i++)
		if (ts.c[i].expect && !ruleset_find(rs, ts.c[i].expect)) {
			fprintf(err,
				"%s:%lu:%lu: case \"%s\": expect: no rule named \"%s\" is loaded\n",
				ts.c[i].file, ts.c[i].line, ts.c[i].col, ts.c[i].name,
				ts.c[i].expect);
			ts.nerrors++;
		}
	if (ts.nerrors) {
		fprintf(err, "rules test: %zu error%s in the test files; no case was run\n",
			ts.nerrors, ts.nerrors == 1 ? "" : "s");
		goto cleanup;
	}
	for (i = 0; i < ts.n; i++) {
		struct tcase *c = &ts.c[i];
		const struct rule *hit = NULL;
		const char *got;

		replay_event_prepare(c->re);
		ruleset_match(rs, &c->re->ctx, &c->re->ev, first_match, &hit);
		got = hit ? rule_name(hit) : NULL;
		if ((!got && !c->expect) || (got && c->expect && !strcmp(got, c->expect))) {
			r.passed++;
			fprintf(out, "PASS %s\n", c->name);
			continue;
		}
		r.failed++;
		fprintf(out, "FAIL %s: expected %s%s%s, got %s%s%s (%s:%lu)\n", c->name,
			c->expect ? "\"" : "", c->expect ? c->expect : "no alert",
			c->expect ? "\"" : "", got ? "\"" : "", got ? got : "no alert",
			got ? "\"" : "", c->file, c->line);
	}
	fprintf(out, "rules-test: %zu passed, %zu failed\n", r.passed, r.failed);
	status = r.failed ? 1 : 0;
cleanup:
	if (res)
		*res = r;
	tset_free(&ts);
	replay_free(rp);
	ruleset_free(rs);
	return status;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: osprey rules test -r RULES [-r RULES]... TESTS...\n"
		   "Replays each test case's event (rule test files or directories) against the\n"
		   "rule files or directories given with -r, first match as `osprey run`, and\n"
		   "compares the rule that fires with the case's expect.\n"
		   "Exit status: 0 all passed, 1 a case failed, 2 bad usage or a load error.\n");
}

int cli_rules_test(int argc, char **argv, FILE *out, FILE *err)
{
	const char **rules = NULL, **tests = NULL;
	size_t nrules = 0, ntests = 0;
	int a, status = 2;

	rules = calloc(argc > 0 ? (size_t)argc : 1, sizeof(*rules));
	tests = calloc(argc > 0 ? (size_t)argc : 1, sizeof(*tests));
	if (!rules || !tests) {
		fprintf(err, "rules test: out of memory\n");
		goto cleanup;
	}
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-r") || !strcmp(argv[a], "--rules")) {
			if (a + 1 >= argc) {
				fprintf(err, "rules test: %s needs a path\n", argv[a]);
				goto cleanup;
			}
			rules[nrules++] = argv[++a];
		} else if (!strncmp(argv[a], "--rules=", 8)) {
			rules[nrules++] = argv[a] + 8;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			usage(out);
			status = 0;
			goto cleanup;
		} else if (argv[a][0] == '-' && argv[a][1]) {
			fprintf(err, "rules test: unknown option %s\n", argv[a]);
			goto cleanup;
		} else {
			tests[ntests++] = argv[a];
		}
	}
	if (!nrules || !ntests) {
		usage(err);
		goto cleanup;
	}
	status = cli_rules_test_run(rules, nrules, tests, ntests, out, err, NULL);
cleanup:
	free(rules);
	free(tests);
	return status;
}
