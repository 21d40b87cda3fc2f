/* The field table: order and lookup, argument forms, extraction from real events (ancestry through the
 * real process table), formatting and `osprey fields` output. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/fieldtext.h"
#include "../common/suite.h"
#include "test_rules_helpers.h"
#include "container/container.h"
#include "fields/fields.h"
#include "proc/proctable.h"

#define EQ(name, want) CU_ASSERT_STRING_EQUAL(osp_test_field(&ctx, &t.ev, name), want)

static void test_table_sorted(void)
{
	size_t n = fields_count(), i;

	CU_ASSERT_TRUE(n > 100);
	CU_ASSERT_PTR_NULL(fields_at(n));
	for (i = 0; i < n; i++) {
		const struct osp_field *f = fields_at(i);

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_PTR_NOT_NULL(f->get);
		CU_ASSERT_PTR_NOT_NULL(f->desc);
		CU_ASSERT_PTR_EQUAL(fields_lookup(f->name, strlen(f->name)), f);
		if (i && strcmp(fields_at(i - 1)->name, f->name) >= 0) {
			fprintf(stderr, "field table out of order: %s >= %s\n",
				fields_at(i - 1)->name, f->name);
			CU_FAIL("field table out of order");
		}
	}
	CU_ASSERT_PTR_NULL(fields_lookup("proc.nam", 8));
	CU_ASSERT_PTR_NULL(fields_lookup("proc.namex", 10));
	CU_ASSERT_PTR_NOT_NULL(fields_lookup("proc.namex", 9));
}

/* A field some traced event supplies says what replay does with a recorded value of it (the round
 * trip in test_replay.c checks that what it says is true); --events either writes it or says why not
 * (a flag). A new descriptor that forgets either fails here. */
static void test_every_supplied_field_declares_replay(void)
{
	size_t n = fields_count(), i;

	for (i = 0; i < n; i++) {
		const struct osp_field *f = fields_at(i);
		bool supplied = f->supplied_by || f->supplied_arg;

		if (supplied && f->part == OSP_PART_NONE) {
			fprintf(stderr,
				"field %s: no replay part (SETS, SETS_FLAG, CHECKED or IGNORED)\n",
				f->name);
			CU_FAIL("a supplied field without a replay part");
		}
		if (!supplied && f->part != OSP_PART_NONE) {
			fprintf(stderr,
				"field %s: a replay part, but no traced event supplies it\n",
				f->name);
			CU_FAIL("an unsupplied field with a replay part");
		}
		if (f->part == OSP_PART_PROC_FLAG && (f->type != OSP_FT_BOOL || !f->part_bit)) {
			fprintf(stderr, "field %s: SETS_FLAG needs a boolean and a bit\n", f->name);
			CU_FAIL("SETS_FLAG on a field that is no flag");
		}
		if (f->part >= OSP_PART_COUNT)
			CU_FAIL("replay part out of range");
	}
}

static void test_resolve(void)
{
	struct osp_farg a;
	const char *why = NULL;
	const struct osp_field *f;

	f = fields_resolve("evt.arg.flags", 13, NULL, 0, &a, &why);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_STRING_EQUAL(f->name, "evt.arg");
	CU_ASSERT_TRUE(a.has && !a.is_index && a.keylen == 5 && !memcmp(a.key, "flags", 5));
	f = fields_resolve("evt.arg", 7, "flags", 5, &a, &why);
	CU_ASSERT_TRUE(f && a.has && a.keylen == 5);
	f = fields_resolve("proc.aname", 10, "2", 1, &a, &why);
	CU_ASSERT_TRUE(f && a.is_index && a.idx == 2);
	f = fields_resolve("proc.aname", 10, NULL, 0, &a, &why);
	CU_ASSERT_TRUE(f && !a.has);
	f = fields_resolve("container.label", 15, "app.kubernetes.io/name", 22, &a, &why);
	CU_ASSERT_TRUE(f && a.key && a.keylen == 22);
	CU_ASSERT_PTR_NULL(fields_resolve("proc.name", 9, "1", 1, &a, &why));
	CU_ASSERT_STRING_EQUAL(why, "field takes no argument");
	CU_ASSERT_PTR_NULL(fields_resolve("proc.aname", 10, "x", 1, &a, &why));
	CU_ASSERT_STRING_EQUAL(why, "field argument must be a number");
	CU_ASSERT_PTR_NULL(fields_resolve("k8s.pod.label", 13, NULL, 0, &a, &why));
	CU_ASSERT_STRING_EQUAL(why, "field needs an argument");
	CU_ASSERT_PTR_NULL(fields_resolve("proc.name.x", 11, NULL, 0, &a, &why));
	CU_ASSERT_STRING_EQUAL(why, "unknown field");
	/* what we cannot supply is known, with no supplying event type */
	f = fields_lookup("fd.sip", 6);
	CU_ASSERT_TRUE(f && fields_supplied(f, NULL) == 0);
	f = fields_resolve("evt.arg.uid", 11, NULL, 0, &a, &why);
	CU_ASSERT_EQUAL(fields_supplied(f, &a), OSP_ETM_EXEC | OSP_ETM_FORK);
	f = fields_resolve("evt.arg.request", 15, NULL, 0, &a, &why);
	CU_ASSERT_EQUAL(fields_supplied(f, &a), 0);
}

static void test_exec_fields(void)
{
	static const char *const argv[] = {"curl", "-s", "http://x/y", NULL};
	struct osp_field_ctx ctx = {.hostname = "node-1", .evt_num = 42};
	struct tev t;

	tev_exec(&t, "curl", "/usr/bin/curl", argv);
	t.proc.flags = OSP_F_EXE_UPPER;
	t.proc.cap_effective = (1ull << 21) | 1; /* CAP_SYS_ADMIN, CAP_CHOWN */
	EQ("evt.type", "execve");
	EQ("evt.dir", "<");
	EQ("evt.res", "SUCCESS");
	EQ("evt.rawres", "0");
	EQ("evt.failed", "false");
	EQ("evt.category", "process");
	EQ("evt.source", "syscall");
	EQ("evt.hostname", "node-1");
	EQ("evt.num", "42");
	EQ("evt.rawtime", "1700000000123456789");
	EQ("evt.time.iso8601", "2023-11-14T22:13:20.123456789Z");
	EQ("evt.arg.flags", "EXE_UPPER_LAYER");
	EQ("evt.arg[filename]", "/usr/bin/curl");
	EQ("evt.arg.name", "<NA>");
	EQ("proc.name", "curl");
	EQ("proc.exe", "curl");
	EQ("proc.exepath", "/usr/bin/curl");
	EQ("proc.args", "-s http://x/y");
	EQ("proc.cmdline", "curl -s http://x/y");
	EQ("proc.cmdnargs", "2");
	EQ("proc.cwd", "/home/user");
	EQ("proc.pid", "200");
	EQ("proc.ppid", "100");
	EQ("proc.vpid", "200");
	EQ("proc.tty", "34816");
	EQ("proc.sid", "100");
	EQ("proc.is_exe_upper_layer", "true");
	EQ("proc.is_exe_from_memfd", "false");
	EQ("proc.is_vpgid_leader", "true");
	EQ("proc.duration", "1000000000");
	EQ("proc.pname", "bash");
	EQ("proc.pexe", "-bash");
	EQ("proc.pexepath", "/usr/bin/bash");
	EQ("proc.pcmdline", "bash");
	EQ("proc.aname[0]", "curl");
	EQ("proc.aname[1]", "bash");
	EQ("proc.aname[2]", "<NA>"); /* no process table in ctx */
	EQ("proc.sname", "bash");
	EQ("thread.cap_effective", "CAP_CHOWN CAP_SYS_ADMIN");
	EQ("user.uid", "1000");
	EQ("user.loginuid", "1000");
	EQ("user.name", "<NA>"); /* needs the process table */
	EQ("group.gid", "1000");
	EQ("fd.name", "<NA>");
	EQ("proc.env", "<NA>"); /* no environment captured for this exec */
	{
		static const char env[] = "PATH=/bin\0GLIBC_TUNABLES=glibc.malloc.check=2\0EMPTY=";

		t.ev.exec_env.p = env;
		t.ev.exec_env.len = sizeof(env); /* the final NUL included */
		EQ("proc.env", "PATH=/bin GLIBC_TUNABLES=glibc.malloc.check=2 EMPTY=");
		EQ("proc.env[GLIBC_TUNABLES]", "glibc.malloc.check=2");
		EQ("proc.env[PATH]", "/bin");
		EQ("proc.env[PAT]", "<NA>"); /* a prefix of a name is not the name */
		EQ("proc.env[EMPTY]", "");
		EQ("proc.env[NOPE]", "<NA>");
		t.ev.exec_env.p = NULL;
		t.ev.exec_env.len = 0;
	}
	EQ("container.id", "<NA>"); /* not resolved yet */
	t.proc.loginuid = UINT32_MAX;
	EQ("user.loginuid", "-1");
	t.ev.syscall = OSP_ET_EXECVEAT;
	EQ("evt.type", "execveat");
}

static void test_open_fields(void)
{
	struct osp_field_ctx ctx = {0};
	struct tev t;

	tev_open(&t, "cat", "/etc/ssh/sshd_config", O_RDONLY | O_CLOEXEC, 3);
	EQ("evt.type", "openat");
	EQ("evt.category", "file");
	EQ("fd.num", "3");
	EQ("fd.name", "/etc/ssh/sshd_config");
	EQ("fd.directory", "/etc/ssh");
	EQ("fd.filename", "sshd_config");
	EQ("fd.type", "file");
	EQ("fd.typechar", "f");
	EQ("fd.realpath", "/etc/ssh/sshd_config");
	EQ("fd.ino", "1234");
	EQ("evt.is_open_read", "true");
	EQ("evt.is_open_write", "false");
	EQ("evt.is_open_create", "false");
	EQ("evt.arg.flags", "O_RDONLY|O_CLOEXEC");
	EQ("evt.arg.name", "/etc/ssh/sshd_config");
	EQ("evt.arg.mode", "0644");
	EQ("evt.arg.fd", "3");
	EQ("evt.arg.dirfd", "-100");
	EQ("evt.rawarg.flags", "524288");
	EQ("evt.evt.type", "ERR unknown field");
	tev_open(&t, "sh", "/x", O_WRONLY | O_CREAT | O_TRUNC, -13);
	EQ("evt.res", "EACCES");
	EQ("evt.rawres", "-13");
	EQ("evt.failed", "true");
	EQ("fd.num", "-1");
	EQ("fd.directory", "/");
	EQ("fd.filename", "x");
	EQ("fd.realpath", "<NA>");
	EQ("evt.is_open_create", "true");
	EQ("evt.is_open_exec", "false");
	t.ev.open.mode = 0755;
	EQ("evt.is_open_exec", "true");
	t.ev.open.flags = O_RDONLY | O_DIRECTORY;
	EQ("fd.typechar", "d");
	EQ("fd.type", "directory");
	t.ev.syscall = OSP_ET_CREAT;
	EQ("evt.type", "creat");
}

static void test_container_fields(void)
{
	struct osp_field_ctx ctx = {0};
	struct tev t;

	tev_exec(&t, "sh", "/bin/sh", NULL);
	tev_container(&t);
	EQ("container.id", "0123456789ab");
	EQ("container.full_id", "0123456789ab0123456789ab0123456789ab0123456789ab0123456789abcdef");
	EQ("container.name", "web-1");
	EQ("container.image", "docker.io/library/nginx:1.25");
	EQ("container.image.repository", "docker.io/library/nginx");
	EQ("container.image.tag", "1.25");
	EQ("container.image.digest", "<NA>");
	EQ("container.type", "docker");
	EQ("container.privileged", "true");
	EQ("container.label[app]", "web");
	EQ("container.labels", "app:web");
	EQ("k8s.pod.name", "web-pod");
	EQ("k8s.pod.uid", "1111-2222");
	EQ("k8s.ns.name", "prod");
	EQ("k8s.pod.label[team]", "a");
	EQ("k8s.pod.labels[tier]", "front");
	EQ("k8s.pod.labels", "tier:front, team:a");
	EQ("container.mount.dest[/proc]", "<NA>"); /* no mounts */
	{
		struct osp_mount m[2] = {
		    {.source = "/proc",
		     .dest = "/host/proc",
		     .mode = "",
		     .rdwr = false,
		     .propagation = "rprivate"},
		    {.source = "/var/run/docker.sock",
		     .dest = "/var/run/docker.sock",
		     .mode = "z",
		     .rdwr = true,
		     .propagation = ""},
		};

		t.ct.mounts = m;
		t.ct.nmounts = 2;
		/* [X]: a glob on the source (Falco's sensitive_mount), or an index */
		EQ("container.mount.dest[/proc*]", "/host/proc");
		EQ("container.mount.dest[/var/run/docker.sock]", "/var/run/docker.sock");
		EQ("container.mount.dest[/etc*]", "<NA>");
		EQ("container.mount.rdwr[1]", "true");
		EQ("container.mount.rdwr[/proc]", "false");
		EQ("container.mount.propagation[0]", "rprivate");
		EQ("container.mount.source[/host/*]", "/proc"); /* [X] on the destination */
		EQ("container.mount[0]", "/proc:/host/proc::false:rprivate");
		EQ("container.mounts", "/proc:/host/proc::false:rprivate,/var/run/docker.sock:/var/"
				       "run/docker.sock:z:true:");
		t.ct.mounts = NULL;
		t.ct.nmounts = 0;
	}
	t.ct.runtime = OSP_RT_HOST;
	EQ("container.id", "host");
	EQ("container.name", "host");
	EQ("container.type", "host");
	t.ct.privileged = -1;
	EQ("container.privileged", "<NA>");
}

/* Ancestry and names through the real process table, fed exec events as the event loop does. */
static void test_ancestry_proctable(void)
{
	static const char *const init_argv[] = {"/sbin/init", NULL};
	static const char *const sh_argv[] = {"sh", "-c", "x", NULL};
	static const char *const curl_argv[] = {"curl", NULL};
	char root[] = "/tmp/osprey-fields-XXXXXX", procdir[64];
	struct proctable *pt;
	struct osp_field_ctx ctx = {0};
	struct tev init, sh, t;

	/* an empty root: processes the events do not describe are unknown */
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
	snprintf(procdir, sizeof(procdir), "%s/proc", root);
	CU_ASSERT_EQUAL_FATAL(mkdir(procdir, 0755), 0);
	pt = proctable_new(64, root);
	ctx.pt = pt;
	CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
	tev_exec(&init, "systemd", "/usr/lib/systemd/systemd", init_argv);
	init.proc.tgid = init.ev.tgid = init.ev.pid = 1;
	init.proc.ppid = 0;
	init.proc.start_time = 100;
	init.proc.parent_start_time = 0;
	init.ev.parent = NULL;
	proctable_apply(pt, &init.ev);

	tev_exec(&sh, "sh", "/bin/sh", sh_argv);
	sh.proc.tgid = sh.ev.tgid = sh.ev.pid = 100;
	sh.proc.ppid = 1;
	sh.proc.start_time = 1000000000ull;
	sh.proc.parent_start_time = 100;
	sh.ev.parent = NULL;
	proctable_apply(pt, &sh.ev);

	tev_exec(&t, "curl", "/usr/bin/curl", curl_argv);
	t.ev.parent = NULL;
	proctable_apply(pt, &t.ev);

	EQ("proc.pname", "sh");
	EQ("proc.aname[1]", "sh");
	EQ("proc.aname[2]", "systemd");
	EQ("proc.apid[2]", "1");
	EQ("proc.aexepath[2]", "/usr/lib/systemd/systemd");
	EQ("proc.acmdline[1]", "sh -c x");
	EQ("proc.aname[3]", "<NA>");
	EQ("proc.aname", "sh"); /* without index: the first ancestor; rules see every one */
	proctable_free(pt);
	rmdir(procdir);
	rmdir(root);
}

static void test_format_and_print(void)
{
	struct osp_fval v = {.type = OSP_FT_INT64, .i = -5};
	char buf[64], *out = NULL;
	size_t len = 0;
	FILE *f;

	CU_ASSERT_EQUAL(fields_format(&v, buf, sizeof(buf)), 2);
	CU_ASSERT_STRING_EQUAL(buf, "-5");
	v.type = OSP_FT_BOOL;
	v.i = 1;
	fields_format(&v, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "true");
	CU_ASSERT_EQUAL(fields_format(NULL, buf, sizeof(buf)), 4);
	CU_ASSERT_STRING_EQUAL(buf, "<NA>");
	CU_ASSERT_STRING_EQUAL(fields_type_name(OSP_FT_PATH), "path");

	f = open_memstream(&out, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fields_print(f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "proc fields\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  proc.aname[N] "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  evt.arg[KEY] "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  fd.realpath "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "[no traced event]"));
	free(out);
}

OSP_SUITE(fields)
{
	OSP_TEST(suite, test_table_sorted);
	OSP_TEST(suite, test_every_supplied_field_declares_replay);
	OSP_TEST(suite, test_resolve);
	OSP_TEST(suite, test_exec_fields);
	OSP_TEST(suite, test_open_fields);
	OSP_TEST(suite, test_container_fields);
	OSP_TEST(suite, test_ancestry_proctable);
	OSP_TEST(suite, test_format_and_print);
}
