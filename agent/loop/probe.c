#include "probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec.skel.h"
#include "open.skel.h"

static const char *const stat_names[OSP_STAT_MAX] = {
    [OSP_STAT_RB_FULL] = "ringbuf_full",	 [OSP_STAT_PATH_TRUNC] = "path_truncated",
    [OSP_STAT_ARGS_TRUNC] = "args_truncated",	 [OSP_STAT_CGROUP_TRUNC] = "cgroup_truncated",
    [OSP_STAT_READ_FAIL] = "kernel_read_failed", [OSP_STAT_EVENTS] = "events_sent",
};

const char *probe_stat_name(unsigned int which)
{
	return which < OSP_STAT_MAX ? stat_names[which] : "unknown";
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !getenv("OSPREY_BPF_DEBUG"))
		return 0;
	fputs("osprey: libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

/* tracefs is mounted where libbpf looks (or hidden from us: tracefs is root's, 0700) */
static bool tracefs_mounted(void)
{
	struct stat st;

	return stat("/sys/kernel/tracing/events/syscalls", &st) == 0 || errno == EACCES ||
	       stat("/sys/kernel/debug/tracing/events/syscalls", &st) == 0 || errno == EACCES;
}

/* capget(2)'s effective set, as a 64-bit mask; 0 when it cannot be read. */
static uint64_t effective_caps(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {{0}};

	if (syscall(SYS_capget, &h, d))
		return 0;
	return (uint64_t)d[1].effective << 32 | d[0].effective;
}

#define HAS_CAP(set, c) (((set) >> (c)) & 1)

int probe_check_privileges(bool need_tracefs, char *err, size_t errlen)
{
	/* what the agent cannot work without (measured: docs/deploy.md says what each is for) */
	static const struct {
		int cap;
		const char *name;
		bool
		    admin_implies; /* CAP_SYS_ADMIN covers it (for BPF, the kernel checks either) */
	} need[] = {
	    {CAP_BPF, "CAP_BPF", true},		/* load the programs, create the maps */
	    {CAP_PERFMON, "CAP_PERFMON", true}, /* attach tracing programs */
	    /* other processes' /proc/PID/{exe,root,environ}: ancestry of processes met late,
	     * container user names from the container's own /etc/passwd */
	    {CAP_SYS_PTRACE, "CAP_SYS_PTRACE", false},
	    /* cgroup and runtime state directories of exited processes and containers */
	    {CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH", false},
	};
	uint64_t eff = effective_caps();
	bool admin = HAS_CAP(eff, CAP_SYS_ADMIN);
	char missing[192] = "";
	size_t i, off = 0;

	for (i = 0; i < sizeof(need) / sizeof(need[0]) && off < sizeof(missing); i++) {
		if (!HAS_CAP(eff, need[i].cap) && !(admin && need[i].admin_implies))
			off += (size_t)snprintf(missing + off, sizeof(missing) - off, " %s",
						need[i].name);
	}
	if (need_tracefs && !admin && off < sizeof(missing))
		off += (size_t)snprintf(missing + off, sizeof(missing) - off,
					" CAP_SYS_ADMIN (tracefs is not mounted: mount it at "
					"/sys/kernel/tracing, or grant it)");
	if (!off)
		return 0;
	snprintf(err, errlen,
		 "not enough privileges: missing%s; run as root, or with the capabilities the "
		 "README lists",
		 missing);
	return -EPERM;
}

/* The per-syscall tracepoints need tracefs; a fresh machine does not mount it. */
static int ensure_tracefs(char *err, size_t errlen)
{
	struct stat st;

	if (tracefs_mounted())
		return 0;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) && errno != EBUSY) {
		snprintf(err, errlen,
			 "tracefs is not mounted and mounting it at /sys/kernel/tracing failed: %s",
			 strerror(errno));
		return -errno;
	}
	if (stat("/sys/kernel/tracing/events/syscalls", &st)) {
		snprintf(
		    err, errlen,
		    "this kernel has no syscall tracepoints (CONFIG_FTRACE_SYSCALLS): open events "
		    "cannot be captured");
		return -ENOENT;
	}
	return 0;
}

int probe_open(struct osp_probe *p, const struct osp_probe_opts *o, probe_record_fn fn, void *ctx,
	       char *err, size_t errlen)
{
	int ret;

	p->stats_fd = -1;
	/* before libbpf: its own complaints (RLIMIT_MEMLOCK, "Couldn't load trivial BPF program")
	 * hide what is really missing */
	ret = probe_check_privileges(o->enable_open && !tracefs_mounted(), err, errlen);
	if (ret)
		return ret;
	libbpf_set_print(libbpf_log);
	p->ncpus = libbpf_num_possible_cpus();
	if (p->ncpus <= 0) {
		snprintf(err, errlen, "cannot count CPUs: %s", strerror(-p->ncpus));
		return p->ncpus ? p->ncpus : -EINVAL;
	}

	p->exec = exec_bpf__open();
	if (!p->exec) {
		ret = -errno;
		snprintf(err, errlen, "opening the exec BPF object: %s", strerror(errno));
		return ret;
	}
	if (p->exec->rodata->schema_version != OSP_SCHEMA_VERSION) {
		snprintf(err, errlen, "BPF object has event schema %u, agent expects %d",
			 p->exec->rodata->schema_version, OSP_SCHEMA_VERSION);
		return -EPROTO;
	}
	p->exec->rodata->agent_tgid = o->agent_tgid;
	if (o->wakeup_bytes)
		p->exec->rodata->wakeup_bytes = o->wakeup_bytes;
	ret = exec_bpf__load(p->exec);
	if (ret) {
		snprintf(
		    err, errlen,
		    "loading the exec BPF programs: %s (needs root or CAP_BPF+CAP_PERFMON, and a "
		    "kernel with BTF)",
		    strerror(-ret));
		return ret;
	}
	ret = exec_bpf__attach(p->exec);
	if (ret) {
		snprintf(err, errlen, "attaching sched_process_exec/fork/exit: %s", strerror(-ret));
		return ret;
	}

	if (o->enable_open) {
		ret = ensure_tracefs(err, errlen);
		if (ret)
			return ret;
		p->open = open_bpf__open();
		if (!p->open) {
			ret = -errno;
			snprintf(err, errlen, "opening the open BPF object: %s", strerror(errno));
			return ret;
		}
		p->open->rodata->agent_tgid = o->agent_tgid;
		if (o->wakeup_bytes)
			p->open->rodata->wakeup_bytes = o->wakeup_bytes;
		/* one ring buffer and one set of counters for every object */
		ret = bpf_map__reuse_fd(p->open->maps.events, bpf_map__fd(p->exec->maps.events));
		if (!ret)
			ret = bpf_map__reuse_fd(p->open->maps.stats,
						bpf_map__fd(p->exec->maps.stats));
		if (!ret)
			ret = open_bpf__load(p->open);
		if (ret) {
			snprintf(err, errlen, "loading the open BPF programs: %s", strerror(-ret));
			return ret;
		}
		ret = open_bpf__attach(p->open);
		if (ret) {
			snprintf(err, errlen,
				 "attaching the open/openat/openat2/creat tracepoints: %s",
				 strerror(-ret));
			return ret;
		}
	}

	p->stats_fd = bpf_map__fd(p->exec->maps.stats);
	p->rb = ring_buffer__new(bpf_map__fd(p->exec->maps.events), (ring_buffer_sample_fn)fn, ctx,
				 NULL);
	if (!p->rb) {
		ret = -errno;
		snprintf(err, errlen, "creating the ring buffer consumer: %s", strerror(errno));
		return ret;
	}
	return 0;
}

int probe_poll(struct osp_probe *p, int timeout_ms)
{
	int n = ring_buffer__poll(p->rb, timeout_ms);
	int m;

	if (n < 0)
		return n;
	/* records submitted with BPF_RB_NO_WAKEUP do not wake epoll: drain them on every tick */
	m = ring_buffer__consume(p->rb);
	if (m < 0)
		return m;
	return n + m;
}

int probe_stats(const struct osp_probe *p, uint64_t out[OSP_STAT_MAX])
{
	uint64_t vals[512];
	unsigned int k;
	int c;

	memset(out, 0, sizeof(uint64_t) * OSP_STAT_MAX);
	if (p->stats_fd < 0 || p->ncpus > (int)(sizeof(vals) / sizeof(vals[0])))
		return -EINVAL;
	for (k = 0; k < OSP_STAT_MAX; k++) {
		if (bpf_map_lookup_elem(p->stats_fd, &k, vals))
			return -errno;
		for (c = 0; c < p->ncpus; c++)
			out[k] += vals[c];
	}
	return 0;
}

void probe_close(struct osp_probe *p)
{
	if (!p)
		return;
	ring_buffer__free(p->rb);
	open_bpf__destroy(p->open);
	exec_bpf__destroy(p->exec);
	p->rb = NULL;
	p->open = NULL;
	p->exec = NULL;
	p->stats_fd = -1;
}
