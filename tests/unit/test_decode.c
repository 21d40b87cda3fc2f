/* Decoding of kernel records: field mapping, path rebuilding, and refusal of malformed records. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/suite.h"
#include "decode.h"

static struct osp_decoder dec;

static void test_exec_record(void)
{
	struct osp_exec_event *e = calloc(1, sizeof(*e));
	struct osp_event ev;
	static const char args[] = "ls\0-l\0/tmp";

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	osp_decoder_init(&dec);
	e->hdr.type = OSP_EV_EXEC;
	e->hdr.size = sizeof(*e);
	e->hdr.tgid = 42;
	e->hdr.pid = 42;
	e->hdr.start_time = 777;
	e->ppid = 1;
	e->euid = 1000;
	e->syscall = OSP_SC_EXECVEAT;
	e->flags = OSP_F_EXE_UPPER | OSP_F_ARGS_TRUNC;
	memcpy(e->comm, "ls", 3);
	memcpy(e->exe, "ls\0bin\0usr\0", 11);
	e->exe_len = 11;
	e->cwd_len = 0; /* the root */
	memcpy(e->filename, "/bin/ls", 8);
	e->filename_len = 8;
	memcpy(e->args, args, sizeof(args) - 1); /* last argument cut: no NUL */
	e->args_len = sizeof(args) - 1;
	memcpy(e->cgroup, "abc\0docker\0", 11);
	e->cgroup_len = 11;

	CU_ASSERT_EQUAL_FATAL(osp_decode(&dec, e, sizeof(*e), &ev), 0);
	CU_ASSERT_EQUAL(ev.type, OSP_EV_EXEC);
	CU_ASSERT_STRING_EQUAL(osp_event_type_name(&ev), "execveat");
	CU_ASSERT_EQUAL(ev.proc->tgid, 42);
	CU_ASSERT_EQUAL(ev.proc->start_time, 777);
	CU_ASSERT_EQUAL(ev.proc->euid, 1000);
	CU_ASSERT_STRING_EQUAL(ev.proc->exepath.p, "/usr/bin/ls");
	CU_ASSERT_EQUAL(ev.proc->exepath.len, 11);
	CU_ASSERT_STRING_EQUAL(ev.proc->cwd.p, "/");
	CU_ASSERT_STRING_EQUAL(ev.proc->filename.p, "/bin/ls");
	CU_ASSERT_STRING_EQUAL(ev.proc->cgroup.p, "/docker/abc");
	CU_ASSERT_STRING_EQUAL(ev.proc->comm, "ls");
	CU_ASSERT_EQUAL(ev.proc->argc, 3);
	CU_ASSERT_EQUAL(memcmp(ev.proc->args.p, "ls\0-l\0/tmp\0", 11), 0);
	CU_ASSERT_TRUE(ev.proc->flags & OSP_F_EXE_UPPER);
	CU_ASSERT_TRUE(ev.flags & OSP_F_ARGS_TRUNC);
	free(e);
}

/* builds an open record with raw path, optional file and base component lists */
static size_t make_open(struct osp_open_event *e, const char *raw, const char *file, size_t flen,
			const char *base, size_t blen, long ret)
{
	size_t rl = strlen(raw) + 1;

	memset(e, 0, sizeof(*e));
	e->hdr.type = OSP_EV_OPEN;
	e->hdr.tgid = 7;
	e->syscall = OSP_SC_OPENAT;
	e->ret = ret;
	e->raw_len = (uint16_t)rl;
	memcpy(e->data, raw, rl);
	if (file) {
		memcpy(e->data + rl, file, flen);
		e->path_len = (uint16_t)flen;
		e->flags |= OSP_F_PATH_IS_FILE;
	}
	if (base) {
		memcpy(e->data + rl + flen, base, blen);
		e->base_len = (uint16_t)blen;
	}
	e->hdr.size = OSP_OPEN_FIXED_SIZE + (uint32_t)(rl + flen + blen);
	return e->hdr.size;
}

static void test_open_records(void)
{
	static struct osp_open_event e;
	struct osp_event ev;
	size_t n;

	osp_decoder_init(&dec);
	/* a relative symlink opened from /home/u: name is textual, realpath is the kernel's */
	n = make_open(&e, "lnk", "target\0etc\0", 11, "u\0home\0", 7, 3);
	CU_ASSERT_EQUAL_FATAL(osp_decode(&dec, &e, n, &ev), 0);
	CU_ASSERT_STRING_EQUAL(osp_event_type_name(&ev), "openat");
	CU_ASSERT_STRING_EQUAL(ev.open.nameraw.p, "lnk");
	CU_ASSERT_STRING_EQUAL(ev.open.name.p, "/home/u/lnk");
	CU_ASSERT_STRING_EQUAL(ev.open.realpath.p, "/etc/target");
	CU_ASSERT_EQUAL(ev.open.res, 3);

	/* a failed relative open: base only, no realpath */
	n = make_open(&e, "../x/./y", NULL, 0, "u\0home\0", 7, -ENOENT);
	CU_ASSERT_EQUAL_FATAL(osp_decode(&dec, &e, n, &ev), 0);
	CU_ASSERT_STRING_EQUAL(ev.open.name.p, "/home/x/y");
	CU_ASSERT_PTR_NULL(ev.open.realpath.p);
	CU_ASSERT_EQUAL(ev.open.res, -ENOENT);

	/* absolute path: no base needed */
	n = make_open(&e, "/var/run/secrets/t", "t\0secrets\0run\0", 14, NULL, 0, 4);
	CU_ASSERT_EQUAL_FATAL(osp_decode(&dec, &e, n, &ev), 0);
	CU_ASSERT_STRING_EQUAL(ev.open.name.p, "/var/run/secrets/t");
	CU_ASSERT_STRING_EQUAL(ev.open.realpath.p, "/run/secrets/t");
}

/* Files on a detached mount (runc's cloned binary): named inside their filesystem, marked, never
 * passing for an absolute path */
static void test_detached_paths(void)
{
	static struct osp_open_event e;
	struct osp_exec_event *x = calloc(1, sizeof(*x));
	struct osp_event ev;
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	osp_decoder_init(&dec);
	x->hdr.type = OSP_EV_EXEC;
	x->hdr.size = sizeof(*x);
	x->flags = OSP_F_EXE_DETACHED;
	memcpy(x->exe, "runc\0sbin\0usr\0", 15);
	x->exe_len = 15;
	CU_ASSERT_EQUAL_FATAL(osp_decode(&dec, x, sizeof(*x), &ev), 0);
	CU_ASSERT_STRING_EQUAL(ev.proc->exepath.p, "(detached)/usr/sbin/runc");
	CU_ASSERT_EQUAL(ev.proc->exepath.len, strlen("(detached)/usr/sbin/runc"));
	CU_ASSERT_TRUE(ev.proc->flags & OSP_F_EXE_DETACHED);
	CU_ASSERT_STRING_EQUAL(ev.proc->cwd.p, "/"); /* its cwd was not detached */
	free(x);

	/* the opened file on a detached mount; fd.name stays the text as passed */
	n = make_open(&e, "/proc/self/fd/6", "runc\0sbin\0usr\0", 15, NULL, 0, 3);
	e.flags |= OSP_F_PATH_DETACHED;
	CU_ASSERT_EQUAL_FATAL(osp_decode(&dec, &e, n, &ev), 0);
	CU_ASSERT_STRING_EQUAL(ev.open.realpath.p, "(detached)/usr/sbin/runc");
	CU_ASSERT_STRING_EQUAL(ev.open.name.p, "/proc/self/fd/6");

	/* a relative path below a detached cwd */
	n = make_open(&e, "../x", NULL, 0, "b\0a\0", 5, -ENOENT);
	e.flags |= OSP_F_BASE_DETACHED;
	CU_ASSERT_EQUAL_FATAL(osp_decode(&dec, &e, n, &ev), 0);
	CU_ASSERT_STRING_EQUAL(ev.open.name.p, "(detached)/a/x");
}

static void test_malformed_records(void)
{
	static struct osp_open_event e;
	struct osp_event ev;
	struct osp_hdr h = {.type = 99, .size = sizeof(h)};
	size_t n;

	osp_decoder_init(&dec);
	CU_ASSERT_EQUAL(osp_decode(&dec, &h, sizeof(h), &ev), -EINVAL); /* unknown type */
	CU_ASSERT_EQUAL(osp_decode(&dec, &h, 4, &ev), -EINVAL);		/* shorter than a header */
	h.type = OSP_EV_EXEC;
	CU_ASSERT_EQUAL(osp_decode(&dec, &h, sizeof(h), &ev), -EINVAL); /* exec cut short */
	h.type = OSP_EV_FORK;
	CU_ASSERT_EQUAL(osp_decode(&dec, &h, sizeof(h), &ev), -EINVAL);
	/* lengths that point past the record */
	n = make_open(&e, "/etc/passwd", NULL, 0, NULL, 0, 3);
	e.path_len = 4000;
	CU_ASSERT_EQUAL(osp_decode(&dec, &e, n, &ev), -EINVAL);
	n = make_open(&e, "/etc/passwd", NULL, 0, NULL, 0, 3);
	e.raw_len = 0;
	CU_ASSERT_EQUAL(osp_decode(&dec, &e, n, &ev), -EINVAL);
	/* size field larger than what arrived */
	n = make_open(&e, "/etc/passwd", NULL, 0, NULL, 0, 3);
	CU_ASSERT_EQUAL(osp_decode(&dec, &e, n - 1, &ev), -EINVAL);
	CU_ASSERT_EQUAL(dec.stats.malformed, 7);
	CU_ASSERT_EQUAL(dec.stats.decoded, 0);
}

static void test_fork_exit_records(void)
{
	struct osp_fork_event f = {.hdr = {.type = OSP_EV_FORK, .size = sizeof(f), .tgid = 10},
				   .ppid = 9,
				   .syscall = OSP_SC_VFORK,
				   .comm = "sh"};
	struct osp_exit_event x = {.hdr = {.type = OSP_EV_EXIT, .size = sizeof(x), .tgid = 10},
				   .exit_code = 256,
				   .comm = "sh"};
	struct osp_event ev;

	osp_decoder_init(&dec);
	CU_ASSERT_EQUAL_FATAL(osp_decode(&dec, &f, sizeof(f), &ev), 0);
	CU_ASSERT_STRING_EQUAL(osp_event_type_name(&ev), "vfork");
	CU_ASSERT_EQUAL(ev.proc->ppid, 9);
	CU_ASSERT_STRING_EQUAL(ev.proc->comm, "sh");
	CU_ASSERT_EQUAL_FATAL(osp_decode(&dec, &x, sizeof(x), &ev), 0);
	CU_ASSERT_STRING_EQUAL(osp_event_type_name(&ev), "procexit");
	CU_ASSERT_EQUAL(ev.exit_code, 256);
}

OSP_SUITE(decode)
{
	OSP_TEST(suite, test_exec_record);
	OSP_TEST(suite, test_open_records);
	OSP_TEST(suite, test_detached_paths);
	OSP_TEST(suite, test_malformed_records);
	OSP_TEST(suite, test_fork_exit_records);
}
