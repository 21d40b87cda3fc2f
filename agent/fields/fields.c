/* The field table and its extractors. See fields.h for the contract.
 *
 * Adding a field: write its extractor (or reuse one with a different descriptor), add one line to
 * field_table[] at its sorted place (a unit test checks the order), and document it in docs/fields.md.
 */
#include "fields/fields.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "container/container.h"
#include "proc/proctable.h"

#define MAX_ANCESTORS 64

/* ---- value helpers ---- */

static int set_str(struct osp_fval *out, const char *s, size_t len)
{
	out->s = s;
	out->len = len;
	return 1;
}

/* A NUL-terminated string; NULL or "" is missing. */
static int set_cstr(struct osp_fval *out, const char *s)
{
	if (!s || !*s)
		return 0;
	return set_str(out, s, strlen(s));
}

static int set_ostr(struct osp_fval *out, const struct osp_str *s)
{
	if (!s->p || !s->len)
		return 0;
	return set_str(out, s->p, s->len);
}

static int set_int(struct osp_fval *out, int64_t v)
{
	out->i = v;
	out->u = (uint64_t)v;
	return 1;
}

static int set_uint(struct osp_fval *out, uint64_t v)
{
	out->u = v;
	out->i = (int64_t)v;
	return 1;
}

static int set_bool(struct osp_fval *out, bool v)
{
	out->i = v ? 1 : 0;
	out->u = (uint64_t)out->i;
	return 1;
}

/* Formats into the scratch buffer; truncates cleanly. */
__attribute__((format(printf, 2, 3))) static int set_fmt(struct osp_fval *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!out->buf || !out->bufsz)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(out->buf, out->bufsz, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	if ((size_t)n >= out->bufsz)
		n = (int)out->bufsz - 1;
	return set_str(out, out->buf, (size_t)n);
}

/* Copies s[0..len) into the scratch buffer (for slices that are not NUL-terminated). */
static int set_copy(struct osp_fval *out, const char *s, size_t len)
{
	if (!out->buf || !out->bufsz)
		return 0;
	if (len >= out->bufsz)
		len = out->bufsz - 1;
	memcpy(out->buf, s, len);
	out->buf[len] = '\0';
	return set_str(out, out->buf, len);
}

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
static int proc_argv0(const struct osp_proc *p, struct osp_fval *out)
{
	size_t n = args_len(p);

	if (!n)
		return 0;
	return set_str(out, p->args.p, strnlen(p->args.p, n));
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
				return set_copy(o, v + a->keylen + 1, l - a->keylen - 1);
			v += l + 1;
		}
		return 0;
	}
	for (; v < end && off + 1 < o->bufsz; v++)
		o->buf[off++] = *v == '\0' ? ' ' : *v;
	while (off > 0 && o->buf[off - 1] == ' ')
		off--;
	o->buf[off] = '\0';
	return set_str(o, o->buf, off);
}

static bool has_args_after_argv0(const struct osp_proc *p)
{
	size_t n = args_len(p);

	return n && strnlen(p->args.p, n) < n;
}

static int proc_args(const struct osp_proc *p, struct osp_fval *out)
{
	size_t n;

	if (!out->buf || out->bufsz < 2)
		return 0;
	out->buf[0] = '\0';
	n = join_args(p, out->buf, out->bufsz, 0);
	return set_str(out, out->buf, n);
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
	return set_str(out, out->buf, n);
}

static int proc_comm(const struct osp_proc *p, struct osp_fval *out)
{
	if (!p->comm[0])
		return 0;
	return set_str(out, p->comm, strnlen(p->comm, sizeof(p->comm)));
}

/* ---- proc.* ---- */

#define SELF(ev) ((ev)->proc)

static int get_proc_pid(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? set_int(o, SELF(ev)->tgid) : set_int(o, ev->tgid);
}

static int get_proc_ppid(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	if (SELF(ev) && SELF(ev)->ppid)
		return set_int(o, SELF(ev)->ppid);
	return ev->parent ? set_int(o, ev->parent->tgid) : 0;
}

static int get_proc_vpid(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) && SELF(ev)->vpid ? set_int(o, SELF(ev)->vpid) : 0;
}

static int get_proc_sid(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? set_int(o, SELF(ev)->sid) : 0;
}

static int get_proc_vpgid(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) && SELF(ev)->vpgid ? set_int(o, SELF(ev)->vpgid) : 0;
}

static int get_proc_tty(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? set_int(o, SELF(ev)->tty_dev) : 0;
}

static int get_proc_name(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? proc_comm(SELF(ev), o) : 0;
}

static int get_proc_exe(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? proc_argv0(SELF(ev), o) : 0;
}

static int get_proc_exepath(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? set_ostr(o, &SELF(ev)->exepath) : 0;
}

static int get_proc_cmdline(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? proc_cmdline(SELF(ev), o) : 0;
}

static int get_proc_args(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? proc_args(SELF(ev), o) : 0;
}

static int get_proc_cwd(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? set_ostr(o, &SELF(ev)->cwd) : 0;
}

static int get_proc_pname(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = ancestor(c, ev, 1);

	return p ? proc_comm(p, o) : 0;
}

static int get_proc_pexe(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = ancestor(c, ev, 1);

	return p ? proc_argv0(p, o) : 0;
}

static int get_proc_pexepath(const struct osp_field_ctx *c, const struct osp_event *ev,
			     const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = ancestor(c, ev, 1);

	return p ? set_ostr(o, &p->exepath) : 0;
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
		if (a->idx < 0 || a->idx > MAX_ANCESTORS)
			return NULL;
		return ancestor(c, ev, (unsigned int)a->idx);
	}
	if (a && a->nth >= MAX_ANCESTORS)
		return NULL;
	return ancestor(c, ev, (a ? a->nth : 0) + 1);
}

static int get_proc_aname(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = arg_ancestor(c, ev, a);

	return p ? proc_comm(p, o) : 0;
}

static int get_proc_apid(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = arg_ancestor(c, ev, a);

	return p ? set_int(o, p->tgid) : 0;
}

static int get_proc_aexe(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = arg_ancestor(c, ev, a);

	return p ? proc_argv0(p, o) : 0;
}

static int get_proc_aexepath(const struct osp_field_ctx *c, const struct osp_event *ev,
			     const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = arg_ancestor(c, ev, a);

	return p ? set_ostr(o, &p->exepath) : 0;
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
	for (n = 0; n < MAX_ANCESTORS; n++) {
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

	return p ? proc_comm(p, o) : 0;
}

static int get_proc_vpgid_name(const struct osp_field_ctx *c, const struct osp_event *ev,
			       const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = find_leader(c, ev, false);

	return p ? proc_comm(p, o) : 0;
}

static int get_proc_vpgid_exe(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = find_leader(c, ev, false);

	return p ? proc_argv0(p, o) : 0;
}

static int get_proc_vpgid_exepath(const struct osp_field_ctx *c, const struct osp_event *ev,
				  const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = find_leader(c, ev, false);

	return p ? set_ostr(o, &p->exepath) : 0;
}

static int get_proc_is_vpgid_leader(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = SELF(ev);

	if (!p || !p->vpid || !p->vpgid)
		return 0;
	return set_bool(o, p->vpid == p->vpgid);
}

static int get_proc_is_sid_leader(const struct osp_field_ctx *c, const struct osp_event *ev,
				  const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = SELF(ev);

	if (!p || !p->sid)
		return 0;
	return set_bool(o, p->tgid == p->sid);
}

static int get_proc_is_exe_upper_layer(const struct osp_field_ctx *c, const struct osp_event *ev,
				       const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? set_bool(o, SELF(ev)->flags & OSP_F_EXE_UPPER) : 0;
}

static int get_proc_is_exe_from_memfd(const struct osp_field_ctx *c, const struct osp_event *ev,
				      const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? set_bool(o, SELF(ev)->flags & OSP_F_EXE_MEMFD) : 0;
}

static int get_proc_is_exe_writable(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? set_bool(o, SELF(ev)->flags & OSP_PF_EXE_WRITABLE) : 0;
}

static int get_proc_exe_ino(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) && SELF(ev)->exe_ino ? set_int(o, (int64_t)SELF(ev)->exe_ino) : 0;
}

static int get_proc_exe_ctime(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) && SELF(ev)->exe_ctime ? set_uint(o, SELF(ev)->exe_ctime) : 0;
}

static int get_proc_exe_mtime(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) && SELF(ev)->exe_mtime ? set_uint(o, SELF(ev)->exe_mtime) : 0;
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
	return start >= p->exe_ctime ? set_uint(o, start - p->exe_ctime) : 0;
}

/* Falco reads the runtime's start time; every runtime starts a container by starting its init, so
 * the start of the ancestor that is pid 1 in the process's own pid namespace is the same instant,
 * with no runtime-specific state. Missing when that init is not an ancestor (an exec'd process, or
 * a container sharing the host's pid namespace). */
static int get_container_start_ts(const struct osp_field_ctx *c, const struct osp_event *ev,
				  const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *self = SELF(ev), *p = self;
	unsigned int n;

	if (!self || !ev->container || ev->container->runtime == OSP_RT_HOST || !self->pidns_ino ||
	    ev->ts < ev->ktime)
		return 0;
	for (n = 1; p && p->vpid != 1 && n <= 64; n++)
		p = c && c->pt ? proctable_ancestor(c->pt, ev, n) : NULL;
	if (!p || p->vpid != 1 || p->pidns_ino != self->pidns_ino || !p->start_time)
		return 0;
	return set_uint(o, p->start_time + (ev->ts - ev->ktime));
}

static int get_proc_pid_ts(const struct osp_field_ctx *c, const struct osp_event *ev,
			   const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) && SELF(ev)->start_time ? set_uint(o, SELF(ev)->start_time) : 0;
}

static int get_proc_ppid_ts(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = ancestor(c, ev, 1);

	if (p && p->start_time)
		return set_uint(o, p->start_time);
	if (SELF(ev) && SELF(ev)->parent_start_time)
		return set_uint(o, SELF(ev)->parent_start_time);
	return 0;
}

static int duration_since(const struct osp_event *ev, uint64_t start, struct osp_fval *o)
{
	if (!start || !ev->ktime || ev->ktime < start)
		return 0;
	return set_uint(o, ev->ktime - start);
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
	return set_uint(o, p->argc - 1);
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
	return set_uint(o, n > first ? n - first - 1 - (p->argc > 2 ? p->argc - 2 : 0) : 0);
}

/* ---- thread.* ---- */

static int caps_string(uint64_t caps, struct osp_fval *o)
{
	size_t off;

	if (!o->buf || !o->bufsz)
		return 0;
	o->buf[0] = '\0';
	off = vocab_flags_format(vocab_caps, vocab_ncaps, caps, ' ', o->buf, o->bufsz, 0);
	return set_str(o, o->buf, off);
}

static int get_thread_cap_effective(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? caps_string(SELF(ev)->cap_effective, o) : 0;
}

static int get_thread_cap_permitted(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? caps_string(SELF(ev)->cap_permitted, o) : 0;
}

static int get_thread_tid(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return set_int(o, ev->pid);
}

/* ---- user.* / group.* ---- */

static int get_user_uid(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? set_int(o, SELF(ev)->uid) : 0;
}

static int get_user_name(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	if (!SELF(ev) || !c || !c->pt)
		return 0;
	return set_cstr(o, proctable_user_name(c->pt, ev, SELF(ev)->uid));
}

static int get_user_loginuid(const struct osp_field_ctx *c, const struct osp_event *ev,
			     const struct osp_farg *a, struct osp_fval *o)
{
	if (!SELF(ev))
		return 0;
	return set_int(o, SELF(ev)->loginuid == UINT32_MAX ? -1 : (int64_t)SELF(ev)->loginuid);
}

static int get_user_loginname(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	if (!SELF(ev) || !c || !c->pt || SELF(ev)->loginuid == UINT32_MAX)
		return 0;
	return set_cstr(o, proctable_user_name(c->pt, ev, SELF(ev)->loginuid));
}

static int get_group_gid(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? set_int(o, SELF(ev)->gid) : 0;
}

static int get_group_name(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	if (!SELF(ev) || !c || !c->pt)
		return 0;
	return set_cstr(o, proctable_group_name(c->pt, ev, SELF(ev)->gid));
}

/* ---- fd.* (open events) ---- */

#define IS_OPEN(ev) ((ev)->type == OSP_EV_OPEN)

static int get_fd_num(const struct osp_field_ctx *c, const struct osp_event *ev,
		      const struct osp_farg *a, struct osp_fval *o)
{
	if (!IS_OPEN(ev))
		return 0;
	return set_int(o, ev->open.res >= 0 ? ev->open.res : -1);
}

static int get_fd_name(const struct osp_field_ctx *c, const struct osp_event *ev,
		       const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) ? set_ostr(o, &ev->open.name) : 0;
}

static int get_fd_nameraw(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) ? set_ostr(o, &ev->open.nameraw) : 0;
}

static int get_fd_realpath(const struct osp_field_ctx *c, const struct osp_event *ev,
			   const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) ? set_ostr(o, &ev->open.realpath) : 0;
}

static const char *last_slash(const struct osp_str *s)
{
	return s->p ? memrchr(s->p, '/', s->len) : NULL;
}

static int get_fd_directory(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	const char *sl;

	if (!IS_OPEN(ev) || !ev->open.name.p || !ev->open.name.len)
		return 0;
	sl = last_slash(&ev->open.name);
	if (!sl)
		return 0;
	if (sl == ev->open.name.p)
		return set_str(o, "/", 1);
	return set_copy(o, ev->open.name.p, (size_t)(sl - ev->open.name.p));
}

static int get_fd_filename(const struct osp_field_ctx *c, const struct osp_event *ev,
			   const struct osp_farg *a, struct osp_fval *o)
{
	const char *sl;

	if (!IS_OPEN(ev) || !ev->open.name.p || !ev->open.name.len)
		return 0;
	sl = last_slash(&ev->open.name);
	if (!sl)
		return set_str(o, ev->open.name.p, ev->open.name.len);
	return set_str(o, sl + 1, ev->open.name.len - (size_t)(sl + 1 - ev->open.name.p));
}

static int get_fd_type(const struct osp_field_ctx *c, const struct osp_event *ev,
		       const struct osp_farg *a, struct osp_fval *o)
{
	if (!IS_OPEN(ev))
		return 0;
	return ev->open.flags & O_DIRECTORY ? set_str(o, "directory", 9) : set_str(o, "file", 4);
}

static int get_fd_typechar(const struct osp_field_ctx *c, const struct osp_event *ev,
			   const struct osp_farg *a, struct osp_fval *o)
{
	if (!IS_OPEN(ev))
		return 0;
	return ev->open.flags & O_DIRECTORY ? set_str(o, "d", 1) : set_str(o, "f", 1);
}

static int get_fd_ino(const struct osp_field_ctx *c, const struct osp_event *ev,
		      const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) && ev->open.ino ? set_uint(o, ev->open.ino) : 0;
}

static int get_fd_dev(const struct osp_field_ctx *c, const struct osp_event *ev,
		      const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) && ev->open.ino ? set_uint(o, ev->open.dev) : 0;
}

/* ---- evt.* ---- */

static int get_evt_type(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	int et = vocab_evt_of(ev);

	return et < 0 ? 0 : set_cstr(o, vocab_evt_name(et));
}

static int get_evt_dir(const struct osp_field_ctx *c, const struct osp_event *ev,
		       const struct osp_farg *a, struct osp_fval *o)
{
	return set_str(o, "<", 1); /* every event we emit is a syscall exit */
}

static int get_evt_source(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return set_str(o, "syscall", 7);
}

static int get_evt_category(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	return set_cstr(o, vocab_evt_category(vocab_evt_of(ev)));
}

static int get_evt_hostname(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	return c ? set_cstr(o, c->hostname) : 0;
}

static int get_evt_num(const struct osp_field_ctx *c, const struct osp_event *ev,
		       const struct osp_farg *a, struct osp_fval *o)
{
	return c && c->evt_num ? set_uint(o, c->evt_num) : 0;
}

static int64_t evt_rawres(const struct osp_event *ev)
{
	return IS_OPEN(ev) ? ev->open.res : 0;
}

static int get_evt_rawres(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return set_int(o, evt_rawres(ev));
}

static int errno_str(int64_t res, struct osp_fval *o)
{
	const char *name;

	if (res >= 0)
		return set_str(o, "SUCCESS", 7);
	name = res >= -4095 ? strerrorname_np((int)-res) : NULL;
	if (name)
		return set_cstr(o, name);
	return set_fmt(o, "%" PRId64, res);
}

static int get_evt_res(const struct osp_field_ctx *c, const struct osp_event *ev,
		       const struct osp_farg *a, struct osp_fval *o)
{
	return errno_str(evt_rawres(ev), o);
}

static int get_evt_failed(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return set_bool(o, evt_rawres(ev) < 0);
}

static int get_evt_rawtime(const struct osp_field_ctx *c, const struct osp_event *ev,
			   const struct osp_farg *a, struct osp_fval *o)
{
	return ev->ts ? set_uint(o, ev->ts) : 0;
}

static int get_evt_rawtime_s(const struct osp_field_ctx *c, const struct osp_event *ev,
			     const struct osp_farg *a, struct osp_fval *o)
{
	return ev->ts ? set_uint(o, ev->ts / 1000000000ull) : 0;
}

static int get_evt_rawtime_ns(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	return ev->ts ? set_uint(o, ev->ts % 1000000000ull) : 0;
}

static int fmt_time(const struct osp_event *ev, struct osp_fval *o, const char *tfmt, bool utc,
		    const char *tail, bool nanos)
{
	time_t sec = (time_t)(ev->ts / 1000000000ull);
	struct tm tm;
	char head[64];
	size_t n;

	if (!ev->ts)
		return 0;
	if (!(utc ? gmtime_r(&sec, &tm) : localtime_r(&sec, &tm)))
		return 0;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = strftime(head, sizeof(head), tfmt, &tm); /* tfmt: one of the literals below */
#pragma GCC diagnostic pop
	if (!n)
		return 0;
	if (!nanos)
		return set_fmt(o, "%s%s", head, tail);
	return set_fmt(o, "%s.%09" PRIu64 "%s", head, (uint64_t)(ev->ts % 1000000000ull), tail);
}

static int get_evt_time(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return fmt_time(ev, o, "%H:%M:%S", false, "", true);
}

static int get_evt_time_s(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return fmt_time(ev, o, "%H:%M:%S", false, "", false);
}

static int get_evt_time_iso8601(const struct osp_field_ctx *c, const struct osp_event *ev,
				const struct osp_farg *a, struct osp_fval *o)
{
	return fmt_time(ev, o, "%Y-%m-%dT%H:%M:%S", true, "Z", true);
}

static int get_evt_datetime(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	return fmt_time(ev, o, "%Y-%m-%d %H:%M:%S", false, "", true);
}

static bool is_open_read(uint32_t fl)
{
	return (fl & O_ACCMODE) == O_RDONLY || (fl & O_ACCMODE) == O_RDWR;
}

static bool is_open_write(uint32_t fl)
{
	return (fl & O_ACCMODE) == O_WRONLY || (fl & O_ACCMODE) == O_RDWR;
}

static bool is_open_create(uint32_t fl)
{
	return (fl & O_CREAT) || (fl & __O_TMPFILE) == __O_TMPFILE;
}

static int get_evt_is_open_read(const struct osp_field_ctx *c, const struct osp_event *ev,
				const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) ? set_bool(o, is_open_read(ev->open.flags)) : 0;
}

static int get_evt_is_open_write(const struct osp_field_ctx *c, const struct osp_event *ev,
				 const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) ? set_bool(o, is_open_write(ev->open.flags)) : 0;
}

static int get_evt_is_open_create(const struct osp_field_ctx *c, const struct osp_event *ev,
				  const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) ? set_bool(o, is_open_create(ev->open.flags)) : 0;
}

static int get_evt_is_open_exec(const struct osp_field_ctx *c, const struct osp_event *ev,
				const struct osp_farg *a, struct osp_fval *o)
{
	if (!IS_OPEN(ev))
		return 0;
	return set_bool(o, is_open_create(ev->open.flags) && (ev->open.mode & 0111));
}

/* Open flags as Falco prints them: "O_RDONLY|O_CLOEXEC". */
static int open_flags_str(uint32_t fl, struct osp_fval *o)
{
	if (!o->buf || !o->bufsz)
		return 0;
	return set_str(o, o->buf, vocab_open_flags_format(fl, o->buf, o->bufsz));
}

/* Exec flags as Falco prints them ("EXE_WRITABLE|EXE_UPPER_LAYER"); missing when none is set. */
static int exe_flags_str(uint32_t fl, struct osp_fval *o)
{
	size_t off;

	if (!o->buf || !o->bufsz)
		return 0;
	off = vocab_flags_format(vocab_exe_flags, vocab_nexe_flags, fl, '|', o->buf, o->bufsz, 0);
	return off ? set_str(o, o->buf, off) : 0;
}

/* evt.arg[KEY] / evt.arg.KEY: the syscall arguments we capture, by Falco's parameter names. */
enum evt_arg_key {
	EA_NONE = 0,
	EA_FD,
	EA_DIRFD,
	EA_NAME,
	EA_FLAGS,
	EA_MODE,
	EA_DEV,
	EA_INO,
	EA_RES,
	EA_FILENAME,
	EA_EXE,
	EA_ARGS,
	EA_CWD,
	EA_PID,
	EA_PTID,
	EA_TTY,
	EA_PGID,
	EA_LOGINUID,
	EA_UID,
	EA_GID,
	EA_COMM,
	EA_CAP_PERMITTED,
	EA_CAP_EFFECTIVE,
	EA_EXE_INO,
	EA_STATUS,
};

static const struct {
	const char *name;
	enum evt_arg_key key;
	uint32_t supplied;
} evt_arg_keys[] = {
    {"fd", EA_FD, OSP_ETM_OPEN},
    {"dirfd", EA_DIRFD, OSP_ETM(OSP_ET_OPENAT) | OSP_ETM(OSP_ET_OPENAT2)},
    {"name", EA_NAME, OSP_ETM_OPEN},
    {"flags", EA_FLAGS, OSP_ETM_OPEN | OSP_ETM_EXEC},
    {"mode", EA_MODE, OSP_ETM_OPEN},
    {"dev", EA_DEV, OSP_ETM_OPEN},
    {"ino", EA_INO, OSP_ETM_OPEN},
    {"res", EA_RES, OSP_ETM_ALL},
    {"filename", EA_FILENAME, OSP_ETM_EXEC},
    {"exe", EA_EXE, OSP_ETM_EXEC},
    {"args", EA_ARGS, OSP_ETM_EXEC},
    {"cwd", EA_CWD, OSP_ETM_EXEC},
    {"pid", EA_PID, OSP_ETM_EXEC | OSP_ETM_FORK},
    {"ptid", EA_PTID, OSP_ETM_EXEC | OSP_ETM_FORK},
    {"tty", EA_TTY, OSP_ETM_EXEC},
    {"pgid", EA_PGID, OSP_ETM_EXEC},
    {"loginuid", EA_LOGINUID, OSP_ETM_EXEC},
    {"uid", EA_UID, OSP_ETM_EXEC | OSP_ETM_FORK},
    {"gid", EA_GID, OSP_ETM_EXEC},
    {"comm", EA_COMM, OSP_ETM_EXEC | OSP_ETM_FORK},
    {"cap_permitted", EA_CAP_PERMITTED, OSP_ETM_EXEC},
    {"cap_effective", EA_CAP_EFFECTIVE, OSP_ETM_EXEC},
    {"exe_ino", EA_EXE_INO, OSP_ETM_EXEC},
    {"status", EA_STATUS, OSP_ETM_EXIT},
};

static int evt_arg_index(const struct osp_farg *a)
{
	size_t i;

	if (!a || !a->has || a->is_index)
		return -1;
	for (i = 0; i < sizeof(evt_arg_keys) / sizeof(evt_arg_keys[0]); i++)
		if (strlen(evt_arg_keys[i].name) == a->keylen &&
		    memcmp(evt_arg_keys[i].name, a->key, a->keylen) == 0)
			return (int)i;
	return -1;
}

static uint32_t evt_arg_supplied(const struct osp_farg *a)
{
	int i = evt_arg_index(a);

	return i < 0 ? 0 : evt_arg_keys[i].supplied;
}

static int get_evt_arg(const struct osp_field_ctx *c, const struct osp_event *ev,
		       const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = SELF(ev);
	int i = evt_arg_index(a), et = vocab_evt_of(ev);

	if (i < 0 || et < 0 || !(evt_arg_keys[i].supplied & OSP_ETM(et)))
		return 0;
	switch (evt_arg_keys[i].key) {
	case EA_FD:
		return set_fmt(o, "%" PRId64, ev->open.res);
	case EA_DIRFD:
		return set_fmt(o, "%d", ev->open.dirfd);
	case EA_NAME:
		return set_ostr(o, &ev->open.nameraw);
	case EA_FLAGS:
		return IS_OPEN(ev) ? open_flags_str(ev->open.flags, o)
				   : (p ? exe_flags_str(p->flags, o) : 0);
	case EA_MODE:
		return set_fmt(o, "0%o", ev->open.mode);
	case EA_DEV:
		return ev->open.ino ? set_fmt(o, "%x", ev->open.dev) : 0;
	case EA_INO:
		return ev->open.ino ? set_fmt(o, "%" PRIu64, ev->open.ino) : 0;
	case EA_RES:
		return IS_OPEN(ev) ? errno_str(ev->open.res, o) : set_str(o, "0", 1);
	case EA_FILENAME:
		return p ? set_ostr(o, &p->filename) : 0;
	case EA_EXE:
		return p ? proc_argv0(p, o) : 0;
	case EA_ARGS:
		return p ? proc_args(p, o) : 0;
	case EA_CWD:
		return p ? set_ostr(o, &p->cwd) : 0;
	case EA_PID:
		return set_fmt(o, "%u", ev->tgid);
	case EA_PTID:
		return p ? set_fmt(o, "%u", p->ppid) : 0;
	case EA_TTY:
		return p ? set_fmt(o, "%u", p->tty_dev) : 0;
	case EA_PGID:
		return p ? set_fmt(o, "%u", p->pgid) : 0;
	case EA_LOGINUID:
		return p ? set_fmt(o, "%d", (int)p->loginuid) : 0;
	case EA_UID:
		return p ? set_fmt(o, "%u", p->uid) : 0;
	case EA_GID:
		return p ? set_fmt(o, "%u", p->gid) : 0;
	case EA_COMM:
		return p ? proc_comm(p, o) : 0;
	case EA_CAP_PERMITTED:
		return p ? caps_string(p->cap_permitted, o) : 0;
	case EA_CAP_EFFECTIVE:
		return p ? caps_string(p->cap_effective, o) : 0;
	case EA_EXE_INO:
		return p && p->exe_ino ? set_fmt(o, "%" PRIu64, p->exe_ino) : 0;
	case EA_STATUS:
		return set_fmt(o, "%d", ev->exit_code);
	default:
		return 0;
	}
}

static int get_evt_rawarg(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = SELF(ev);
	int i = evt_arg_index(a), et = vocab_evt_of(ev);

	if (i < 0 || et < 0 || !(evt_arg_keys[i].supplied & OSP_ETM(et)))
		return 0;
	switch (evt_arg_keys[i].key) {
	case EA_FD:
	case EA_RES:
		return set_int(o, evt_rawres(ev));
	case EA_DIRFD:
		return set_int(o, ev->open.dirfd);
	case EA_FLAGS:
		return IS_OPEN(ev) ? set_int(o, ev->open.flags) : (p ? set_int(o, p->flags) : 0);
	case EA_MODE:
		return set_int(o, ev->open.mode);
	case EA_DEV:
		return set_int(o, ev->open.dev);
	case EA_INO:
		return set_int(o, (int64_t)ev->open.ino);
	case EA_PID:
		return set_int(o, ev->tgid);
	case EA_PTID:
		return p ? set_int(o, p->ppid) : 0;
	case EA_UID:
		return p ? set_int(o, p->uid) : 0;
	case EA_GID:
		return p ? set_int(o, p->gid) : 0;
	case EA_LOGINUID:
		return p ? set_int(o, p->loginuid == UINT32_MAX ? -1 : (int64_t)p->loginuid) : 0;
	case EA_STATUS:
		return set_int(o, ev->exit_code);
	default:
		return 0;
	}
}

/* ---- container.* / k8s.* ---- */

#define CT(ev) ((ev)->container)

/* container.mount*[X]: the runtime's mounts (container_mount_select() reads X as Falco does); a
 * host process, or no matching mount, has no value (Falco's N/A) */
static const struct osp_mount *mount_of(const struct osp_event *ev, const struct osp_farg *a,
					bool by_dest)
{
	const struct osp_container *c = CT(ev);
	char arg[512]; /* the key is a (pointer, length): terminate a copy */

	if (!c || c->runtime == OSP_RT_HOST || !a || !a->has || !a->key || a->keylen >= sizeof(arg))
		return NULL;
	memcpy(arg, a->key, a->keylen);
	arg[a->keylen] = '\0';
	return container_mount_select(c, arg, by_dest);
}

static int get_container_mount(const struct osp_field_ctx *c, const struct osp_event *ev,
			       const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_mount *m = mount_of(ev, a, false);
	int n;

	if (!m || !o->buf || (n = container_mount_format(m, o->buf, o->bufsz)) < 0)
		return 0;
	return set_str(o, o->buf, strlen(o->buf));
}

static int get_container_mount_dest(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_mount *m = mount_of(ev, a, false);

	return m ? set_cstr(o, m->dest) : 0;
}

static int get_container_mount_mode(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_mount *m = mount_of(ev, a, false);

	return m ? set_cstr(o, m->mode ? m->mode : "") : 0;
}

static int get_container_mount_propagation(const struct osp_field_ctx *c,
					   const struct osp_event *ev, const struct osp_farg *a,
					   struct osp_fval *o)
{
	const struct osp_mount *m = mount_of(ev, a, false);

	return m ? set_cstr(o, m->propagation ? m->propagation : "") : 0;
}

static int get_container_mount_rdwr(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_mount *m = mount_of(ev, a, false);

	return m ? set_cstr(o, m->rdwr ? "true" : "false") : 0;
}

static int get_container_mount_source(const struct osp_field_ctx *c, const struct osp_event *ev,
				      const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_mount *m = mount_of(ev, a, true);

	return m ? set_cstr(o, m->source) : 0;
}

static int get_container_mounts(const struct osp_field_ctx *c, const struct osp_event *ev,
				const struct osp_farg *a, struct osp_fval *o)
{
	if (!CT(ev) || CT(ev)->runtime == OSP_RT_HOST || !o->buf ||
	    container_mounts_format(CT(ev), o->buf, o->bufsz) < 0)
		return 0;
	return set_str(o, o->buf, strlen(o->buf));
}

static int get_container_id(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	if (!CT(ev))
		return 0;
	return CT(ev)->runtime == OSP_RT_HOST ? set_str(o, "host", 4) : set_cstr(o, CT(ev)->id);
}

static int get_container_full_id(const struct osp_field_ctx *c, const struct osp_event *ev,
				 const struct osp_farg *a, struct osp_fval *o)
{
	if (!CT(ev))
		return 0;
	return CT(ev)->runtime == OSP_RT_HOST ? set_str(o, "host", 4)
					      : set_cstr(o, CT(ev)->full_id);
}

static int get_container_name(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	if (!CT(ev))
		return 0;
	return CT(ev)->runtime == OSP_RT_HOST ? set_str(o, "host", 4) : set_cstr(o, CT(ev)->name);
}

static int get_container_type(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	/* a container whose runtime we could not tell has no container.type */
	return CT(ev) && CT(ev)->runtime != OSP_RT_UNKNOWN_CONTAINER
		   ? set_cstr(o, osp_runtime_name(CT(ev)->runtime))
		   : 0;
}

#define CT_STR_GETTER(fn, member)                                                                  \
	static int fn(const struct osp_field_ctx *c, const struct osp_event *ev,                   \
		      const struct osp_farg *a, struct osp_fval *o)                                \
	{                                                                                          \
		return CT(ev) ? set_cstr(o, CT(ev)->member) : 0;                                   \
	}

CT_STR_GETTER(get_container_image, image)
CT_STR_GETTER(get_container_image_repository, image_repository)
CT_STR_GETTER(get_container_image_tag, image_tag)
CT_STR_GETTER(get_container_image_digest, image_digest)
CT_STR_GETTER(get_k8s_pod_name, pod_name)
CT_STR_GETTER(get_k8s_pod_uid, pod_uid)
CT_STR_GETTER(get_k8s_ns_name, pod_namespace)

static int get_container_privileged(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	if (!CT(ev) || CT(ev)->privileged < 0)
		return 0;
	return set_bool(o, CT(ev)->privileged == 1);
}

/* With a key: that label's value. Without: "k1:v1, k2:v2". */
static int labels(const struct osp_kv *kv, uint32_t n, const struct osp_farg *a, struct osp_fval *o)
{
	size_t off = 0;
	uint32_t i;
	int w;

	if (a && a->has) {
		for (i = 0; i < n; i++)
			if (kv[i].key && strlen(kv[i].key) == a->keylen &&
			    memcmp(kv[i].key, a->key, a->keylen) == 0)
				return set_cstr(o, kv[i].value);
		return 0;
	}
	if (!n || !o->buf || !o->bufsz)
		return 0;
	o->buf[0] = '\0';
	for (i = 0; i < n; i++) {
		w = snprintf(o->buf + off, o->bufsz - off, "%s%s:%s", off ? ", " : "",
			     kv[i].key ? kv[i].key : "", kv[i].value ? kv[i].value : "");
		if (w < 0 || (size_t)w >= o->bufsz - off)
			break;
		off += (size_t)w;
	}
	return set_str(o, o->buf, off);
}

static int get_container_labels(const struct osp_field_ctx *c, const struct osp_event *ev,
				const struct osp_farg *a, struct osp_fval *o)
{
	return CT(ev) ? labels(CT(ev)->labels, CT(ev)->nlabels, a, o) : 0;
}

static int get_k8s_pod_labels(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	return CT(ev) ? labels(CT(ev)->pod_labels, CT(ev)->npod_labels, a, o) : 0;
}

/* Fields we know by name but whose data no traced event has. */
static int get_none(const struct osp_field_ctx *c, const struct osp_event *ev,
		    const struct osp_farg *a, struct osp_fval *o)
{
	return 0;
}

/* ---- the table (sorted by name: test_fields checks it) ---- */

#define S OSP_FT_STRING
#define P OSP_FT_PATH
#define I OSP_FT_INT64
#define U OSP_FT_UINT64
#define B OSP_FT_BOOL
#define L OSP_FT_LIST
#define A_IDX (OSP_FF_ARG_INDEX | OSP_FF_ARG_REQ)
#define A_ANC (OSP_FF_ARG_INDEX | OSP_FF_ANY_NOARG)
#define A_KEY (OSP_FF_ARG_KEY | OSP_FF_ARG_REQ)
#define A_OKEY OSP_FF_ARG_KEY
#define A_DOT (OSP_FF_ARG_KEY | OSP_FF_ARG_INDEX | OSP_FF_ARG_REQ | OSP_FF_ARG_DOT)
#define ALL OSP_ETM_ALL
#define EXEC OSP_ETM_EXEC
#define OPEN OSP_ETM_OPEN
#define NONE 0u
#define F(n, t, fl, sup, d, g)                                                                     \
	{                                                                                          \
		.name = (n), .type = (t), .flags = (fl), .supplied_by = (sup), .desc = (d),        \
		.get = (g), .supplied_arg = NULL                                                   \
	}
#define FA(n, t, fl, sup, d, g, sa)                                                                \
	{                                                                                          \
		.name = (n), .type = (t), .flags = (fl), .supplied_by = (sup), .desc = (d),        \
		.get = (g), .supplied_arg = (sa)                                                   \
	}

static const struct osp_field field_table[] = {
    F("container.cni.json", S, 0, NONE, "container's CNI result (not collected)", get_none),
    F("container.duration", U, 0, NONE, "ns since the container started (not collected)", get_none),
    F("container.full_id", S, 0, ALL, "full 64-character container id; \"host\" on the host",
      get_container_full_id),
    F("container.healthcheck", S, 0, NONE, "container's health check command (not collected)",
      get_none),
    F("container.id", S, 0, ALL, "container id, 12 characters; \"host\" on the host",
      get_container_id),
    F("container.image", S, 0, ALL, "container image as the runtime records it",
      get_container_image),
    F("container.image.digest", S, 0, ALL, "container image digest (sha256:...)",
      get_container_image_digest),
    F("container.image.id", S, 0, NONE, "container image id (not collected)", get_none),
    F("container.image.repository", S, 0, ALL, "container image repository",
      get_container_image_repository),
    F("container.image.tag", S, 0, ALL, "container image tag", get_container_image_tag),
    F("container.ip", S, 0, NONE, "container IP address (not collected)", get_none),
    F("container.label", S, A_KEY, ALL, "container label [KEY]", get_container_labels),
    F("container.labels", S, A_OKEY, ALL, "container labels \"k:v, k:v\", or [KEY]'s value",
      get_container_labels),
    F("container.mount", S, A_OKEY, ALL,
      "mount [N or source glob] as \"source:dest:mode:rdwr:propagation\"", get_container_mount),
    F("container.mount.dest", S, A_KEY, ALL, "destination of mount [N or source glob]",
      get_container_mount_dest),
    F("container.mount.mode", S, A_KEY, ALL, "mode of mount [N or source glob]",
      get_container_mount_mode),
    F("container.mount.propagation", S, A_KEY, ALL, "propagation of mount [N or source glob]",
      get_container_mount_propagation),
    F("container.mount.rdwr", S, A_KEY, ALL, "\"true\" if mount [N or source glob] is writable",
      get_container_mount_rdwr),
    F("container.mount.source", S, A_KEY, ALL, "source (host path) of mount [N or dest glob]",
      get_container_mount_source),
    F("container.mounts", S, 0, ALL, "every mount, \"source:dest:mode:rdwr:propagation,...\"",
      get_container_mounts),
    F("container.name", S, 0, ALL, "container name; \"host\" on the host", get_container_name),
    F("container.privileged", B, 0, ALL, "true for a privileged container",
      get_container_privileged),
    F("container.start_ts", U, 0, ALL,
      "container start, ns since the epoch (start of its pid-1 process, when an ancestor)",
      get_container_start_ts),
    F("container.type", S, 0, ALL, "runtime: docker, containerd, cri-o, podman, host",
      get_container_type),
    FA("evt.arg", S, A_DOT, NONE, "syscall argument by name (evt.arg.flags, evt.arg[name])",
       get_evt_arg, evt_arg_supplied),
    F("evt.args", S, 0, NONE, "all syscall arguments as text (not collected)", get_none),
    F("evt.buffer", S, 0, NONE, "read/write buffer (not traced)", get_none),
    F("evt.category", S, 0, ALL, "event category: process or file", get_evt_category),
    F("evt.datetime", S, 0, ALL, "event time, local date and time with ns", get_evt_datetime),
    F("evt.dir", S, 0, ALL, "event direction: always \"<\" (syscall exit)", get_evt_dir),
    F("evt.failed", B, 0, ALL, "true when the syscall returned an error", get_evt_failed),
    F("evt.hostname", S, 0, ALL, "host name of the machine", get_evt_hostname),
    F("evt.is_open_create", B, 0, OPEN, "true for an open that creates a file (O_CREAT, O_TMPFILE)",
      get_evt_is_open_create),
    F("evt.is_open_exec", B, 0, OPEN, "true for an open that creates a file with an execute bit",
      get_evt_is_open_exec),
    F("evt.is_open_read", B, 0, OPEN, "true for an open for reading (O_RDONLY, O_RDWR)",
      get_evt_is_open_read),
    F("evt.is_open_write", B, 0, OPEN, "true for an open for writing (O_WRONLY, O_RDWR)",
      get_evt_is_open_write),
    F("evt.num", U, 0, ALL, "sequence number of the event", get_evt_num),
    FA("evt.rawarg", I, A_DOT, NONE, "syscall argument by name, as a number", get_evt_rawarg,
       evt_arg_supplied),
    F("evt.rawres", I, 0, ALL, "syscall return value as a number (fd or -errno)", get_evt_rawres),
    F("evt.rawtime", U, 0, ALL, "event time, ns since the epoch", get_evt_rawtime),
    F("evt.rawtime.ns", U, 0, ALL, "ns part of the event time", get_evt_rawtime_ns),
    F("evt.rawtime.s", U, 0, ALL, "seconds part of the event time", get_evt_rawtime_s),
    F("evt.res", S, 0, ALL, "syscall result: SUCCESS or the errno name (ENOENT)", get_evt_res),
    F("evt.source", S, 0, ALL, "event source: syscall", get_evt_source),
    F("evt.time", S, 0, ALL, "event time, local HH:MM:SS.ns", get_evt_time),
    F("evt.time.iso8601", S, 0, ALL, "event time, ISO 8601 UTC with ns", get_evt_time_iso8601),
    F("evt.time.s", S, 0, ALL, "event time, local HH:MM:SS", get_evt_time_s),
    F("evt.type", S, 0, ALL,
      "syscall: execve, execveat, open, openat, openat2, creat, clone, clone3, fork, vfork, "
      "procexit",
      get_evt_type),
    F("fd.cip", S, OSP_FF_FILTER_ONLY, NONE, "client IP address (network: not traced)", get_none),
    F("fd.cip.name", S, 0, NONE, "client domain name (network: not traced)", get_none),
    F("fd.cnet", S, OSP_FF_FILTER_ONLY, NONE, "client IP network (network: not traced)", get_none),
    F("fd.connected", B, 0, NONE, "socket connected (network: not traced)", get_none),
    F("fd.containerdirectory", S, 0, NONE, "container id + directory (not collected)", get_none),
    F("fd.containername", S, 0, NONE, "container id + fd name (not collected)", get_none),
    F("fd.cport", U, 0, NONE, "client port (network: not traced)", get_none),
    F("fd.dev", U, 0, OPEN, "device number of the opened file", get_fd_dev),
    F("fd.directory", P, 0, OPEN, "directory of fd.name", get_fd_directory),
    F("fd.filename", S, 0, OPEN, "file name of fd.name, without its directory", get_fd_filename),
    F("fd.ino", U, 0, OPEN, "inode number of the opened file", get_fd_ino),
    F("fd.ip", S, OSP_FF_FILTER_ONLY, NONE, "client or server IP address (network: not traced)",
      get_none),
    F("fd.is_server", B, 0, NONE, "socket is the server side (network: not traced)", get_none),
    F("fd.l4proto", S, 0, NONE, "IP protocol: tcp, udp, icmp (network: not traced)", get_none),
    F("fd.lip", S, 0, NONE, "local IP address (network: not traced)", get_none),
    F("fd.lip.name", S, 0, NONE, "local domain name (network: not traced)", get_none),
    F("fd.lnet", S, OSP_FF_FILTER_ONLY, NONE, "local IP network (network: not traced)", get_none),
    F("fd.lport", U, 0, NONE, "local port (network: not traced)", get_none),
    F("fd.name", P, 0, OPEN,
      "path as opened, joined to cwd/dirfd and normalised (symlinks not followed)", get_fd_name),
    F("fd.name_changed", B, 0, NONE, "fd name changed by the event (not traced)", get_none),
    F("fd.nameraw", P, 0, OPEN, "path exactly as passed to the syscall", get_fd_nameraw),
    F("fd.net", S, OSP_FF_FILTER_ONLY, NONE, "client or server IP network (network: not traced)",
      get_none),
    F("fd.num", I, 0, OPEN, "file descriptor number; -1 when the open failed", get_fd_num),
    F("fd.port", U, OSP_FF_FILTER_ONLY, NONE, "client or server port (network: not traced)",
      get_none),
    F("fd.realpath", P, 0, OPEN, "file the kernel opened, symlinks followed (Osprey)",
      get_fd_realpath),
    F("fd.rip", S, 0, NONE, "remote IP address (network: not traced)", get_none),
    F("fd.rip.name", S, 0, NONE, "remote domain name (network: not traced)", get_none),
    F("fd.rnet", S, OSP_FF_FILTER_ONLY, NONE, "remote IP network (network: not traced)", get_none),
    F("fd.rport", U, 0, NONE, "remote port (network: not traced)", get_none),
    F("fd.sip", S, 0, NONE, "server IP address (network: not traced)", get_none),
    F("fd.sip.name", S, 0, NONE, "server domain name (network: not traced)", get_none),
    F("fd.snet", S, OSP_FF_FILTER_ONLY, NONE, "server IP network (network: not traced)", get_none),
    F("fd.sockfamily", S, 0, NONE, "socket family: ip or unix (network: not traced)", get_none),
    F("fd.sport", U, 0, NONE, "server port (network: not traced)", get_none),
    F("fd.type", S, 0, OPEN, "fd type: file or directory", get_fd_type),
    F("fd.typechar", S, 0, OPEN, "fd type as one character: f (file), d (directory)",
      get_fd_typechar),
    F("fd.types", L, OSP_FF_ARG_INDEX, NONE, "types of all fds of the process (not collected)",
      get_none),
    F("fd.uid", S, 0, NONE, "thread id + fd number (not collected)", get_none),
    F("fs.path.name", P, 0, NONE, "path of a filesystem operation (not traced)", get_none),
    F("fs.path.source", P, 0, NONE, "source path of a filesystem operation (not traced)", get_none),
    F("fs.path.target", P, 0, NONE, "target path of a filesystem operation (not traced)", get_none),
    F("group.gid", I, 0, ALL, "group id", get_group_gid),
    F("group.name", S, 0, ALL, "group name", get_group_name),
    F("k8s.ns.name", S, 0, ALL, "Kubernetes namespace of the pod", get_k8s_ns_name),
    F("k8s.pod.cni.json", S, 0, NONE, "pod CNI result (not collected)", get_none),
    F("k8s.pod.id", S, 0, ALL, "pod uid (legacy name)", get_k8s_pod_uid),
    F("k8s.pod.ip", S, 0, NONE, "pod IP address (not collected)", get_none),
    F("k8s.pod.label", S, A_KEY, ALL, "pod label [KEY]", get_k8s_pod_labels),
    F("k8s.pod.labels", S, A_OKEY, ALL, "pod labels \"k:v, k:v\", or [KEY]'s value",
      get_k8s_pod_labels),
    F("k8s.pod.name", S, 0, ALL, "pod name", get_k8s_pod_name),
    F("k8s.pod.uid", S, 0, ALL, "pod uid", get_k8s_pod_uid),
    F("proc.acmdline", S, A_ANC, ALL,
      "proc.cmdline of ancestor [N] (0 = self); no index: any ancestor", get_proc_acmdline),
    F("proc.aexe", S, A_ANC, ALL, "proc.exe of ancestor [N] (0 = self); no index: any ancestor",
      get_proc_aexe),
    F("proc.aexepath", P, A_ANC, ALL,
      "proc.exepath of ancestor [N] (0 = self); no index: any ancestor", get_proc_aexepath),
    F("proc.aname", S, A_ANC, ALL,
      "proc.name of ancestor [N] (0 = self, 1 = parent); no index: any ancestor", get_proc_aname),
    F("proc.apid", I, A_ANC, ALL, "proc.pid of ancestor [N] (0 = self); no index: any ancestor",
      get_proc_apid),
    F("proc.args", S, 0, ALL, "arguments after argv[0], space-separated", get_proc_args),
    F("proc.cmdlenargs", U, 0, ALL, "total length of the arguments", get_proc_cmdlenargs),
    F("proc.cmdline", S, 0, ALL, "proc.name and proc.args", get_proc_cmdline),
    F("proc.cmdnargs", U, 0, ALL, "number of arguments after argv[0]", get_proc_cmdnargs),
    F("proc.cwd", P, 0, ALL, "working directory at exec", get_proc_cwd),
    F("proc.duration", U, 0, ALL, "ns since the process started", get_proc_duration),
    F("proc.env", S, A_OKEY, OSP_ETM_EXEC,
      "environment at exec, \"K=V K2=V2\"; [KEY]: one variable's value (exec events)",
      get_proc_env),
    F("proc.exe", S, 0, ALL, "argv[0] as the process was invoked", get_proc_exe),
    F("proc.exe_ino", I, 0, ALL, "inode of the executable", get_proc_exe_ino),
    F("proc.exe_ino.ctime", U, 0, ALL, "ctime of the executable's inode, ns since the epoch",
      get_proc_exe_ctime),
    F("proc.exe_ino.ctime_duration_proc_start", U, 0, ALL,
      "ns from the executable's last inode change to the process start",
      get_proc_exe_ctime_to_start),
    F("proc.exe_ino.mtime", U, 0, ALL, "mtime of the executable's inode, ns since the epoch",
      get_proc_exe_mtime),
    F("proc.exepath", P, 0, ALL, "executable the kernel loaded", get_proc_exepath),
    F("proc.is_container_healthcheck", B, 0, NONE,
      "process is a container health check (not collected)", get_none),
    F("proc.is_container_liveness_probe", B, 0, NONE, "process is a liveness probe (not collected)",
      get_none),
    F("proc.is_container_readiness_probe", B, 0, NONE,
      "process is a readiness probe (not collected)", get_none),
    F("proc.is_exe_from_memfd", B, 0, ALL, "executable is a memfd (fileless)",
      get_proc_is_exe_from_memfd),
    F("proc.is_exe_upper_layer", B, 0, ALL, "executable is on an overlayfs upper layer",
      get_proc_is_exe_upper_layer),
    F("proc.is_exe_writable", B, 0, ALL, "executable is writable by the process's euid/egid",
      get_proc_is_exe_writable),
    F("proc.is_sid_leader", B, 0, ALL, "process is its session's leader", get_proc_is_sid_leader),
    F("proc.is_vpgid_leader", B, 0, ALL, "process leads its process group",
      get_proc_is_vpgid_leader),
    F("proc.name", S, 0, ALL, "process name (comm, 15 characters)", get_proc_name),
    F("proc.pcmdline", S, 0, ALL, "proc.cmdline of the parent", get_proc_pcmdline),
    F("proc.pexe", S, 0, ALL, "proc.exe of the parent", get_proc_pexe),
    F("proc.pexepath", P, 0, ALL, "proc.exepath of the parent", get_proc_pexepath),
    F("proc.pid", I, 0, ALL, "process id", get_proc_pid),
    F("proc.pid.ts", U, 0, ALL, "process start time (boot ns)", get_proc_pid_ts),
    F("proc.pname", S, 0, ALL, "proc.name of the parent", get_proc_pname),
    F("proc.ppid", I, 0, ALL, "parent process id", get_proc_ppid),
    F("proc.ppid.duration", U, 0, ALL, "ns since the parent started", get_proc_ppid_duration),
    F("proc.ppid.ts", U, 0, ALL, "parent start time (boot ns)", get_proc_ppid_ts),
    F("proc.sid", I, 0, ALL, "session id", get_proc_sid),
    F("proc.sname", S, 0, ALL, "proc.name of the session leader", get_proc_sname),
    F("proc.tty", I, 0, ALL, "controlling terminal (0: none)", get_proc_tty),
    F("proc.vpgid", I, 0, ALL, "process group id in the process's pid namespace", get_proc_vpgid),
    F("proc.vpgid.exe", S, 0, ALL, "proc.exe of the process group leader", get_proc_vpgid_exe),
    F("proc.vpgid.exepath", P, 0, ALL, "proc.exepath of the process group leader",
      get_proc_vpgid_exepath),
    F("proc.vpgid.name", S, 0, ALL, "proc.name of the process group leader", get_proc_vpgid_name),
    F("proc.vpid", I, 0, ALL, "process id in its pid namespace", get_proc_vpid),
    F("thread.cap_effective", S, 0, ALL, "effective capabilities (CAP_X CAP_Y)",
      get_thread_cap_effective),
    F("thread.cap_inheritable", S, 0, NONE, "inheritable capabilities (not collected)", get_none),
    F("thread.cap_permitted", S, 0, ALL, "permitted capabilities (CAP_X CAP_Y)",
      get_thread_cap_permitted),
    F("thread.tid", I, 0, ALL, "thread id", get_thread_tid),
    F("user.homedir", S, 0, NONE, "home directory (not collected)", get_none),
    F("user.loginname", S, 0, ALL, "user name of user.loginuid", get_user_loginname),
    F("user.loginuid", I, 0, ALL, "audit login uid; -1 when unset", get_user_loginuid),
    F("user.name", S, 0, ALL, "user name", get_user_name),
    F("user.shell", S, 0, NONE, "login shell (not collected)", get_none),
    F("user.uid", I, 0, ALL, "user id", get_user_uid),
};

#define NFIELDS (sizeof(field_table) / sizeof(field_table[0]))

const struct osp_field *fields_table(size_t *n)
{
	if (n)
		*n = NFIELDS;
	return field_table;
}

static int cmp_name(const char *name, size_t len, const char *entry)
{
	int r = strncmp(name, entry, len);

	if (r)
		return r;
	return entry[len] ? -1 : 0;
}

const struct osp_field *fields_lookup(const char *name, size_t len)
{
	size_t lo = 0, hi = NFIELDS;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = cmp_name(name, len, field_table[mid].name);

		if (!r)
			return &field_table[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int parse_index(const char *p, size_t n, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (!n || n > 9)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

const struct osp_field *fields_resolve(const char *text, size_t len, const char *argp,
				       size_t arglen, struct osp_farg *arg, const char **why)
{
	const struct osp_field *f = fields_lookup(text, len);
	size_t i;

	memset(arg, 0, sizeof(*arg));
	if (!f) {
		/* NAME.KEY for fields that take a dotted argument: evt.arg.flags */
		for (i = len; i > 0; i--) {
			if (text[i - 1] != '.')
				continue;
			f = fields_lookup(text, i - 1);
			if (f && (f->flags & OSP_FF_ARG_DOT) && !argp) {
				argp = text + i;
				arglen = len - i;
				break;
			}
			f = NULL;
		}
		if (!f) {
			*why = "unknown field";
			return NULL;
		}
	}
	if (argp) {
		if (!(f->flags & (OSP_FF_ARG_INDEX | OSP_FF_ARG_KEY))) {
			*why = "field takes no argument";
			return NULL;
		}
		if (!arglen) {
			*why = "empty field argument";
			return NULL;
		}
		arg->has = true;
		if ((f->flags & OSP_FF_ARG_INDEX) && parse_index(argp, arglen, &arg->idx) == 0) {
			arg->is_index = true;
		} else if (f->flags & OSP_FF_ARG_KEY) {
			arg->key = argp;
			arg->keylen = arglen;
		} else {
			*why = "field argument must be a number";
			return NULL;
		}
	} else if (f->flags & OSP_FF_ARG_REQ) {
		*why = "field needs an argument";
		return NULL;
	}
	return f;
}

uint32_t fields_supplied(const struct osp_field *f, const struct osp_farg *arg)
{
	if (f->supplied_arg)
		return f->supplied_arg(arg);
	return f->supplied_by;
}

int fields_get(const struct osp_field *f, const struct osp_field_ctx *ctx,
	       const struct osp_event *ev, const struct osp_farg *arg, struct osp_fval *out)
{
	out->type = f->type == OSP_FT_LIST ? OSP_FT_STRING : f->type;
	out->s = NULL;
	out->len = 0;
	out->i = 0;
	out->u = 0;
	return f->get(ctx, ev, arg, out) ? 1 : 0;
}

int fields_format(const struct osp_fval *v, char *buf, size_t size)
{
	if (!v)
		return snprintf(buf, size, "<NA>");
	switch (v->type) {
	case OSP_FT_INT64:
		return snprintf(buf, size, "%" PRId64, v->i);
	case OSP_FT_UINT64:
		return snprintf(buf, size, "%" PRIu64, v->u);
	case OSP_FT_BOOL:
		return snprintf(buf, size, "%s", v->i ? "true" : "false");
	default:
		return snprintf(buf, size, "%.*s", (int)v->len, v->s ? v->s : "");
	}
}

const char *fields_type_name(enum osp_ftype t)
{
	switch (t) {
	case OSP_FT_STRING:
		return "string";
	case OSP_FT_PATH:
		return "path";
	case OSP_FT_INT64:
		return "int64";
	case OSP_FT_UINT64:
		return "uint64";
	case OSP_FT_BOOL:
		return "bool";
	case OSP_FT_LIST:
		return "list";
	}
	return "?";
}

void fields_print(FILE *out)
{
	const char *prev = NULL;
	size_t i, plen = 0;

	for (i = 0; i < NFIELDS; i++) {
		const struct osp_field *f = &field_table[i];
		const char *dot = strchr(f->name, '.');
		size_t clen = dot ? (size_t)(dot - f->name) : strlen(f->name);
		char name[64];
		const char *argform = "";

		if (!prev || clen != plen || memcmp(prev, f->name, clen) != 0) {
			fprintf(out, "%s%.*s fields\n", prev ? "\n" : "", (int)clen, f->name);
			prev = f->name;
			plen = clen;
		}
		if (f->flags & OSP_FF_ARG_DOT)
			argform = "[KEY]";
		else if ((f->flags & OSP_FF_ARG_INDEX) && (f->flags & OSP_FF_ANY_NOARG))
			argform = "[N]";
		else if (f->flags & OSP_FF_ARG_INDEX)
			argform = "[N]";
		else if (f->flags & OSP_FF_ARG_KEY)
			argform = "[KEY]";
		snprintf(name, sizeof(name), "%s%s", f->name, argform);
		fprintf(out, "  %-44s %-7s %s%s\n", name, fields_type_name(f->type), f->desc,
			fields_supplied(f, NULL) || f->supplied_arg ? "" : " [no traced event]");
	}
}
