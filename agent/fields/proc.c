/* Process fields: proc.* (the process, its parent and ancestors, its session and process group)
 * and thread.* (the thread, capabilities), as libsinsp's process filterchecks. Ancestors come from
 * the process table (ctx->pt). */
#include <inttypes.h>
#include <string.h>

#include "fields/internal.h"
#include "proc/proctable.h"

/* ---- process helpers ---- */

static const struct osp_proc *ancestor(const struct osp_field_ctx *ctx, const struct osp_event *ev,
				       unsigned int n)
{
	if (n == 0)
		return ev->proc;
	if (n == 1 && ev->parent)
		return ev->parent;
	if (!ctx || !ctx->pt)
		return NULL;
	return proctable_ancestor(ctx->pt, ev, n);
}

/* Length of argv without trailing NULs. */
static size_t args_len(const struct osp_proc *p)
{
	size_t n = p->args.p ? p->args.len : 0;

	while (n > 0 && p->args.p[n - 1] == '\0')
		n--;
	return n;
}

/* argv[0]: up to the first NUL. */
int fields_proc_argv0(const struct osp_proc *p, struct osp_fval *out)
{
	size_t n = args_len(p);

	if (!n)
		return 0;
	return fields_set_str(out, p->args.p, strnlen(p->args.p, n));
}

/* Appends argv[1..] joined by spaces to buf at off; returns the new offset. */
static size_t join_args(const struct osp_proc *p, char *buf, size_t size, size_t off)
{
	size_t n = args_len(p), i, first = 0;

	if (!n)
		return off;
	first = strnlen(p->args.p, n);
	if (first < n)
		first++; /* skip argv[0] and its NUL */
	for (i = first; i < n && off + 1 < size; i++)
		buf[off++] = p->args.p[i] == '\0' ? ' ' : p->args.p[i];
	buf[off] = '\0';
	return off;
}

/* proc.env: the exec's environment joined by spaces, or [KEY]'s value */
static int get_proc_env(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	const char *v = ev->exec_env.p, *end;
	size_t off = 0;

	if (ev->type != OSP_EV_EXEC || !v || !ev->exec_env.len || !o->buf)
		return 0;
	end = v + ev->exec_env.len;
	if (a && a->has && a->key) {
		while (v < end) {
			size_t l = strnlen(v, (size_t)(end - v));

			if (l > a->keylen && v[a->keylen] == '=' && !memcmp(v, a->key, a->keylen))
				return fields_set_copy(o, v + a->keylen + 1, l - a->keylen - 1);
			v += l + 1;
		}
		return 0;
	}
	for (; v < end && off + 1 < o->bufsz; v++)
		o->buf[off++] = *v == '\0' ? ' ' : *v;
	while (off > 0 && o->buf[off - 1] == ' ')
		off--;
	o->buf[off] = '\0';
	return fields_set_str(o, o->buf, off);
}

static bool has_args_after_argv0(const struct osp_proc *p)
{
	size_t n = args_len(p);

	return n && strnlen(p->args.p, n) < n;
}

int fields_proc_args(const struct osp_proc *p, struct osp_fval *out)
{
	size_t n;

	if (!out->buf || out->bufsz < 2)
		return 0;
	out->buf[0] = '\0';
	n = join_args(p, out->buf, out->bufsz, 0);
	return fields_set_str(out, out->buf, n);
}

static int proc_cmdline(const struct osp_proc *p, struct osp_fval *out)
{
	size_t n;

	if (!p->comm[0] || !out->buf || out->bufsz < 2)
		return 0;
	n = strnlen(p->comm, sizeof(p->comm));
	if (n >= out->bufsz)
		n = out->bufsz - 1;
	memcpy(out->buf, p->comm, n);
	out->buf[n] = '\0';
	if (has_args_after_argv0(p) && n + 1 < out->bufsz) {
		out->buf[n++] = ' ';
		n = join_args(p, out->buf, out->bufsz, n);
	}
	return fields_set_str(out, out->buf, n);
}

int fields_proc_comm(const struct osp_proc *p, struct osp_fval *out)
{
	if (!p->comm[0])
		return 0;
	return fields_set_str(out, p->comm, strnlen(p->comm, sizeof(p->comm)));
}

/* ---- proc.* ---- */

#define SELF(ev) ((ev)->proc)

static int get_proc_pid(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_int(o, SELF(ev)->tgid) : fields_set_int(o, ev->tgid);
}

static int get_proc_ppid(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	if (SELF(ev) && SELF(ev)->ppid)
		return fields_set_int(o, SELF(ev)->ppid);
	return ev->parent ? fields_set_int(o, ev->parent->tgid) : 0;
}

static int get_proc_vpid(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) && SELF(ev)->vpid ? fields_set_int(o, SELF(ev)->vpid) : 0;
}

static int get_proc_sid(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_int(o, SELF(ev)->sid) : 0;
}

static int get_proc_vpgid(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) && SELF(ev)->vpgid ? fields_set_int(o, SELF(ev)->vpgid) : 0;
}

static int get_proc_tty(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_int(o, SELF(ev)->tty_dev) : 0;
}

static int get_proc_name(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_proc_comm(SELF(ev), o) : 0;
}

static int get_proc_exe(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_proc_argv0(SELF(ev), o) : 0;
}

static int get_proc_exepath(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_ostr(o, &SELF(ev)->exepath) : 0;
}

static int get_proc_cmdline(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? proc_cmdline(SELF(ev), o) : 0;
}

static int get_proc_args(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_proc_args(SELF(ev), o) : 0;
}

static int get_proc_cwd(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_ostr(o, &SELF(ev)->cwd) : 0;
}

static int get_proc_pname(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = ancestor(c, ev, 1);

	return p ? fields_proc_comm(p, o) : 0;
}

static int get_proc_pexe(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = ancestor(c, ev, 1);

	return p ? fields_proc_argv0(p, o) : 0;
}

static int get_proc_pexepath(const struct osp_field_ctx *c, const struct osp_event *ev,
			     const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = ancestor(c, ev, 1);

	return p ? fields_set_ostr(o, &p->exepath) : 0;
}

static int get_proc_pcmdline(const struct osp_field_ctx *c, const struct osp_event *ev,
			     const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = ancestor(c, ev, 1);

	return p ? proc_cmdline(p, o) : 0;
}

/* proc.aXXX[N]: ancestor N (0 = this process). Without an index: ancestor nth+1, so that a caller
 * iterating nth = 0, 1, ... visits every ancestor (Falco: "matches any ancestor"). */
static const struct osp_proc *arg_ancestor(const struct osp_field_ctx *c,
					   const struct osp_event *ev, const struct osp_farg *a)
{
	if (a && a->has) {
		if (a->idx < 0 || a->idx > OSP_ANCESTORS_MAX)
			return NULL;
		return ancestor(c, ev, (unsigned int)a->idx);
	}
	if (a && a->nth >= OSP_ANCESTORS_MAX)
		return NULL;
	return ancestor(c, ev, (a ? a->nth : 0) + 1);
}

static int get_proc_aname(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = arg_ancestor(c, ev, a);

	return p ? fields_proc_comm(p, o) : 0;
}

static int get_proc_apid(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = arg_ancestor(c, ev, a);

	return p ? fields_set_int(o, p->tgid) : 0;
}

static int get_proc_aexe(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = arg_ancestor(c, ev, a);

	return p ? fields_proc_argv0(p, o) : 0;
}

static int get_proc_aexepath(const struct osp_field_ctx *c, const struct osp_event *ev,
			     const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = arg_ancestor(c, ev, a);

	return p ? fields_set_ostr(o, &p->exepath) : 0;
}

static int get_proc_acmdline(const struct osp_field_ctx *c, const struct osp_event *ev,
			     const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = arg_ancestor(c, ev, a);

	return p ? proc_cmdline(p, o) : 0;
}

/* The eldest ancestor (self included) whose tgid is `leader`, else the eldest sharing `key`. */
static const struct osp_proc *find_leader(const struct osp_field_ctx *c, const struct osp_event *ev,
					  bool session)
{
	const struct osp_proc *self = SELF(ev), *best = NULL, *p;
	uint32_t leader, key;
	unsigned int n;

	if (!self)
		return NULL;
	leader = session ? self->sid : self->pgid;
	key = leader;
	for (n = 0; n < OSP_ANCESTORS_MAX; n++) {
		p = ancestor(c, ev, n);
		if (!p)
			break;
		if (p->tgid == leader)
			return p;
		if ((session ? p->sid : p->pgid) == key)
			best = p;
		else
			break;
	}
	return best;
}

static int get_proc_sname(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p =
	    c && c->pt ? proctable_session_leader(c->pt, ev) : find_leader(c, ev, true);

	return p ? fields_proc_comm(p, o) : 0;
}

static int get_proc_vpgid_name(const struct osp_field_ctx *c, const struct osp_event *ev,
			       const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = find_leader(c, ev, false);

	return p ? fields_proc_comm(p, o) : 0;
}

static int get_proc_vpgid_exe(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = find_leader(c, ev, false);

	return p ? fields_proc_argv0(p, o) : 0;
}

static int get_proc_vpgid_exepath(const struct osp_field_ctx *c, const struct osp_event *ev,
				  const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = find_leader(c, ev, false);

	return p ? fields_set_ostr(o, &p->exepath) : 0;
}

static int get_proc_is_vpgid_leader(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = SELF(ev);

	if (!p || !p->vpid || !p->vpgid)
		return 0;
	return fields_set_bool(o, p->vpid == p->vpgid);
}

static int get_proc_is_sid_leader(const struct osp_field_ctx *c, const struct osp_event *ev,
				  const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = SELF(ev);

	if (!p || !p->sid)
		return 0;
	return fields_set_bool(o, p->tgid == p->sid);
}

static int get_proc_is_exe_upper_layer(const struct osp_field_ctx *c, const struct osp_event *ev,
				       const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_bool(o, SELF(ev)->flags & OSP_F_EXE_UPPER) : 0;
}

static int get_proc_is_exe_from_memfd(const struct osp_field_ctx *c, const struct osp_event *ev,
				      const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_bool(o, SELF(ev)->flags & OSP_F_EXE_MEMFD) : 0;
}

static int get_proc_is_exe_writable(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_bool(o, SELF(ev)->flags & OSP_PF_EXE_WRITABLE) : 0;
}

static int get_proc_exe_ino(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) && SELF(ev)->exe_ino ? fields_set_int(o, (int64_t)SELF(ev)->exe_ino) : 0;
}

static int get_proc_exe_ctime(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) && SELF(ev)->exe_ctime ? fields_set_uint(o, SELF(ev)->exe_ctime) : 0;
}

static int get_proc_exe_mtime(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) && SELF(ev)->exe_mtime ? fields_set_uint(o, SELF(ev)->exe_mtime) : 0;
}

/* ns from the exe's last change to the process's start: a binary written just before it ran */
static int get_proc_exe_ctime_to_start(const struct osp_field_ctx *c, const struct osp_event *ev,
				       const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = SELF(ev);
	uint64_t start;

	if (!p || !p->exe_ctime || !p->start_time || ev->ts < ev->ktime)
		return 0;
	start = p->start_time + (ev->ts - ev->ktime); /* boot clock -> wall clock */
	return start >= p->exe_ctime ? fields_set_uint(o, start - p->exe_ctime) : 0;
}

static int get_proc_pid_ts(const struct osp_field_ctx *c, const struct osp_event *ev,
			   const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) && SELF(ev)->start_time ? fields_set_uint(o, SELF(ev)->start_time) : 0;
}

static int get_proc_ppid_ts(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = ancestor(c, ev, 1);

	if (p && p->start_time)
		return fields_set_uint(o, p->start_time);
	if (SELF(ev) && SELF(ev)->parent_start_time)
		return fields_set_uint(o, SELF(ev)->parent_start_time);
	return 0;
}

static int duration_since(const struct osp_event *ev, uint64_t start, struct osp_fval *o)
{
	if (!start || !ev->ktime || ev->ktime < start)
		return 0;
	return fields_set_uint(o, ev->ktime - start);
}

static int get_proc_duration(const struct osp_field_ctx *c, const struct osp_event *ev,
			     const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? duration_since(ev, SELF(ev)->start_time, o) : 0;
}

static int get_proc_ppid_duration(const struct osp_field_ctx *c, const struct osp_event *ev,
				  const struct osp_farg *a, struct osp_fval *o)
{
	struct osp_fval ts = *o;

	if (!get_proc_ppid_ts(c, ev, a, &ts))
		return 0;
	return duration_since(ev, ts.u, o);
}

static int get_proc_cmdnargs(const struct osp_field_ctx *c, const struct osp_event *ev,
			     const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = SELF(ev);

	if (!p || !p->argc)
		return 0;
	return fields_set_uint(o, p->argc - 1);
}

static int get_proc_cmdlenargs(const struct osp_field_ctx *c, const struct osp_event *ev,
			       const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = SELF(ev);
	size_t n, first;

	if (!p || !(n = args_len(p)))
		return 0;
	first = strnlen(p->args.p, n);
	/* argument bytes without separators, as Falco counts them */
	return fields_set_uint(o, n > first ? n - first - 1 - (p->argc > 2 ? p->argc - 2 : 0) : 0);
}

/* ---- thread.* ---- */

int fields_caps_string(uint64_t caps, struct osp_fval *o)
{
	size_t off;

	if (!o->buf || !o->bufsz)
		return 0;
	o->buf[0] = '\0';
	off = vocab_flags_format(vocab_caps, vocab_ncaps, caps, ' ', o->buf, o->bufsz, 0);
	return fields_set_str(o, o->buf, off);
}

static int get_thread_cap_effective(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_caps_string(SELF(ev)->cap_effective, o) : 0;
}

static int get_thread_cap_permitted(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_caps_string(SELF(ev)->cap_permitted, o) : 0;
}

static int get_thread_tid(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return fields_set_int(o, ev->pid);
}

/* ---- the tables (sorted by name) ---- */

static const struct osp_field proc_fields[] = {
    F("proc.acmdline", S, A_ANC | OSP_FF_NO_EVENTS, ALL,
      "proc.cmdline of ancestor [N] (0 = self); no index: any ancestor", get_proc_acmdline,
      SETS(ANC_CMDLINE)),
    F("proc.aexe", S, A_ANC | OSP_FF_NO_EVENTS, ALL,
      "proc.exe of ancestor [N] (0 = self); no index: any ancestor", get_proc_aexe, SETS(ANC_EXE)),
    F("proc.aexepath", P, A_ANC, ALL,
      "proc.exepath of ancestor [N] (0 = self); no index: any ancestor", get_proc_aexepath,
      SETS(ANC_EXEPATH)),
    F("proc.aname", S, A_ANC, ALL,
      "proc.name of ancestor [N] (0 = self, 1 = parent); no index: any ancestor", get_proc_aname,
      SETS(ANC_NAME)),
    F("proc.apid", I, A_ANC, ALL, "proc.pid of ancestor [N] (0 = self); no index: any ancestor",
      get_proc_apid, SETS(ANC_PID)),
    F("proc.args", S, 0, ALL, "arguments after argv[0], space-separated", get_proc_args,
      SETS(ARGS)),
    F("proc.cmdlenargs", U, 0, ALL, "total length of the arguments", get_proc_cmdlenargs, CHECKED),
    F("proc.cmdline", S, 0, ALL, "proc.name and proc.args", get_proc_cmdline, SETS(CMDLINE)),
    F("proc.cmdnargs", U, 0, ALL, "number of arguments after argv[0]", get_proc_cmdnargs,
      SETS(CMDNARGS)),
    F("proc.cwd", P, 0, ALL, "working directory at exec", get_proc_cwd, SETS(CWD)),
    F("proc.duration", U, 0, ALL, "ns since the process started", get_proc_duration,
      SETS(DURATION)),
    F("proc.env", S, A_OKEY, OSP_ETM_EXEC,
      "environment at exec, \"K=V K2=V2\"; [KEY]: one variable's value (exec events)", get_proc_env,
      SETS(ENV)),
    F("proc.exe", S, 0, ALL, "argv[0] as the process was invoked", get_proc_exe, SETS(EXE)),
    F("proc.exe_ino", I, 0, ALL, "inode of the executable", get_proc_exe_ino, SETS(EXE_INO)),
    F("proc.exe_ino.ctime", U, 0, ALL, "ctime of the executable's inode, ns since the epoch",
      get_proc_exe_ctime, SETS(EXE_CTIME)),
    F("proc.exe_ino.ctime_duration_proc_start", U, 0, ALL,
      "ns from the executable's last inode change to the process start",
      get_proc_exe_ctime_to_start, CHECKED),
    F("proc.exe_ino.mtime", U, 0, ALL, "mtime of the executable's inode, ns since the epoch",
      get_proc_exe_mtime, SETS(EXE_MTIME)),
    F("proc.exepath", P, 0, ALL, "executable the kernel loaded", get_proc_exepath, SETS(EXEPATH)),
    F("proc.is_container_healthcheck", B, 0, NONE,
      "process is a container health check (not collected)", fields_get_none),
    F("proc.is_container_liveness_probe", B, 0, NONE, "process is a liveness probe (not collected)",
      fields_get_none),
    F("proc.is_container_readiness_probe", B, 0, NONE,
      "process is a readiness probe (not collected)", fields_get_none),
    F("proc.is_exe_from_memfd", B, 0, ALL, "executable is a memfd (fileless)",
      get_proc_is_exe_from_memfd, SETS_FLAG(OSP_F_EXE_MEMFD)),
    F("proc.is_exe_upper_layer", B, 0, ALL, "executable is on an overlayfs upper layer",
      get_proc_is_exe_upper_layer, SETS_FLAG(OSP_F_EXE_UPPER)),
    F("proc.is_exe_writable", B, 0, ALL, "executable is writable by the process's euid/egid",
      get_proc_is_exe_writable, SETS_FLAG(OSP_PF_EXE_WRITABLE)),
    F("proc.is_sid_leader", B, 0, ALL, "process is its session's leader", get_proc_is_sid_leader,
      SETS(SID_LEADER)),
    F("proc.is_vpgid_leader", B, 0, ALL, "process leads its process group",
      get_proc_is_vpgid_leader, SETS(VPGID_LEADER)),
    F("proc.name", S, 0, ALL, "process name (comm, 15 characters)", get_proc_name, SETS(NAME)),
    F("proc.pcmdline", S, 0, ALL, "proc.cmdline of the parent", get_proc_pcmdline, SETS(PCMDLINE)),
    F("proc.pexe", S, 0, ALL, "proc.exe of the parent", get_proc_pexe, SETS(PEXE)),
    F("proc.pexepath", P, 0, ALL, "proc.exepath of the parent", get_proc_pexepath, SETS(PEXEPATH)),
    F("proc.pid", I, 0, ALL, "process id", get_proc_pid, SETS(PID)),
    F("proc.pid.ts", U, 0, ALL, "process start time (boot ns)", get_proc_pid_ts, SETS(START)),
    F("proc.pname", S, 0, ALL, "proc.name of the parent", get_proc_pname, SETS(PNAME)),
    F("proc.ppid", I, 0, ALL, "parent process id", get_proc_ppid, SETS(PPID)),
    F("proc.ppid.duration", U, 0, ALL, "ns since the parent started", get_proc_ppid_duration,
      SETS(PDURATION)),
    F("proc.ppid.ts", U, 0, ALL, "parent start time (boot ns)", get_proc_ppid_ts, SETS(PPID_TS)),
    F("proc.sid", I, 0, ALL, "session id", get_proc_sid, SETS(SID)),
    F("proc.sname", S, 0, ALL, "proc.name of the session leader", get_proc_sname, IGNORED),
    F("proc.tty", I, 0, ALL, "controlling terminal (0: none)", get_proc_tty, SETS(TTY)),
    F("proc.vpgid", I, 0, ALL, "process group id in the process's pid namespace", get_proc_vpgid,
      SETS(VPGID)),
    F("proc.vpgid.exe", S, 0, ALL, "proc.exe of the process group leader", get_proc_vpgid_exe,
      IGNORED),
    F("proc.vpgid.exepath", P, 0, ALL, "proc.exepath of the process group leader",
      get_proc_vpgid_exepath, IGNORED),
    F("proc.vpgid.name", S, 0, ALL, "proc.name of the process group leader", get_proc_vpgid_name,
      IGNORED),
    F("proc.vpid", I, 0, ALL, "process id in its pid namespace", get_proc_vpid, SETS(VPID)),
};
FIELDS_CLASS(proc, proc_fields);

static const struct osp_field thread_fields[] = {
    F("thread.cap_effective", S, 0, ALL, "effective capabilities (CAP_X CAP_Y)",
      get_thread_cap_effective, SETS(CAP_EFF)),
    F("thread.cap_inheritable", S, 0, NONE, "inheritable capabilities (not collected)",
      fields_get_none),
    F("thread.cap_permitted", S, 0, ALL, "permitted capabilities (CAP_X CAP_Y)",
      get_thread_cap_permitted, SETS(CAP_PERM)),
    F("thread.tid", I, 0, ALL, "thread id", get_thread_tid, SETS(TID)),
};
FIELDS_CLASS(thread, thread_fields);
