/* The field descriptors' promises, kept: an event as `osprey run --events` writes it replays
 * (agent/replay) into the same event. Replay compares every rule field of the line with what the
 * replayed event gives, so a field that --events writes but that replay can neither set nor derive
 * (its descriptor's part is wrong or missing) fails here, naming the field. Every event type, with
 * ancestors from the real process table, a container with labels, pod labels and mounts. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/suite.h"
#include "alert/evjson.h"
#include "container/container.h"
#include "proc/proctable.h"
#include "replay/replay.h"

#define PID0 20000000u /* above pid_max: never a process /proc could give */
#define T0 5000000000ull

static struct osp_kv labels[] = {{"app", "web"}, {"tier", "front end"}};
static struct osp_kv pod_labels[] = {{"app.kubernetes.io/name", "shop"}};
static struct osp_mount mounts[] = {
    {"/var/lib/app", "/data", "", true, "rprivate"},
    {"/etc/resolv.conf", "/etc/resolv.conf", "ro", false, ""},
};

static const struct osp_container ct = {
    .runtime = OSP_RT_DOCKER,
    .full_id = "4a1ec7d9e3b2c1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6",
    .id = "4a1ec7d9e3b2",
    .name = "shop-web",
    .image = "docker.io/library/nginx:1.25",
    .image_repository = "docker.io/library/nginx",
    .image_tag = "1.25",
    .image_digest = "sha256:0123",
    .privileged = 0,
    .labels = labels,
    .nlabels = 2,
    .pod_name = "shop-7f9c",
    .pod_uid = "7d1c2b3a-0000-4000-8000-000000000001",
    .pod_namespace = "prod",
    .pod_labels = pod_labels,
    .npod_labels = 1,
    .metadata_complete = true,
    .mounts = mounts,
    .nmounts = 2,
};

static const struct osp_container host = {.runtime = OSP_RT_HOST, .full_id = "host", .id = "host"};

struct world {
	struct proctable *pt;
	struct replay *rp;
	struct osp_field_ctx ctx;
	char args[3][256];
	char env[256];
	struct osp_proc procs[3];
};

/* An exec of procs[i] (0 = grandparent, 2 = the subject) applied to the table. */
static void exec_proc(struct world *w, int i, const char *comm, const char *exe,
		      const char *const *argv)
{
	struct osp_proc *p = &w->procs[i];
	struct osp_event ev = {.type = OSP_EV_EXEC, .syscall = OSP_ET_EXECVE};
	size_t off = 0;

	memset(p, 0, sizeof(*p));
	p->tgid = PID0 + (uint32_t)i;
	p->ppid = i ? PID0 + (uint32_t)i - 1 : 1;
	p->vpid = i ? p->tgid : 1; /* the shim plays the container's init: container.start_ts */
	p->sid = PID0;
	p->pgid = PID0 + 1;
	p->vpgid = PID0 + 1;
	p->uid = p->euid = 0;
	p->gid = p->egid = 0;
	p->loginuid = 1000;
	p->tty_dev = 34816;
	p->pidns_ino = 4026531836u;
	p->start_time = T0 + 1000u * (uint32_t)i;
	p->parent_start_time = i ? T0 + 1000u * (uint32_t)(i - 1) : 0;
	p->cgroup_id = 77;
	p->cap_effective = (1ull << 21) | 1;
	p->cap_permitted = (1ull << 21) | 1;
	p->exe_ino = 4242;
	p->exe_ctime = 1683770641000000000ull;
	p->exe_mtime = 1683770641000000000ull;
	p->flags = i == 2 ? OSP_F_EXE_UPPER : 0;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->exepath = (struct osp_str){exe, (uint32_t)strlen(exe)};
	p->filename = p->exepath;
	p->cwd = (struct osp_str){"/srv/app", 8};
	p->cgroup = (struct osp_str){"/docker/4a1ec7d9e3b2", 20};
	for (; *argv; argv++) {
		size_t n = strlen(*argv) + 1;

		memcpy(w->args[i] + off, *argv, n);
		off += n;
		p->argc++;
	}
	p->args = (struct osp_str){w->args[i], (uint32_t)off};
	ev.tgid = ev.pid = p->tgid;
	ev.ktime = p->start_time;
	ev.ts = 1700000000000000000ull;
	ev.proc = p;
	proctable_apply(w->pt, &ev);
}

static void world_init(struct world *w)
{
	static const char *const a0[] = {"containerd-shim", "-namespace", "moby", NULL};
	static const char *const a1[] = {"sh", "-c", "nginx -g 'daemon off;'", NULL};
	static const char *const a2[] = {"nginx", "-g", "daemon off;", NULL};

	memset(w, 0, sizeof(*w));
	w->pt = proctable_new(1024, "/");
	w->rp = replay_new(1024);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w->pt);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w->rp);
	w->ctx.pt = w->pt;
	w->ctx.hostname = "node-1";
	w->ctx.evt_num = 41;
	exec_proc(w, 0, "containerd-shim", "/usr/bin/containerd-shim-runc-v2", a0);
	exec_proc(w, 1, "sh", "/bin/sh", a1);
	exec_proc(w, 2, "nginx", "/usr/sbin/nginx", a2);
	memcpy(w->env, "PATH=/usr/bin\0HOME=/root\0", 25);
}

static void world_free(struct world *w)
{
	replay_free(w->rp);
	proctable_free(w->pt);
}

/* ev as --events writes it, replayed: must succeed. */
static void round_trip(struct world *w, struct osp_event *ev, const char *what)
{
	struct replay_event *re = NULL;
	struct replay_err err;
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);
	int r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	proctable_apply(w->pt, ev);
	proctable_resolve_names(w->pt, ev);
	w->ctx.evt_num++;
	CU_ASSERT_EQUAL(evjson_write(f, &w->ctx, ev), 0);
	fclose(f);
	r = replay_json(w->rp, line, len, &re, &err);
	CU_ASSERT_EQUAL(r, 0);
	if (r)
		fprintf(stderr, "\n  %s: replay: %s: %s\n  line: %s", what, err.key, err.msg, line);
	replay_event_free(re);
	free(line);
}

static void test_exec_in_a_container(void)
{
	struct world w;
	struct osp_event ev;

	world_init(&w);
	memset(&ev, 0, sizeof(ev));
	ev.type = OSP_EV_EXEC;
	ev.syscall = OSP_ET_EXECVEAT;
	ev.tgid = ev.pid = PID0 + 2;
	ev.ktime = T0 + 5000;
	ev.ts = 1700000000123456789ull;
	ev.proc = &w.procs[2];
	ev.container = &ct;
	ev.exec_env = (struct osp_str){w.env, 25};
	round_trip(&w, &ev, "execveat in a container");
	world_free(&w);
}

static void test_open_in_a_container(void)
{
	struct world w;
	struct osp_event ev;

	world_init(&w);
	memset(&ev, 0, sizeof(ev));
	ev.type = OSP_EV_OPEN;
	ev.syscall = OSP_ET_OPENAT;
	ev.tgid = ev.pid = PID0 + 2;
	ev.ktime = T0 + 9000;
	ev.ts = 1700000000223456789ull;
	ev.proc = NULL; /* the table finds the opener, as for a live open */
	ev.container = &ct;
	ev.open.res = 7;
	ev.open.flags = O_WRONLY | O_CREAT | O_CLOEXEC;
	ev.open.mode = 0640;
	ev.open.dirfd = 5;
	ev.open.ino = 99;
	ev.open.dev = 266338304;
	ev.open.name = (struct osp_str){"/data/log/access.log", 20};
	ev.open.nameraw = (struct osp_str){"log/access.log", 14};
	ev.open.realpath = (struct osp_str){"/data/log/access.log", 20};
	round_trip(&w, &ev, "openat in a container");
	ev.open.res = -13; /* a failed open: no file */
	ev.open.ino = 0;
	ev.open.dev = 0;
	ev.open.realpath = (struct osp_str){0};
	ev.syscall = OSP_ET_OPEN;
	ev.open.dirfd = -100;
	ev.proc = NULL;
	round_trip(&w, &ev, "failed open");
	world_free(&w);
}

static void test_fork_and_exit_on_the_host(void)
{
	struct world w;
	struct osp_event ev;
	struct osp_proc child;

	world_init(&w);
	memset(&child, 0, sizeof(child));
	child.tgid = PID0 + 3;
	child.ppid = PID0 + 2;
	child.start_time = T0 + 20000;
	child.parent_start_time = w.procs[2].start_time;
	child.cgroup_id = 77;
	memcpy(child.comm, "nginx", 6);
	memset(&ev, 0, sizeof(ev));
	ev.type = OSP_EV_FORK;
	ev.syscall = OSP_ET_CLONE3;
	ev.tgid = ev.pid = child.tgid;
	ev.ktime = T0 + 20000;
	ev.ts = 1700000000323456789ull;
	ev.proc = &child;
	ev.container = &host;
	round_trip(&w, &ev, "clone3 on the host");
	memset(&ev, 0, sizeof(ev));
	ev.type = OSP_EV_EXIT;
	ev.tgid = ev.pid = child.tgid;
	ev.ktime = T0 + 30000;
	ev.ts = 1700000000423456789ull;
	ev.exit_code = 9;
	ev.proc = &child;
	ev.container = &host;
	round_trip(&w, &ev, "procexit on the host");
	world_free(&w);
}

OSP_SUITE(roundtrip)
{
	OSP_TEST(suite, test_exec_in_a_container);
	OSP_TEST(suite, test_open_in_a_container);
	OSP_TEST(suite, test_fork_and_exit_on_the_host);
}
