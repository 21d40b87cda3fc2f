/* Detection tests: rule + real event -> alert or no alert. One test per operator family, field class,
 * exception form, override mode and transformer. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "../common/suite.h"
#include "test_rules_helpers.h"
#include "container/container.h"
#include "rules/rules.h"

static const char *const curl_argv[] = {"curl", "-s", "http://Example.com/x", NULL};

static void exec_curl(struct tev *t)
{
	tev_exec(t, "curl", "/usr/bin/curl", curl_argv);
}

#define MATCH(cond, ev) CU_ASSERT_EQUAL(tr_cond(cond, ev), 1)
#define NOMATCH(cond, ev) CU_ASSERT_EQUAL(tr_cond(cond, ev), 0)

static void test_compare_ops(void)
{
	struct tev t;

	exec_curl(&t);
	MATCH("proc.name = curl", &t.ev);
	MATCH("proc.name == curl", &t.ev);
	NOMATCH("proc.name = cur", &t.ev);
	MATCH("proc.name != wget", &t.ev);
	MATCH("proc.pid = 200", &t.ev);
	MATCH("proc.pid > 199 and proc.pid >= 200 and proc.pid < 201 and proc.pid <= 200", &t.ev);
	NOMATCH("proc.pid > 200", &t.ev);
	MATCH("proc.ppid = 0x64", &t.ev);
	MATCH("user.loginuid != -1", &t.ev);
	MATCH("proc.name < d and proc.name > c", &t.ev); /* strings compare bytewise */
}

static void test_string_ops(void)
{
	struct tev t;

	exec_curl(&t);
	NOMATCH("proc.cmdline contains example", &t.ev);
	MATCH("proc.cmdline icontains example", &t.ev);
	MATCH("proc.cmdline icontains EXAMPLE", &t.ev);
	MATCH("proc.exepath startswith /usr/", &t.ev);
	MATCH("proc.exepath endswith /curl", &t.ev);
	NOMATCH("proc.exepath endswith /wget", &t.ev);
	MATCH("proc.exepath glob '/usr/*/cu?l'", &t.ev);
	NOMATCH("proc.exepath glob '/usr/*/CURL'", &t.ev);
	MATCH("proc.exepath iglob '/USR/*/CURL'", &t.ev);
	MATCH("proc.exepath bstartswith 2f757372", &t.ev); /* "/usr" */
	MATCH("proc.exepath bcontains 6375726c", &t.ev);   /* "curl" */
	MATCH("proc.args regex '-s http://.*'", &t.ev);
	NOMATCH("proc.args regex 'http'", &t.ev); /* the whole value must match, as in Falco */
	MATCH("proc.name exists", &t.ev);
	NOMATCH("fd.name exists", &t.ev);
	MATCH("proc.cmdline = \"curl -s http://Example.com/x\"", &t.ev);
	MATCH("proc.cmdline contains 'Example.com/x'", &t.ev);
}

static void test_set_ops(void)
{
	struct tev t;

	exec_curl(&t);
	MATCH("proc.name in (wget, curl)", &t.ev);
	NOMATCH("proc.name in (wget, nc)", &t.ev);
	NOMATCH("proc.name in ()", &t.ev);
	MATCH("proc.pname in (shells)", &t.ev);	      /* list name expanded */
	MATCH("proc.pname in (more_shells)", &t.ev);  /* nested list */
	NOMATCH("proc.pname in (\"shells\")", &t.ev); /* quoted: a literal */
	MATCH("proc.pid in (1, 200, 3)", &t.ev);
	MATCH("proc.name intersects (curl)", &t.ev);
	MATCH("proc.exepath pmatch (/usr/bin, /opt)", &t.ev);
	MATCH("proc.exepath pmatch (/usr/bin/)", &t.ev);
	NOMATCH("proc.exepath pmatch (/usr/bi)", &t.ev);
	MATCH("proc.exepath pmatch (/)", &t.ev);
	MATCH("proc.aname in (bash)", &t.ev); /* any ancestor */
	MATCH("proc.aname = bash", &t.ev);
	NOMATCH("proc.aname = curl", &t.ev); /* ancestors only, not the process itself */
	MATCH("proc.aname[0] = curl and proc.aname[1] = bash", &t.ev);
	MATCH("proc.apid[1] = 100", &t.ev);
}

static void test_logic(void)
{
	struct tev t;

	exec_curl(&t);
	MATCH("proc.name = curl and not proc.name = wget", &t.ev);
	MATCH("proc.name = wget or proc.name = curl", &t.ev);
	MATCH("not (proc.name = wget or proc.name = nc)", &t.ev);
	NOMATCH("not not not proc.name = curl", &t.ev);
	MATCH("((((proc.name = curl))))", &t.ev);
	MATCH("proc.name = x or proc.name = curl and proc.pid = 200",
	      &t.ev); /* and binds tighter */
	NOMATCH("(proc.name = x or proc.name = curl) and proc.pid = 1", &t.ev);
	/* a missing value never matches, whatever the operator */
	NOMATCH("fd.name != /x", &t.ev);
	MATCH("not fd.name = /x", &t.ev);
}

static void test_transformers_and_val(void)
{
	struct tev t;

	exec_curl(&t);
	MATCH("toupper(proc.name) = CURL", &t.ev);
	MATCH("tolower(toupper(proc.name)) = curl", &t.ev);
	MATCH("basename(proc.exepath) = curl", &t.ev);
	MATCH("len(proc.name) = 4", &t.ev);
	MATCH("len(proc.exepath) > 10", &t.ev);
	MATCH("toupper(proc.name) in (CURL, WGET)", &t.ev);
	t.proc.cwd.p = "Y3VybA==";
	t.proc.cwd.len = 8;
	MATCH("b64(proc.cwd) = curl", &t.ev);
	MATCH("proc.name = val(proc.exe)", &t.ev);
	MATCH("proc.exepath endswith val(proc.name)", &t.ev);
	MATCH("basename(proc.exepath) = val(proc.name)", &t.ev);
	NOMATCH("proc.name = val(proc.pname)", &t.ev);
	MATCH("proc.pid > val(proc.ppid)", &t.ev);
}

static void test_fields_in_rules(void)
{
	struct tev t;

	tev_open(&t, "cat", "/etc/shadow", O_RDONLY, 3);
	MATCH("evt.type = openat and fd.name = /etc/shadow and fd.typechar = 'f' and fd.num >= 0",
	      &t.ev);
	MATCH("evt.type in (open, openat, openat2) and evt.is_open_read = true", &t.ev);
	MATCH("evt.is_open_write = false and fd.directory = /etc and fd.filename = shadow", &t.ev);
	MATCH("evt.arg.flags contains O_RDONLY and evt.arg[flags] = O_RDONLY", &t.ev);
	MATCH("evt.res = SUCCESS and evt.rawres = 3 and evt.failed = false", &t.ev);
	MATCH("evt.dir = < and evt.category = file and evt.source = syscall", &t.ev);
	MATCH("evt.hostname = node-1 and evt.num = 7", &t.ev);
	NOMATCH("evt.num = 0", &t.ev); /* Falco's never_true */

	tev_open(&t, "cat", "/nonexistent", O_WRONLY | O_CREAT | O_TRUNC, -2);
	MATCH("evt.res = ENOENT and evt.rawres = -2 and fd.num = -1 and evt.failed = true", &t.ev);
	MATCH("evt.res startswith E", &t.ev);
	MATCH("evt.arg.flags = O_WRONLY|O_CREAT|O_TRUNC", &t.ev);
	MATCH("evt.is_open_create = true and evt.is_open_write = true", &t.ev);
	NOMATCH("fd.realpath exists", &t.ev);

	exec_curl(&t);
	tev_container(&t);
	MATCH("container.id = 0123456789ab and container.name = web-1", &t.ev);
	MATCH("container.image.repository = docker.io/library/nginx and container.image.tag = 1.25",
	      &t.ev);
	MATCH("container.privileged = true and container.type = docker", &t.ev);
	MATCH("container.label[app] = web and container.labels[app] = web", &t.ev);
	NOMATCH("container.label[nope] exists", &t.ev);
	MATCH("k8s.ns.name = prod and k8s.pod.name = web-pod and k8s.pod.label[tier] = front",
	      &t.ev);
	NOMATCH("container.image.digest exists", &t.ev); /* "" is unknown */
	t.ct.runtime = OSP_RT_HOST;
	MATCH("container.id = host and not container.id != host", &t.ev);
	t.ev.container = NULL;
	NOMATCH("container.id = host or container.id != host", &t.ev);
}

/* ---- exceptions ---- */

#define EXC_RULE                                                                                   \
	"- list: allowed_dirs\n"                                                                   \
	"  items: [/tmp, /var/tmp]\n"                                                              \
	"- rule: write\n"                                                                          \
	"  desc: d\n"                                                                              \
	"  condition: evt.type = openat and evt.is_open_write = true\n"                            \
	"  output: w %%fd.name\n"                                                                  \
	"  priority: ERROR\n"                                                                      \
	"  exceptions:\n%s"

static int exc_match(const char *exceptions, const struct osp_event *ev)
{
	char yaml[4096];
	struct ruleset *rs;
	int n;

	snprintf(yaml, sizeof(yaml), EXC_RULE, exceptions);
	rs = tr_load(yaml);
	if (!rs || ruleset_nerrors(rs)) {
		fprintf(stderr, "exc_match: %s\n", tr_error(rs));
		ruleset_free(rs);
		return -1;
	}
	n = tr_match(rs, ev, NULL);
	ruleset_free(rs);
	return n;
}

static void test_exceptions(void)
{
	struct tev t;

	tev_open(&t, "vim", "/tmp/a.txt", O_WRONLY, 3);
	/* tuple of fields, default comps (=) */
	CU_ASSERT_EQUAL(exc_match("  - name: e\n    fields: [proc.name, fd.name]\n"
				  "    values:\n      - [vim, /tmp/a.txt]\n",
				  &t.ev),
			0);
	CU_ASSERT_EQUAL(
	    exc_match("  - name: e\n    fields: [proc.name, fd.name]\n"
		      "    values:\n      - [vim, /tmp/b.txt]\n      - [nano, /tmp/a.txt]\n",
		      &t.ev),
	    1);
	/* comps, with a list value and a list name */
	CU_ASSERT_EQUAL(exc_match("  - name: e\n    fields: [proc.name, fd.directory]\n"
				  "    comps: [in, pmatch]\n"
				  "    values:\n      - [[nano, vim], allowed_dirs]\n",
				  &t.ev),
			0);
	CU_ASSERT_EQUAL(exc_match("  - name: e\n    fields: [proc.name, fd.name]\n"
				  "    comps: [=, startswith]\n"
				  "    values:\n      - [vim, /var/]\n",
				  &t.ev),
			1);
	/* one field: comps defaults to in, values are the list */
	CU_ASSERT_EQUAL(
	    exc_match("  - name: e\n    fields: proc.name\n    values: [nano, vim]\n", &t.ev), 0);
	CU_ASSERT_EQUAL(exc_match("  - name: e\n    fields: fd.name\n    comps: pmatch\n"
				  "    values: [allowed_dirs]\n",
				  &t.ev),
			0);
	CU_ASSERT_EQUAL(exc_match("  - name: e\n    fields: fd.name\n    comps: startswith\n"
				  "    values: [/var, /tmp/a]\n",
				  &t.ev),
			0);
	/* an exception without values changes nothing */
	CU_ASSERT_EQUAL(exc_match("  - name: e\n    fields: [proc.name]\n", &t.ev), 1);
	/* an exception on a field we never supply does not make the rule inactive */
	CU_ASSERT_EQUAL(
	    exc_match("  - name: e\n    fields: [fd.sip]\n    values: [[1.2.3.4]]\n", &t.ev), 1);
}

/* ---- override / append ---- */

static const char *base = "- list: procs\n  items: [vim]\n"
			  "- macro: is_open\n  condition: evt.type = openat\n"
			  "- rule: r\n  desc: d\n  condition: is_open and proc.name in (procs)\n"
			  "  output: \"o %proc.name\"\n  priority: WARNING\n  tags: [a]\n";

static int with(const char *extra, const struct osp_event *ev, const struct rule **rp,
		struct ruleset **rsp)
{
	char yaml[4096];
	struct ruleset *rs;

	snprintf(yaml, sizeof(yaml), "%s%s", base, extra);
	rs = tr_load(yaml);
	*rsp = rs;
	if (!rs || ruleset_nerrors(rs)) {
		fprintf(stderr, "with: %s\n", tr_error(rs));
		return -1;
	}
	if (rp)
		*rp = ruleset_find(rs, "r");
	return tr_match(rs, ev, NULL);
}

static void test_override(void)
{
	struct ruleset *rs = NULL;
	const struct rule *r = NULL;
	struct tev t;

	tev_open(&t, "nano", "/etc/passwd", O_WRONLY, 3);
	CU_ASSERT_EQUAL(with("", &t.ev, NULL, &rs), 0);
	ruleset_free(rs);
	CU_ASSERT_EQUAL(with("- list: procs\n  items: [nano]\n  override:\n    items: append\n",
			     &t.ev, NULL, &rs),
			1);
	ruleset_free(rs);
	CU_ASSERT_EQUAL(with("- list: procs\n  items: [nano]\n  append: true\n", &t.ev, NULL, &rs),
			1);
	ruleset_free(rs);
	CU_ASSERT_EQUAL(with("- list: procs\n  items: [x]\n  override:\n    items: replace\n",
			     &t.ev, NULL, &rs),
			0);
	ruleset_free(rs);
	/* macro append / replace */
	tev_open(&t, "vim", "/etc/passwd", O_WRONLY, 3);
	CU_ASSERT_EQUAL(with("", &t.ev, NULL, &rs), 1);
	ruleset_free(rs);
	CU_ASSERT_EQUAL(with("- macro: is_open\n  condition: and proc.name = nope\n"
			     "  override:\n    condition: append\n",
			     &t.ev, NULL, &rs),
			0);
	ruleset_free(rs);
	CU_ASSERT_EQUAL(with("- macro: is_open\n  condition: evt.type = execve\n"
			     "  override:\n    condition: replace\n",
			     &t.ev, NULL, &rs),
			0);
	ruleset_free(rs);
	tev_open(&t, "nano", "/etc/passwd", O_WRONLY, 3);
	/* rule condition append (text appended, as Falco: binds to the last term) */
	CU_ASSERT_EQUAL(with("- rule: r\n  condition: or proc.name = nano\n"
			     "  override:\n    condition: append\n",
			     &t.ev, NULL, &rs),
			1);
	ruleset_free(rs);
	CU_ASSERT_EQUAL(
	    with("- rule: r\n  condition: or proc.name = nano\n  append: true\n", &t.ev, NULL, &rs),
	    1);
	ruleset_free(rs);
	/* replace output, priority, tags; append tags; disable */
	CU_ASSERT_EQUAL(with("- rule: r\n  output: new %fd.name\n  priority: CRITICAL\n"
			     "  tags: [b]\n"
			     "  override:\n    output: replace\n    priority: replace\n"
			     "    tags: append\n",
			     &t.ev, &r, &rs),
			0);
	CU_ASSERT_STRING_EQUAL(rule_output(r), "new %fd.name");
	CU_ASSERT_EQUAL(rule_priority(r), RULE_PRIO_CRITICAL);
	CU_ASSERT_EQUAL(rule_ntags(r), 2);
	ruleset_free(rs);
	CU_ASSERT_EQUAL(with("- rule: r\n  enabled: false\n  override:\n    enabled: replace\n",
			     &t.ev, &r, &rs),
			0);
	CU_ASSERT_FALSE(rule_enabled(r));
	ruleset_free(rs);
	CU_ASSERT_EQUAL(with("- rule: r\n  enabled: false\n", &t.ev, &r, &rs), 0);
	CU_ASSERT_FALSE(rule_active(r, NULL));
	ruleset_free(rs);
	/* exceptions appended to a rule */
	tev_open(&t, "vim", "/etc/passwd", O_WRONLY, 3);
	CU_ASSERT_EQUAL(with("- rule: r\n  exceptions:\n  - name: x\n    fields: [fd.name]\n"
			     "    values: [[/etc/passwd]]\n  override:\n    exceptions: append\n",
			     &t.ev, NULL, &rs),
			0);
	ruleset_free(rs);
	/* a later full definition replaces the rule */
	CU_ASSERT_EQUAL(with("- rule: r\n  desc: d2\n  condition: proc.name = vim and evt.type = "
			     "openat\n  output: o\n  priority: INFO\n",
			     &t.ev, &r, &rs),
			1);
	CU_ASSERT_STRING_EQUAL(rule_desc(r), "d2");
	CU_ASSERT_EQUAL(ruleset_nrules(rs), 1);
	ruleset_free(rs);
}

/* ---- rule matching, output, state ---- */

static const char *two_rules = "- rule: first\n  desc: d\n  condition: evt.type = execve\n"
			       "  output: first %proc.name\n  priority: info\n"
			       "- rule: second\n  desc: d\n  condition: proc.name = curl and "
			       "evt.type = execve\n"
			       "  output: \"second %proc.name ppid=%proc.ppid x=%fd.name "
			       "p=%proc.aname[1] f=%evt.arg.flags.\"\n"
			       "  priority: Informational\n";

static void test_matching_and_output(void)
{
	struct ruleset *rs;
	const char *first = NULL;
	const struct rule *r;
	struct osp_field_ctx ctx = {0};
	struct osp_fval v;
	char buf[256], small[12];
	struct tev t;

	exec_curl(&t);
	rs = tr_load(two_rules);
	CU_ASSERT_EQUAL(ruleset_nerrors(rs), 0);
	CU_ASSERT_EQUAL(tr_match(rs, &t.ev, &first), 1);
	CU_ASSERT_STRING_EQUAL(first, "first");
	r = ruleset_find(rs, "second");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(rule_output_render(rs, r, &ctx, &t.ev, buf, sizeof(buf)), 42);
	CU_ASSERT_STRING_EQUAL(buf, "second curl ppid=100 x=<NA> p=bash f=<NA>.");
	CU_ASSERT_EQUAL(rule_output_render(rs, r, &ctx, &t.ev, small, sizeof(small)), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(small, "second curl");
	CU_ASSERT_EQUAL(rule_output_nfields(r), 5);
	CU_ASSERT_STRING_EQUAL(rule_output_field_name(r, 3), "proc.aname[1]");
	CU_ASSERT_STRING_EQUAL(rule_output_field_name(r, 4), "evt.arg.flags");
	v.buf = buf;
	v.bufsz = sizeof(buf);
	CU_ASSERT_EQUAL(rule_output_field_get(r, 1, &ctx, &t.ev, &v), 1);
	CU_ASSERT_EQUAL(v.i, 100);
	CU_ASSERT_EQUAL(rule_output_field_get(r, 2, &ctx, &t.ev, &v), 0);
	CU_ASSERT_EQUAL(rule_priority(r), RULE_PRIO_INFORMATIONAL);
	CU_ASSERT_EQUAL(rule_evt_mask(r), OSP_ETM(OSP_ET_EXECVE));
	CU_ASSERT_EQUAL(ruleset_evt_mask(rs), OSP_ETM(OSP_ET_EXECVE));
	ruleset_free(rs);

	rs = tr_load_all(two_rules);
	CU_ASSERT_EQUAL(tr_match(rs, &t.ev, &first), 2);
	t.ev.syscall = OSP_ET_EXECVEAT; /* indexed under execve only */
	CU_ASSERT_EQUAL(tr_match(rs, &t.ev, &first), 0);
	ruleset_free(rs);
}

static void test_rule_state(void)
{
	struct ruleset *rs;
	const char *why = NULL;
	const struct rule *r;

	rs =
	    tr_load("- required_engine_version: 0.57.0\n"
		    "- required_plugin_versions:\n  - name: container\n    version: 0.4.0\n"
		    "  - name: k8saudit\n    version: 0.1.0\n"
		    "- rule: net\n  desc: d\n  condition: evt.type = connect and fd.sip = 1.2.3.4\n"
		    "  output: o %fd.sip\n  priority: NOTICE\n"
		    "- rule: env\n  desc: d\n  condition: evt.type = execve and "
		    "container.healthcheck contains X\n"
		    "  output: o\n  priority: NOTICE\n"
		    "- rule: audit\n  desc: d\n  condition: ka.verb = create\n  output: o\n"
		    "  priority: NOTICE\n  source: k8s_audit\n"
		    "- rule: skip\n  desc: d\n  condition: evt.type = execve and foo.bar = 1\n"
		    "  output: o\n  priority: DEBUG\n  skip-if-unknown-filter: true\n"
		    "- rule: all\n  desc: d\n  condition: proc.name = x\n  output: o\n"
		    "  priority: EMERGENCY\n"
		    "- rule: quiet\n  desc: d\n  condition: proc.name = x\n  output: o\n"
		    "  priority: alert\n  warn_evttypes: false\n");
	CU_ASSERT_EQUAL(ruleset_nerrors(rs), 0);
	CU_ASSERT_STRING_EQUAL(tr_error(rs), "");
	/* the k8saudit plugin and the unrestricted rule "all" are warnings */
	CU_ASSERT_EQUAL(ruleset_ndiag(rs), 2);
	r = ruleset_find(rs, "net");
	CU_ASSERT_FALSE(rule_active(r, &why));
	CU_ASSERT_STRING_EQUAL(why, "needs evt.type connect, not traced");
	r = ruleset_find(rs, "env");
	CU_ASSERT_FALSE(rule_active(r, &why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "needs container.healthcheck"));
	r = ruleset_find(rs, "audit");
	CU_ASSERT_FALSE(rule_active(r, &why));
	CU_ASSERT_STRING_EQUAL(why, "source 'k8s_audit' is not served (only syscall)");
	r = ruleset_find(rs, "skip");
	CU_ASSERT_FALSE(rule_active(r, &why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "skip-if-unknown-filter"));
	r = ruleset_find(rs, "all");
	CU_ASSERT_TRUE(rule_active(r, NULL));
	CU_ASSERT_EQUAL(rule_evt_mask(r), OSP_ETM_ALL);
	CU_ASSERT_EQUAL(rule_priority(r), RULE_PRIO_EMERGENCY);
	CU_ASSERT_EQUAL(rule_priority(ruleset_find(rs, "quiet")), RULE_PRIO_ALERT);
	ruleset_free(rs);
}

static void test_priorities(void)
{
	static const char *const names[] = {"EMERGENCY", "alert",	  "Critical",
					    "ERROR",	 "warning",	  "NOTICE",
					    "INFO",	 "INFORMATIONAL", "debug"};
	static const enum rule_priority want[] = {
	    RULE_PRIO_EMERGENCY,     RULE_PRIO_ALERT,	      RULE_PRIO_CRITICAL,
	    RULE_PRIO_ERROR,	     RULE_PRIO_WARNING,	      RULE_PRIO_NOTICE,
	    RULE_PRIO_INFORMATIONAL, RULE_PRIO_INFORMATIONAL, RULE_PRIO_DEBUG};
	int p;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		p = vocab_priority_parse(names[i], strlen(names[i]));
		CU_ASSERT(p >= 0);
		CU_ASSERT_EQUAL(p, (int)want[i]);
	}
	CU_ASSERT_EQUAL(vocab_priority_parse("LOUD", 4), -EINVAL);
	CU_ASSERT_STRING_EQUAL(vocab_priority_name(RULE_PRIO_WARNING), "Warning");
}

static void test_min_priority(void)
{
	struct ruleset_opts o = {.matching = RULE_MATCH_FIRST, .min_priority = RULE_PRIO_WARNING};
	struct ruleset *rs = NULL;
	const char *why = NULL;

	CU_ASSERT_EQUAL(ruleset_load_string("t.yaml", two_rules, strlen(two_rules), &o, &rs), 0);
	CU_ASSERT_FALSE(rule_active(ruleset_find(rs, "first"), &why));
	CU_ASSERT_STRING_EQUAL(why, "priority below the configured minimum");
	ruleset_free(rs);
}

OSP_SUITE(rules_eval)
{
	OSP_TEST(suite, test_compare_ops);
	OSP_TEST(suite, test_string_ops);
	OSP_TEST(suite, test_set_ops);
	OSP_TEST(suite, test_logic);
	OSP_TEST(suite, test_transformers_and_val);
	OSP_TEST(suite, test_fields_in_rules);
	OSP_TEST(suite, test_exceptions);
	OSP_TEST(suite, test_override);
	OSP_TEST(suite, test_matching_and_output);
	OSP_TEST(suite, test_rule_state);
	OSP_TEST(suite, test_priorities);
	OSP_TEST(suite, test_min_priority);
}
