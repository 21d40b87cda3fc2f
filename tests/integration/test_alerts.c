/* Alerts end to end: `osprey run` with our default rules, real actions by real processes and real runc
 * containers, and the alerts it prints in Falco's schema. Then a quiet run over ordinary activity that
 * must raise nothing. */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/suite.h"
#include "lib/agent.h"
#include "utf8.h"

static const char *const rules_args[] = {"--rules", "rules/osprey_rules.yaml", NULL};

static struct it_agent attacks, quiet;
static int collected = -1;
static char shm_exe[64], cid_tty[65], cid_token[65], bad_link[64];
static pid_t pid_shadow, pid_memfd;
static int st_tty = -1, st_token = -1, st_quiet = -1;

static void random_id(char *id)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[32];
	int fd = open("/dev/urandom", O_RDONLY), i;

	if (fd < 0 || read(fd, raw, sizeof(raw)) != (ssize_t)sizeof(raw))
		memset(raw, 0x5a, sizeof(raw));
	if (fd >= 0)
		close(fd);
	for (i = 0; i < 32; i++) {
		id[2 * i] = hex[raw[i] >> 4];
		id[2 * i + 1] = hex[raw[i] & 15];
	}
	id[64] = '\0';
}

/* fileless execution: /bin/true copied into a memfd and executed from it */
static void memfd_child(void)
{
	int in = open("/bin/true", O_RDONLY), mfd = memfd_create("osprey-it", MFD_CLOEXEC);
	struct stat st;
	char *const argv[] = {"fileless", NULL}, *const envp[] = {NULL};

	if (in < 0 || mfd < 0 || fstat(in, &st) ||
	    sendfile(mfd, in, NULL, st.st_size) != st.st_size)
		_exit(1);
	fexecve(mfd, argv, envp);
	_exit(127);
}

/* Runs path as an orphan: re-parented to init before it execs, so that its ancestry is not this
 * test's (which, under `make test`, includes make: a build tool our rules exempt). Returns its pid
 * once it has exec'd and exited, or -1. */
static pid_t orphan_run(const char *path)
{
	int fds[2], st;
	pid_t mid, pid = -1;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	mid = fork();
	if (mid == 0) {
		pid_t g = fork();

		if (g == 0) {
			char *const argv[] = {(char *)path, NULL};
			pid_t parent = getppid();
			int i;

			for (i = 0; i < 5000 && getppid() == parent; i++)
				usleep(1000); /* until the middle process is gone */
			execv(path, argv);    /* the pipe's write end closes on exec */
			_exit(127);
		}
		if (write(fds[1], &g, sizeof(g)) != (ssize_t)sizeof(g))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	waitpid(mid, &st, 0);
	if (read(fds[0], &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
		pid = -1;
	for (st = 0; pid > 0 && st < 5000 && kill(pid, 0) == 0; st++)
		usleep(1000); /* exec'd, ran, and reaped by init */
	close(fds[0]);
	return pid;
}

/* runs the runc helper for a container in a Docker-style cgroup; returns its exit status */
static int in_container(const char *id, const char *env, int tty, const char *cmd)
{
	char line[1024];

	snprintf(line, sizeof(line),
		 "W=$(mktemp -d) && %s %s tests/integration/lib/runc-busybox.sh $W /docker/%s %s "
		 "</dev/null >/dev/null 2>&1; st=$?; rm -rf $W; exit $st",
		 env, tty ? "TERMINAL=1" : "", id, cmd);
	if (tty) { /* a real pty: script(1) runs the container on one */
		char wrapped[1200], *q;

		for (q = line; *q; q++)
			if (*q == '\'')
				*q = '"';
		snprintf(wrapped, sizeof(wrapped), "script -qec '%s' /dev/null >/dev/null", line);
		return it_sh(wrapped);
	}
	return it_sh(line);
}

static int collect(void)
{
	pid_t pid;

	if (collected >= 0)
		return collected;
	collected = 1;
	random_id(cid_tty);
	random_id(cid_token);
	snprintf(shm_exe, sizeof(shm_exe), "/dev/shm/osprey-it-%d", (int)getpid());

	if (it_agent_start_alerts(&attacks, rules_args))
		return 1;
	pid_shadow = it_run(NULL, (char *const[]){"/bin/cat", "/etc/shadow", NULL});
	/* the same read through a link whose name is not UTF-8 */
	snprintf(bad_link, sizeof(bad_link), "/tmp/osprey-it-\xff\xfe-%d", (int)getpid());
	if (symlink("/etc/shadow", bad_link) == 0) {
		it_run(NULL, (char *const[]){"/bin/cat", bad_link, NULL});
		unlink(bad_link);
	}
	if (it_sh("cp /bin/true /dev/shm/osprey-it-$PPID") == 0) /* $PPID: this process */
		orphan_run(shm_exe);
	pid = fork();
	if (pid == 0)
		memfd_child();
	waitpid(pid, NULL, 0);
	pid_memfd = pid;
	st_tty = in_container(cid_tty, "", 1, "sh -c 'exit 0'");
	st_token = in_container(
	    cid_token,
	    "SETUP='d=$R/var/run/secrets/kubernetes.io/serviceaccount && mkdir -p $d/..2026 && "
	    "echo tok > $d/..2026/token && ln -s ..2026 $d/..data && ln -s ..data/token $d/token'",
	    0, "sh -c 'cat /var/run/secrets/kubernetes.io/serviceaccount/token; true'");
	unlink(shm_exe);
	if (it_agent_stop(&attacks))
		return 1;

	/* ordinary activity: a build, shell loops, package queries, a container start */
	if (it_agent_start_alerts(&quiet, rules_args))
		return 1;
	st_quiet = it_sh(
	    "set -e; D=$(mktemp -d); cd $D; printf 'int main(void){return 0;}\\n' > hello.c; "
	    "printf 'check: hello\\n\\t./hello\\nhello: hello.c\\n\\tcc -O2 -o hello hello.c\\n' "
	    "> Makefile; make -s check; "
	    "for i in 1 2 3 4 5; do ls /etc >/dev/null; cat /etc/hosts >/dev/null; "
	    "grep -q root /etc/passwd; done; dpkg -l >/dev/null; apt-cache policy bash >/dev/null; "
	    "cd /; rm -rf $D");
	if (st_quiet == 0) {
		char id[65];

		random_id(id);
		st_quiet = in_container(id, "", 0, "ls /");
	}
	if (it_agent_stop(&quiet))
		return 1;
	collected = 0;
	return 0;
}

/* the first alert of rule whose output_fields[key] is the string value (key NULL: any) */
static const cJSON *alert_of(const struct it_agent *a, const char *rule, const char *key,
			     const char *value)
{
	const cJSON *al;

	cJSON_ArrayForEach(al, a->events)
	{
		const cJSON *f = cJSON_GetObjectItem(al, "output_fields");
		const char *r = it_str(al, "rule"), *v;

		if (!r || strcmp(r, rule))
			continue;
		if (key && (!(v = it_str(f, key)) || strcmp(v, value)))
			continue;
		return al;
	}
	fprintf(stderr, "\nno alert '%s' with %s=%s; the agent printed %d alerts:\n", rule,
		key ? key : "-", value ? value : "-", cJSON_GetArraySize(a->events));
	cJSON_ArrayForEach(al, a->events)
	{
		const cJSON *f = cJSON_GetObjectItem(al, "output_fields");

		fprintf(stderr, "  %s pid=%d exe=%s\n", it_str(al, "rule"),
			(int)it_num(f, "proc.pid"),
			it_str(f, "proc.exepath") ? it_str(f, "proc.exepath") : "-");
	}
	fprintf(stderr, "agent stderr (end): %s\n", a->err_tail);
	return NULL;
}

/* Falco's schema: every key a SIEM reads, with the right types */
static void expect_schema(const cJSON *al)
{
	const char *t = it_str(al, "time");

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(strlen(t), strlen("2026-11-24T21:53:57.592799336Z"));
	CU_ASSERT_EQUAL(t[strlen(t) - 1], 'Z');
	CU_ASSERT_PTR_NOT_NULL(it_str(al, "rule"));
	CU_ASSERT_PTR_NOT_NULL(it_str(al, "priority"));
	CU_ASSERT_STRING_EQUAL(it_str(al, "source"), "syscall");
	CU_ASSERT_PTR_NOT_NULL(it_str(al, "hostname"));
	CU_ASSERT_PTR_NOT_NULL(it_str(al, "output"));
	CU_ASSERT_TRUE(cJSON_IsArray(cJSON_GetObjectItem(al, "tags")));
	CU_ASSERT_TRUE(cJSON_IsObject(cJSON_GetObjectItem(al, "output_fields")));
	/* container fields are always there, null when unknown */
	CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(cJSON_GetObjectItem(al, "output_fields"),
						   "container.image.repository"));
}

static const cJSON *fields_of(const cJSON *al)
{
	return cJSON_GetObjectItem(al, "output_fields");
}

static void test_shadow_read_on_host(void)
{
	const cJSON *al;

	CU_ASSERT_FATAL(collect() == 0);
	al = alert_of(&attacks, "Credential file read by untrusted program", "fd.name",
		      "/etc/shadow");
	CU_ASSERT_PTR_NOT_NULL_FATAL(al);
	expect_schema(al);
	CU_ASSERT_STRING_EQUAL(it_str(al, "priority"), "Error");
	CU_ASSERT_STRING_EQUAL(it_str(fields_of(al), "proc.name"), "cat");
	CU_ASSERT_EQUAL(it_num(fields_of(al), "proc.pid"), pid_shadow);
	CU_ASSERT_STRING_EQUAL(it_str(fields_of(al), "container.id"), "host");
	CU_ASSERT_PTR_NOT_NULL(strstr(it_str(al, "output"), "/etc/shadow"));
}

static void test_non_utf8_link_to_shadow(void)
{
	const cJSON *al;
	char path[128], line[65536];
	FILE *f;
	int lines = 0, bad = 0;

	CU_ASSERT_FATAL(collect() == 0);
	/* the kernel's answer names the real file; the link's name is cleaned, never dropped */
	al = NULL;
	{
		const cJSON *a;

		cJSON_ArrayForEach(a, attacks.events)
		{
			const char *n = it_str(fields_of(a), "fd.name"), *r = it_str(a, "rule");

			if (n && r && !strncmp(n, "/tmp/osprey-it-", 15) &&
			    !strcmp(r, "Credential file read by untrusted program"))
				al = a;
		}
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(al);
	CU_ASSERT_STRING_EQUAL(it_str(fields_of(al), "fd.realpath"), "/etc/shadow");
	CU_ASSERT_PTR_NOT_NULL(strstr(it_str(fields_of(al), "fd.name"), "\xef\xbf\xbd"));
	/* every line the agent printed is valid UTF-8, so a strict JSON parser takes it */
	snprintf(path, sizeof(path), "%s/events.json", attacks.dir);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f)) {
		char scratch[8];

		lines++;
		bad += osp_utf8_clean(line, strlen(line), scratch, sizeof(scratch)) != line;
	}
	fclose(f);
	CU_ASSERT(lines > 0);
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_exec_from_dev_shm(void)
{
	const cJSON *al;

	CU_ASSERT_FATAL(collect() == 0);
	al = alert_of(&attacks, "Program executed from a world-writable directory", "proc.exepath",
		      shm_exe);
	CU_ASSERT_PTR_NOT_NULL_FATAL(al);
	expect_schema(al);
}

static void test_memfd_exec(void)
{
	const cJSON *al;

	CU_ASSERT_FATAL(collect() == 0);
	/* this test's process, by its pid: not the first such alert (runc can fall back to a memfd
	 * copy of itself on container start) */
	al = NULL;
	{
		const cJSON *a;

		cJSON_ArrayForEach(a, attacks.events)
		{
			const char *r = it_str(a, "rule");

			if (r && !strcmp(r, "Program executed from memory") &&
			    (int)it_num(fields_of(a), "proc.pid") == (int)pid_memfd)
				al = a;
		}
	}
	if (!al)
		alert_of(&attacks, "Program executed from memory", NULL,
			 NULL); /* lists what came */
	CU_ASSERT_PTR_NOT_NULL_FATAL(al);
	expect_schema(al);
	/* the memfd's own name, as d_path gives it, not "/" */
	CU_ASSERT_PTR_NOT_NULL(strstr(it_str(al, "output"), "memfd:osprey-it"));
}

static void test_terminal_shell_in_container(void)
{
	const cJSON *al;
	char id12[13];

	CU_ASSERT_FATAL(collect() == 0);
	CU_ASSERT_EQUAL_FATAL(st_tty, 0);
	memcpy(id12, cid_tty, 12);
	id12[12] = '\0';
	al = alert_of(&attacks, "Interactive shell in container", "container.id", id12);
	CU_ASSERT_PTR_NOT_NULL_FATAL(al);
	expect_schema(al);
}

static void test_token_read_in_container(void)
{
	const cJSON *al;
	char id12[13];

	CU_ASSERT_FATAL(collect() == 0);
	CU_ASSERT_EQUAL_FATAL(st_token, 0);
	memcpy(id12, cid_token, 12);
	id12[12] = '\0';
	al = alert_of(&attacks, "Kubernetes secret read by unexpected process", "container.id",
		      id12);
	CU_ASSERT_PTR_NOT_NULL_FATAL(al);
	expect_schema(al);
	CU_ASSERT_STRING_EQUAL(it_str(fields_of(al), "fd.name"),
			       "/var/run/secrets/kubernetes.io/serviceaccount/token");
}

static void test_quiet_on_ordinary_activity(void)
{
	const cJSON *al;

	CU_ASSERT_FATAL(collect() == 0);
	CU_ASSERT_EQUAL_FATAL(st_quiet, 0);
	cJSON_ArrayForEach(al, quiet.events)
	{
		char *txt = cJSON_PrintUnformatted(al);

		fprintf(stderr, "\nunexpected alert: %s\n", txt);
		free(txt);
	}
	CU_ASSERT_EQUAL(cJSON_GetArraySize(quiet.events), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(quiet.err_tail, "ringbuf_full=0 "));
}

OSP_SUITE(alerts)
{
	OSP_TEST(suite, test_shadow_read_on_host);
	OSP_TEST(suite, test_non_utf8_link_to_shadow);
	OSP_TEST(suite, test_exec_from_dev_shm);
	OSP_TEST(suite, test_memfd_exec);
	OSP_TEST(suite, test_terminal_shell_in_container);
	OSP_TEST(suite, test_token_read_in_container);
	OSP_TEST(suite, test_quiet_on_ordinary_activity);
}
