/* Replay: JSON -> struct osp_event, per field class, and malformed input (clear error, no crash). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fieldtext.h"
#include "../common/suite.h"
#include "proc/proctable.h"
#include "replay/replay.h"

static struct replay *rp;

/* One context for the suite, as the rules-test runner uses one for a whole run: events replayed
 * one after another must not disturb each other. Freed by the last test. */
static void rp_need(void)
{
	if (!rp)
		rp = replay_new(1024);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rp);
}

static void test_zz_free(void)
{
	replay_free(rp);
	rp = NULL;
	replay_free(NULL);
	replay_event_free(NULL);
}

/* Replays json; returns the event or NULL (err filled). */
static struct replay_event *rj(const char *json, struct replay_err *err)
{
	struct replay_event *re = NULL;
	struct replay_err e;
	int r;

	rp_need();
	r = replay_json(rp, json, strlen(json), &re, err ? err : &e);

	return r ? NULL : re;
}

#define FV(re, name, want) CU_ASSERT_STRING_EQUAL(osp_test_field(&(re)->ctx, &(re)->ev, name), want)

static void test_exec_process_fields(void)
{
	struct replay_event *re =
	    rj("{\"evt.type\":\"execve\",\"proc.name\":\"curl\",\"proc.exepath\":\"/usr/bin/curl\","
	       "\"proc.cmdline\":\"curl -s http://x/y\",\"proc.pid\":4242,\"proc.tty\":34816,"
	       "\"proc.cwd\":\"/root\",\"proc.vpid\":7,\"proc.is_exe_upper_layer\":true,"
	       "\"proc.is_exe_writable\":true,\"user.uid\":1000,\"user.loginuid\":-1,"
	       "\"thread.cap_effective\":\"CAP_KILL "
	       "CAP_NET_RAW\",\"evt.arg.flags\":\"EXE_WRITABLE|EXE_UPPER_LAYER\"}",
	       NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	CU_ASSERT_EQUAL(re->ev.type, OSP_EV_EXEC);
	FV(re, "proc.name", "curl");
	FV(re, "proc.args", "-s http://x/y");
	FV(re, "proc.exe", "curl");
	FV(re, "proc.cmdnargs", "2");
	FV(re, "proc.pid", "4242");
	FV(re, "proc.tty", "34816");
	FV(re, "proc.cwd", "/root");
	FV(re, "proc.is_exe_upper_layer", "true");
	FV(re, "proc.is_exe_writable", "true");
	FV(re, "proc.is_exe_from_memfd", "false");
	FV(re, "user.uid", "1000");
	FV(re, "user.loginuid", "-1");
	FV(re, "thread.cap_effective", "CAP_KILL CAP_NET_RAW");
	FV(re, "proc.pname", "<NA>");
	replay_event_free(re);
}

static void test_argv_exact(void)
{
	struct replay_event *re =
	    rj("{\"evt.type\":\"execve\",\"proc.name\":\"sh\",\"proc.argv\":[\"/bin/sh\",\"-c\","
	       "\"echo a  b\"],\"proc.cmdnargs\":2,\"proc.cmdline\":\"sh -c echo a  b\"}",
	       NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	FV(re, "proc.exe", "/bin/sh");
	FV(re, "proc.cmdnargs", "2");
	CU_ASSERT_EQUAL(re->ev.proc->argc, 3);
	replay_event_free(re);
	/* without argv, proc.cmdnargs says where the last argument's spaces belong */
	re =
	    rj("{\"evt.type\":\"execve\",\"proc.name\":\"sh\",\"proc.cmdline\":\"sh -c rm -rf /x\","
	       "\"proc.cmdnargs\":2,\"proc.cmdlenargs\":11}",
	       NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	CU_ASSERT_EQUAL(re->ev.proc->argc, 3);
	replay_event_free(re);
}

static void test_ancestry_from_the_table(void)
{
	struct replay_event *re = rj(
	    "{\"evt.type\":\"execve\",\"proc.name\":\"bash\",\"proc.pid\":300,"
	    "\"proc.aname\":[\"runc\",\"containerd-shim\",\"systemd\"],\"proc.apid\":[200,100,1],"
	    "\"proc.aexepath\":[\"/usr/bin/runc\",\"/usr/bin/containerd-shim-runc-v2\","
	    "\"/usr/lib/systemd/systemd\"],\"proc.pcmdline\":\"runc exec -t x\"}",
	    NULL);
	const struct osp_proc *a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	FV(re, "proc.pname", "runc");
	FV(re, "proc.ppid", "200");
	FV(re, "proc.pcmdline", "runc exec -t x");
	FV(re, "proc.aname[2]", "containerd-shim");
	FV(re, "proc.aname[3]", "systemd");
	FV(re, "proc.aname[4]", "<NA>");
	FV(re, "proc.apid[3]", "1");
	FV(re, "proc.aexepath[2]", "/usr/bin/containerd-shim-runc-v2");
	/* the real process table answers */
	a = proctable_ancestor(re->ctx.pt, &re->ev, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->tgid, 100);
	CU_ASSERT_STRING_EQUAL(a->comm, "containerd-shim");
	CU_ASSERT_PTR_NULL(proctable_ancestor(re->ctx.pt, &re->ev, 4));
	replay_event_free(re);
	/* keyed form, as test cases write it */
	re = rj("{\"evt.type\":\"execve\",\"proc.name\":\"sh\",\"proc.aname[2]\":\"make\"}", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	FV(re, "proc.aname[1]", "<NA>");
	FV(re, "proc.aname[2]", "make");
	replay_event_free(re);
}

static void test_user_and_group_names(void)
{
	struct replay_event *a, *b;

	a = rj("{\"evt.type\":\"execve\",\"proc.name\":\"id\",\"user.uid\":1000,\"user.name\":"
	       "\"alice\",\"group.gid\":1000,\"group.name\":\"staff\",\"user.loginuid\":1000,"
	       "\"user.loginname\":\"alice\"}",
	       NULL);
	/* the same uid with another name (another container's /etc/passwd) */
	b = rj("{\"evt.type\":\"execve\",\"proc.name\":\"id\",\"user.uid\":1000,\"user.name\":"
	       "\"app\"}",
	       NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	FV(a, "user.name", "alice");
	FV(a, "group.name", "staff");
	FV(a, "user.loginname", "alice");
	FV(b, "user.name", "app");
	FV(b, "group.name", "<NA>");
	replay_event_free(a);
	replay_event_free(b);
}

static void test_open_fields(void)
{
	struct replay_event *re = rj(
	    "{\"evt.type\":\"openat\",\"proc.name\":\"cat\",\"fd.name\":\"/etc/shadow\","
	    "\"fd.realpath\":\"/etc/shadow\",\"fd.directory\":\"/etc\",\"fd.filename\":\"shadow\","
	    "\"evt.arg.flags\":\"O_RDONLY|O_CLOEXEC\",\"evt.is_open_read\":true,"
	    "\"evt.is_open_write\":false,\"fd.type\":\"file\",\"evt.failed\":false}",
	    NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	CU_ASSERT_EQUAL(re->ev.type, OSP_EV_OPEN);
	CU_ASSERT_EQUAL(re->ev.open.flags, O_RDONLY | O_CLOEXEC);
	FV(re, "fd.nameraw", "<NA>");
	FV(re, "evt.res", "SUCCESS");
	replay_event_free(re);
	/* flags from the booleans alone; a failed open */
	re = rj("{\"evt.type\":\"openat\",\"fd.name\":\"/var/log/x\",\"evt.is_open_write\":true,"
		"\"evt.is_open_create\":true,\"evt.res\":\"EACCES\"}",
		NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	CU_ASSERT_EQUAL(re->ev.open.flags, O_WRONLY | O_CREAT);
	FV(re, "evt.failed", "true");
	FV(re, "evt.rawres", "-13");
	FV(re, "fd.num", "-1");
	replay_event_free(re);
}

static void test_container_and_time(void)
{
	struct replay_event *re =
	    rj("{\"evt.type\":\"execve\",\"proc.name\":\"sh\",\"container.id\":\"3f1c2a9b8d7e\","
	       "\"container.type\":\"containerd\",\"container.image.repository\":\"nginx\","
	       "\"k8s.ns.name\":\"prod\",\"k8s.pod.labels\":{\"app\":\"web\"},"
	       "\"k8s.pod.labels[env]\":\"production\",\"container.privileged\":false,"
	       "\"evt.rawtime\":1795558869691527861,\"evt.num\":12,\"evt.hostname\":\"node1\","
	       "\"evt.time.iso8601\":\"2026-11-24T22:21:09.691527861Z\"}",
	       NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	FV(re, "container.id", "3f1c2a9b8d7e");
	FV(re, "container.type", "containerd");
	FV(re, "k8s.pod.labels[app]", "web");
	FV(re, "k8s.pod.label[env]", "production");
	FV(re, "k8s.pod.labels", "app:web, env:production");
	FV(re, "container.privileged", "false");
	FV(re, "evt.num", "12");
	FV(re, "evt.hostname", "node1");
	CU_ASSERT_EQUAL(re->ev.ts, 1795558869691527861ull); /* exact: beyond a double's 53 bits */
	replay_event_free(re);
	re = rj("{\"evt.type\":\"procexit\",\"proc.name\":\"sh\",\"container.id\":\"host\","
		"\"evt.arg.status\":256}",
		NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	FV(re, "container.name", "host");
	FV(re, "evt.arg.status", "256");
	replay_event_free(re);
}

/* Fails with a message that names key and contains word. */
static void bad(const char *json, const char *key, const char *word)
{
	struct replay_err err;
	struct replay_event *re = rj(json, &err);

	CU_ASSERT_PTR_NULL(re);
	replay_event_free(re);
	CU_ASSERT_STRING_EQUAL(err.key, key);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, word));
	if (strcmp(err.key, key) || !strstr(err.msg, word))
		fprintf(stderr, "\n  got key '%s' msg '%s'\n", err.key, err.msg);
}

/* head, n bytes of 'a', tail into buf */
static void big_value(char *buf, const char *head, size_t n, const char *tail)
{
	size_t h = strlen(head);

	memcpy(buf, head, h);
	memset(buf + h, 'a', n);
	memcpy(buf + h + n, tail, strlen(tail) + 1);
}

static void test_malformed(void)
{
	char *huge;
	size_t n = 100000;

	bad("{\"evt.type\":\"execve\"", "", "not JSON");
	bad("[1,2]", "", "JSON object");
	bad("{\"proc.name\":\"x\"}", "evt.type", "missing");
	bad("{\"evt.type\":\"connect\"}", "evt.type", "expected one of");
	bad("{\"evt.type\":\"execve\",\"proc.nme\":\"x\"}", "proc.nme", "unknown field");
	bad("{\"evt.type\":\"execve\",\"proc.pid\":\"12\"}", "proc.pid", "expected an integer");
	bad("{\"evt.type\":\"execve\",\"proc.pid\":1.5}", "proc.pid", "integer");
	bad("{\"evt.type\":\"execve\",\"proc.pid\":99999999999}", "proc.pid", "32 bits");
	bad("{\"evt.type\":\"execve\",\"proc.is_exe_upper_layer\":1}", "proc.is_exe_upper_layer",
	    "boolean");
	bad("{\"evt.type\":\"execve\",\"proc.aname\":\"bash\"}", "proc.aname", "a list");
	bad("{\"evt.type\":\"execve\",\"fd.name\":\"/etc/x\"}", "fd.name", "do not supply");
	bad("{\"evt.type\":\"execve\",\"fd.cip\":\"1.2.3.4\"}", "fd.cip", "no event");
	bad("{\"evt.type\":\"execve\",\"proc.name\":\"a-very-long-process-name\"}", "proc.name",
	    "15 characters");
	bad("{\"evt.type\":\"execve\",\"proc.name\":\"a\",\"proc.name\":\"b\"}", "proc.name",
	    "twice");
	bad("{\"evt.type\":\"execve\",\"proc.name\":\"cat\",\"proc.cmdline\":\"dog x\","
	    "\"proc.args\":\"x\"}",
	    "proc.cmdline", "does not follow");
	bad("{\"evt.type\":\"openat\",\"evt.arg.flags\":\"O_RDONLY|O_BOGUS\"}", "evt.arg.flags",
	    "O_BOGUS");
	bad("{\"evt.type\":\"execve\",\"proc.pid\":5,\"proc.apid\":[5]}", "proc.apid", "ancestor");
	bad("{\"evt.type\":\"execve\",\"user.name\":\"a:b\"}", "user.name", "valid");
	bad("{\"evt.type\":\"execve\",\"container.type\":\"lxc\",\"container.id\":\"abc\"}",
	    "container.type", "unknown");
	huge = malloc(n + 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(huge);
	big_value(huge, "{\"evt.type\":\"openat\",\"fd.name\":\"", n, "\"}");
	bad(huge, "fd.name", "longer than");
	big_value(huge, "{\"evt.type\":\"execve\",\"proc.argv\":[\"", n, "\"]}");
	bad(huge, "proc.argv", "longer than");
	free(huge);
}

static void test_key_types(void)
{
	CU_ASSERT_EQUAL(replay_key_type("proc.tty"), REPLAY_VT_INT);
	CU_ASSERT_EQUAL(replay_key_type("proc.start_time"), REPLAY_VT_INT);
	CU_ASSERT_EQUAL(replay_key_type("evt.failed"), REPLAY_VT_BOOL);
	CU_ASSERT_EQUAL(replay_key_type("proc.aname"), REPLAY_VT_LIST);
	CU_ASSERT_EQUAL(replay_key_type("proc.aname[2]"), REPLAY_VT_STRING);
	CU_ASSERT_EQUAL(replay_key_type("proc.argv"), REPLAY_VT_LIST);
	CU_ASSERT_EQUAL(replay_key_type("k8s.pod.labels"), REPLAY_VT_OBJECT);
	CU_ASSERT_EQUAL(replay_key_type("k8s.pod.labels[env]"), REPLAY_VT_STRING);
	CU_ASSERT_EQUAL(replay_key_type("container.image.tag"), REPLAY_VT_STRING);
	CU_ASSERT_EQUAL(replay_key_type("no.such"), REPLAY_VT_STRING);
}

/* Every line of the recorded capture replays, and comes back out as recorded. */
static void test_recorded_capture(void)
{
	FILE *f = fopen("tests/bench/events.jsonl", "re");
	char *line = NULL;
	size_t cap = 0, n = 0, fails = 0;
	ssize_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	rp_need();
	while ((len = getline(&line, &cap, f)) > 0 && n < 400) {
		struct replay_event *re = NULL;
		struct replay_err err;

		n++;
		if (replay_json(rp, line, (size_t)len, &re, &err)) {
			if (fails++ < 3)
				fprintf(stderr, "\n  events.jsonl:%zu: %s: %s\n", n, err.key,
					err.msg);
		}
		replay_event_free(re);
	}
	free(line);
	fclose(f);
	CU_ASSERT(n > 100);
	CU_ASSERT_EQUAL(fails, 0);
}

OSP_SUITE(replay)
{
	CU_pSuite s = suite;

	OSP_TEST(s, test_exec_process_fields);
	OSP_TEST(s, test_argv_exact);
	OSP_TEST(s, test_ancestry_from_the_table);
	OSP_TEST(s, test_user_and_group_names);
	OSP_TEST(s, test_open_fields);
	OSP_TEST(s, test_container_and_time);
	OSP_TEST(s, test_malformed);
	OSP_TEST(s, test_key_types);
	OSP_TEST(s, test_recorded_capture);
	OSP_TEST(s, test_zz_free);
}
