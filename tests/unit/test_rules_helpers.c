/* Helpers shared by the field and rule tests: see test_rules_helpers.h. No suite here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_rules_helpers.h"

static size_t pack_args(char *buf, size_t size, const char *const *argv, uint32_t *argc)
{
	size_t off = 0;

	*argc = 0;
	for (; argv && *argv; argv++) {
		size_t n = strlen(*argv) + 1;

		if (off + n > size)
			break;
		memcpy(buf + off, *argv, n);
		off += n;
		(*argc)++;
	}
	return off;
}

static void set_ostr(struct osp_str *s, const char *p)
{
	s->p = p;
	s->len = p ? (uint32_t)strlen(p) : 0;
}

/* An execve of exepath with argv by process `comm` (pid 200, parent "bash" pid 100), uid 1000. */
void tev_exec(struct tev *t, const char *comm, const char *exepath, const char *const *argv)
{
	static const char *const pargv[] = {"-bash", NULL};

	memset(t, 0, sizeof(*t));
	t->ev.type = OSP_EV_EXEC;
	t->ev.syscall = OSP_ET_EXECVE;
	t->ev.ts = 1700000000123456789ull;
	t->ev.ktime = 5000000000ull;
	t->ev.tgid = t->ev.pid = 200;
	t->proc.tgid = 200;
	t->proc.ppid = 100;
	t->proc.vpid = 200;
	t->proc.sid = 100;
	t->proc.pgid = t->proc.vpgid = 200;
	t->proc.uid = t->proc.euid = 1000;
	t->proc.gid = t->proc.egid = 1000;
	t->proc.loginuid = 1000;
	t->proc.tty_dev = 34816;
	t->proc.start_time = 4000000000ull;
	t->proc.parent_start_time = 1000000000ull;
	snprintf(t->proc.comm, sizeof(t->proc.comm), "%s", comm);
	set_ostr(&t->proc.exepath, exepath);
	set_ostr(&t->proc.filename, exepath);
	set_ostr(&t->proc.cwd, "/home/user");
	t->proc.args.p = t->args;
	t->proc.args.len = (uint32_t)pack_args(t->args, sizeof(t->args), argv, &t->proc.argc);
	t->parent.tgid = 100;
	t->parent.ppid = 1;
	t->parent.sid = 100;
	t->parent.start_time = 1000000000ull;
	snprintf(t->parent.comm, sizeof(t->parent.comm), "bash");
	set_ostr(&t->parent.exepath, "/usr/bin/bash");
	t->parent.args.p = t->pargs;
	t->parent.args.len =
	    (uint32_t)pack_args(t->pargs, sizeof(t->pargs), pargv, &t->parent.argc);
	t->ev.proc = &t->proc;
	t->ev.parent = &t->parent;
}

/* An openat of name (already absolute) with flags, returning res, by `comm`. */
void tev_open(struct tev *t, const char *comm, const char *name, uint32_t flags, int64_t res)
{
	static const char *const argv[] = {"cat", NULL};

	tev_exec(t, comm, "/usr/bin/cat", argv);
	t->ev.type = OSP_EV_OPEN;
	t->ev.syscall = OSP_ET_OPENAT;
	t->ev.open.res = res;
	t->ev.open.flags = flags;
	t->ev.open.mode = 0644;
	t->ev.open.dirfd = -100;
	set_ostr(&t->ev.open.name, name);
	set_ostr(&t->ev.open.nameraw, name);
	if (res >= 0) {
		set_ostr(&t->ev.open.realpath, name);
		t->ev.open.ino = 1234;
		t->ev.open.dev = 0x803;
	}
}

/* Puts the event in a docker container with one label and a pod. */
void tev_container(struct tev *t)
{
	static struct osp_kv labels[] = {{"app", "web"}};
	static struct osp_kv pod_labels[] = {{"tier", "front"}, {"team", "a"}};

	memset(&t->ct, 0, sizeof(t->ct));
	t->ct.runtime = OSP_RT_DOCKER;
	snprintf(t->ct.full_id, sizeof(t->ct.full_id), "%s",
		 "0123456789ab0123456789ab0123456789ab0123456789ab0123456789abcdef");
	snprintf(t->ct.id, sizeof(t->ct.id), "%s", "0123456789ab");
	t->ct.name = "web-1";
	t->ct.image = "docker.io/library/nginx:1.25";
	t->ct.image_repository = "docker.io/library/nginx";
	t->ct.image_tag = "1.25";
	t->ct.image_digest = "";
	t->ct.privileged = 1;
	t->ct.labels = labels;
	t->ct.nlabels = 1;
	t->ct.pod_name = "web-pod";
	t->ct.pod_uid = "1111-2222";
	t->ct.pod_namespace = "prod";
	t->ct.pod_labels = pod_labels;
	t->ct.npod_labels = 2;
	t->ev.container = &t->ct;
}

struct ruleset *tr_load(const char *yaml)
{
	struct ruleset *rs = NULL;

	ruleset_load_string("test.yaml", yaml, strlen(yaml), NULL, &rs);
	return rs;
}

struct ruleset *tr_load_all(const char *yaml)
{
	struct ruleset_opts o = {.matching = RULE_MATCH_ALL, .min_priority = RULE_PRIO_DEBUG};
	struct ruleset *rs = NULL;

	ruleset_load_string("test.yaml", yaml, strlen(yaml), &o, &rs);
	return rs;
}

/* The first error as "file:line:col: message", or "" when there is none. */
const char *tr_error(const struct ruleset *rs)
{
	static char buf[1024];
	size_t i;

	buf[0] = '\0';
	for (i = 0; rs && i < ruleset_ndiag(rs); i++) {
		const struct rule_diag *d = ruleset_diag(rs, i);

		if (d->warning)
			continue;
		snprintf(buf, sizeof(buf), "%s:%u:%u: %s", d->file, d->line, d->col, d->msg);
		break;
	}
	return buf;
}

struct tr_hits {
	const char *names[16];
	int n;
};

static int collect_hit(const struct rule *r, const struct osp_event *ev, void *arg)
{
	struct tr_hits *h = arg;

	if (h->n < 16)
		h->names[h->n++] = rule_name(r);
	return 0;
}

/* Matches ev; returns the number of matches and the first rule's name in *first (or NULL). */
int tr_match(struct ruleset *rs, const struct osp_event *ev, const char **first)
{
	struct osp_field_ctx ctx = {.pt = NULL, .hostname = "node-1", .evt_num = 7};
	struct tr_hits h = {{0}, 0};
	int n = ruleset_match(rs, &ctx, ev, collect_hit, &h);

	if (first)
		*first = h.n ? h.names[0] : NULL;
	return n;
}

/* Loads a one-rule file whose condition is cond, matches ev, frees. Returns matches, or -1 when the
 * rule did not load. */
int tr_cond(const char *cond, const struct osp_event *ev)
{
	char yaml[8192];
	struct ruleset *rs;
	int n;

	snprintf(yaml, sizeof(yaml),
		 "- list: shells\n  items: [bash, sh, zsh]\n"
		 "- list: more_shells\n  items: [shells, fish]\n"
		 "- rule: t\n  desc: d\n  output: o\n  priority: INFO\n  warn_evttypes: false\n"
		 "  condition: |\n    %s\n",
		 cond);
	rs = tr_load(yaml);
	if (!rs || ruleset_nerrors(rs)) {
		fprintf(stderr, "tr_cond: %s: %s\n", cond, tr_error(rs));
		ruleset_free(rs);
		return -1;
	}
	n = tr_match(rs, ev, NULL);
	ruleset_free(rs);
	return n;
}
