/* Event fields: evt.* (type, time, result, the syscall's arguments by Falco's parameter names). */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fields/internal.h"

#define SELF(ev) ((ev)->proc)
#define IS_OPEN(ev) ((ev)->type == OSP_EV_OPEN)

/* ---- evt.* ---- */

static int get_evt_type(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	int et = vocab_evt_of(ev);

	return et < 0 ? 0 : fields_set_cstr(o, vocab_evt_name(et));
}

static int get_evt_dir(const struct osp_field_ctx *c, const struct osp_event *ev,
		       const struct osp_farg *a, struct osp_fval *o)
{
	return fields_set_str(o, "<", 1); /* every event we emit is a syscall exit */
}

static int get_evt_source(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return fields_set_str(o, "syscall", 7);
}

static int get_evt_category(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	return fields_set_cstr(o, vocab_evt_category(vocab_evt_of(ev)));
}

static int get_evt_hostname(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	return c ? fields_set_cstr(o, c->hostname) : 0;
}

static int get_evt_num(const struct osp_field_ctx *c, const struct osp_event *ev,
		       const struct osp_farg *a, struct osp_fval *o)
{
	return c && c->evt_num ? fields_set_uint(o, c->evt_num) : 0;
}

static int64_t evt_rawres(const struct osp_event *ev)
{
	return IS_OPEN(ev) ? ev->open.res : 0;
}

static int get_evt_rawres(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return fields_set_int(o, evt_rawres(ev));
}

static int errno_str(int64_t res, struct osp_fval *o)
{
	const char *name;

	if (res >= 0)
		return fields_set_str(o, "SUCCESS", 7);
	name = res >= -4095 ? strerrorname_np((int)-res) : NULL;
	if (name)
		return fields_set_cstr(o, name);
	return fields_set_fmt(o, "%" PRId64, res);
}

static int get_evt_res(const struct osp_field_ctx *c, const struct osp_event *ev,
		       const struct osp_farg *a, struct osp_fval *o)
{
	return errno_str(evt_rawres(ev), o);
}

static int get_evt_failed(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return fields_set_bool(o, evt_rawres(ev) < 0);
}

static int get_evt_rawtime(const struct osp_field_ctx *c, const struct osp_event *ev,
			   const struct osp_farg *a, struct osp_fval *o)
{
	return ev->ts ? fields_set_uint(o, ev->ts) : 0;
}

static int get_evt_rawtime_s(const struct osp_field_ctx *c, const struct osp_event *ev,
			     const struct osp_farg *a, struct osp_fval *o)
{
	return ev->ts ? fields_set_uint(o, ev->ts / 1000000000ull) : 0;
}

static int get_evt_rawtime_ns(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	return ev->ts ? fields_set_uint(o, ev->ts % 1000000000ull) : 0;
}

/* The event time as evt.time (local, ns), evt.time.s (local), evt.time.iso8601 (UTC, ns, Z) or
 * evt.datetime (local date and time, ns). */
enum time_form { TF_TIME, TF_TIME_S, TF_ISO8601, TF_DATETIME };

static int fmt_time(const struct osp_event *ev, struct osp_fval *o, enum time_form k)
{
	time_t sec = (time_t)(ev->ts / 1000000000ull);
	uint64_t ns = ev->ts % 1000000000ull;
	struct tm tm;
	char head[64];
	size_t n;

	if (!ev->ts)
		return 0;
	if (!(k == TF_ISO8601 ? gmtime_r(&sec, &tm) : localtime_r(&sec, &tm)))
		return 0;
	switch (k) {
	case TF_TIME:
	case TF_TIME_S:
		n = strftime(head, sizeof(head), "%H:%M:%S", &tm);
		break;
	case TF_ISO8601:
		n = strftime(head, sizeof(head), "%Y-%m-%dT%H:%M:%S", &tm);
		break;
	default:
		n = strftime(head, sizeof(head), "%Y-%m-%d %H:%M:%S", &tm);
		break;
	}
	if (!n)
		return 0;
	if (k == TF_TIME_S)
		return fields_set_fmt(o, "%s", head);
	return fields_set_fmt(o, "%s.%09" PRIu64 "%s", head, ns, k == TF_ISO8601 ? "Z" : "");
}

static int get_evt_time(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return fmt_time(ev, o, TF_TIME);
}

static int get_evt_time_s(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return fmt_time(ev, o, TF_TIME_S);
}

static int get_evt_time_iso8601(const struct osp_field_ctx *c, const struct osp_event *ev,
				const struct osp_farg *a, struct osp_fval *o)
{
	return fmt_time(ev, o, TF_ISO8601);
}

static int get_evt_datetime(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	return fmt_time(ev, o, TF_DATETIME);
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
	return IS_OPEN(ev) ? fields_set_bool(o, is_open_read(ev->open.flags)) : 0;
}

static int get_evt_is_open_write(const struct osp_field_ctx *c, const struct osp_event *ev,
				 const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) ? fields_set_bool(o, is_open_write(ev->open.flags)) : 0;
}

static int get_evt_is_open_create(const struct osp_field_ctx *c, const struct osp_event *ev,
				  const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) ? fields_set_bool(o, is_open_create(ev->open.flags)) : 0;
}

static int get_evt_is_open_exec(const struct osp_field_ctx *c, const struct osp_event *ev,
				const struct osp_farg *a, struct osp_fval *o)
{
	if (!IS_OPEN(ev))
		return 0;
	return fields_set_bool(o, is_open_create(ev->open.flags) && (ev->open.mode & 0111));
}

/* Open flags as Falco prints them: "O_RDONLY|O_CLOEXEC". */
static int open_flags_str(uint32_t fl, struct osp_fval *o)
{
	if (!o->buf || !o->bufsz)
		return 0;
	return fields_set_str(o, o->buf, vocab_open_flags_format(fl, o->buf, o->bufsz));
}

/* Exec flags as Falco prints them ("EXE_WRITABLE|EXE_UPPER_LAYER"); missing when none is set. */
static int exe_flags_str(uint32_t fl, struct osp_fval *o)
{
	size_t off;

	if (!o->buf || !o->bufsz)
		return 0;
	off = vocab_flags_format(vocab_exe_flags, vocab_nexe_flags, fl, '|', o->buf, o->bufsz, 0);
	return off ? fields_set_str(o, o->buf, off) : 0;
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

/* Falco's parameter names, the event types that have each, and what replay sets from a value. */
static const struct {
	const char *name;
	enum evt_arg_key key;
	uint32_t supplied;
	enum osp_part part;
} evt_arg_keys[] = {
    {"fd", EA_FD, OSP_ETM_OPEN, OSP_PART_CHECKED},
    {"dirfd", EA_DIRFD, OSP_ETM(OSP_ET_OPENAT) | OSP_ETM(OSP_ET_OPENAT2), OSP_PART_DIRFD},
    {"name", EA_NAME, OSP_ETM_OPEN, OSP_PART_CHECKED},
    {"flags", EA_FLAGS, OSP_ETM_OPEN | OSP_ETM_EXEC, OSP_PART_FLAGS},
    {"mode", EA_MODE, OSP_ETM_OPEN, OSP_PART_MODE},
    {"dev", EA_DEV, OSP_ETM_OPEN, OSP_PART_CHECKED},
    {"ino", EA_INO, OSP_ETM_OPEN, OSP_PART_CHECKED},
    {"res", EA_RES, OSP_ETM_ALL, OSP_PART_CHECKED},
    {"filename", EA_FILENAME, OSP_ETM_EXEC, OSP_PART_FILENAME},
    {"exe", EA_EXE, OSP_ETM_EXEC, OSP_PART_CHECKED},
    {"args", EA_ARGS, OSP_ETM_EXEC, OSP_PART_CHECKED},
    {"cwd", EA_CWD, OSP_ETM_EXEC, OSP_PART_CHECKED},
    {"pid", EA_PID, OSP_ETM_EXEC | OSP_ETM_FORK, OSP_PART_CHECKED},
    {"ptid", EA_PTID, OSP_ETM_EXEC | OSP_ETM_FORK, OSP_PART_CHECKED},
    {"tty", EA_TTY, OSP_ETM_EXEC, OSP_PART_CHECKED},
    {"pgid", EA_PGID, OSP_ETM_EXEC, OSP_PART_CHECKED},
    {"loginuid", EA_LOGINUID, OSP_ETM_EXEC, OSP_PART_CHECKED},
    {"uid", EA_UID, OSP_ETM_EXEC | OSP_ETM_FORK, OSP_PART_CHECKED},
    {"gid", EA_GID, OSP_ETM_EXEC, OSP_PART_CHECKED},
    {"comm", EA_COMM, OSP_ETM_EXEC | OSP_ETM_FORK, OSP_PART_CHECKED},
    {"cap_permitted", EA_CAP_PERMITTED, OSP_ETM_EXEC, OSP_PART_CHECKED},
    {"cap_effective", EA_CAP_EFFECTIVE, OSP_ETM_EXEC, OSP_PART_CHECKED},
    {"exe_ino", EA_EXE_INO, OSP_ETM_EXEC, OSP_PART_CHECKED},
    {"status", EA_STATUS, OSP_ETM_EXIT, OSP_PART_STATUS},
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

static enum osp_part evt_arg_part(const struct osp_farg *a)
{
	int i = evt_arg_index(a);

	return i < 0 ? OSP_PART_CHECKED : evt_arg_keys[i].part;
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
		return fields_set_fmt(o, "%" PRId64, ev->open.res);
	case EA_DIRFD:
		return fields_set_fmt(o, "%d", ev->open.dirfd);
	case EA_NAME:
		return fields_set_ostr(o, &ev->open.nameraw);
	case EA_FLAGS:
		return IS_OPEN(ev) ? open_flags_str(ev->open.flags, o)
				   : (p ? exe_flags_str(p->flags, o) : 0);
	case EA_MODE:
		return fields_set_fmt(o, "0%o", ev->open.mode);
	case EA_DEV:
		return ev->open.ino ? fields_set_fmt(o, "%x", ev->open.dev) : 0;
	case EA_INO:
		return ev->open.ino ? fields_set_fmt(o, "%" PRIu64, ev->open.ino) : 0;
	case EA_RES:
		return IS_OPEN(ev) ? errno_str(ev->open.res, o) : fields_set_str(o, "0", 1);
	case EA_FILENAME:
		return p ? fields_set_ostr(o, &p->filename) : 0;
	case EA_EXE:
		return p ? fields_proc_argv0(p, o) : 0;
	case EA_ARGS:
		return p ? fields_proc_args(p, o) : 0;
	case EA_CWD:
		return p ? fields_set_ostr(o, &p->cwd) : 0;
	case EA_PID:
		return fields_set_fmt(o, "%u", ev->tgid);
	case EA_PTID:
		return p ? fields_set_fmt(o, "%u", p->ppid) : 0;
	case EA_TTY:
		return p ? fields_set_fmt(o, "%u", p->tty_dev) : 0;
	case EA_PGID:
		return p ? fields_set_fmt(o, "%u", p->pgid) : 0;
	case EA_LOGINUID:
		return p ? fields_set_fmt(o, "%d", (int)p->loginuid) : 0;
	case EA_UID:
		return p ? fields_set_fmt(o, "%u", p->uid) : 0;
	case EA_GID:
		return p ? fields_set_fmt(o, "%u", p->gid) : 0;
	case EA_COMM:
		return p ? fields_proc_comm(p, o) : 0;
	case EA_CAP_PERMITTED:
		return p ? fields_caps_string(p->cap_permitted, o) : 0;
	case EA_CAP_EFFECTIVE:
		return p ? fields_caps_string(p->cap_effective, o) : 0;
	case EA_EXE_INO:
		return p && p->exe_ino ? fields_set_fmt(o, "%" PRIu64, p->exe_ino) : 0;
	case EA_STATUS:
		return fields_set_fmt(o, "%d", ev->exit_code);
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
		return fields_set_int(o, evt_rawres(ev));
	case EA_DIRFD:
		return fields_set_int(o, ev->open.dirfd);
	case EA_FLAGS:
		return IS_OPEN(ev) ? fields_set_int(o, ev->open.flags)
				   : (p ? fields_set_int(o, p->flags) : 0);
	case EA_MODE:
		return fields_set_int(o, ev->open.mode);
	case EA_DEV:
		return fields_set_int(o, ev->open.dev);
	case EA_INO:
		return fields_set_int(o, (int64_t)ev->open.ino);
	case EA_PID:
		return fields_set_int(o, ev->tgid);
	case EA_PTID:
		return p ? fields_set_int(o, p->ppid) : 0;
	case EA_UID:
		return p ? fields_set_int(o, p->uid) : 0;
	case EA_GID:
		return p ? fields_set_int(o, p->gid) : 0;
	case EA_LOGINUID:
		return p ? fields_set_int(o, p->loginuid == UINT32_MAX ? -1 : (int64_t)p->loginuid)
			 : 0;
	case EA_STATUS:
		return fields_set_int(o, ev->exit_code);
	default:
		return 0;
	}
}

/* ---- the table (sorted by name) ---- */

static const struct osp_field evt_fields[] = {
    FA("evt.arg", S, A_DOT, NONE, "syscall argument by name (evt.arg.flags, evt.arg[name])",
       get_evt_arg, evt_arg_supplied, evt_arg_part),
    F("evt.args", S, 0, NONE, "all syscall arguments as text (not collected)", fields_get_none),
    F("evt.buffer", S, 0, NONE, "read/write buffer (not traced)", fields_get_none),
    F("evt.category", S, 0, ALL, "event category: process or file", get_evt_category, CHECKED),
    F("evt.datetime", S, 0, ALL, "event time, local date and time with ns", get_evt_datetime,
      IGNORED),
    F("evt.dir", S, 0, ALL, "event direction: always \"<\" (syscall exit)", get_evt_dir, CHECKED),
    F("evt.failed", B, 0, ALL, "true when the syscall returned an error", get_evt_failed,
      SETS(FAILED)),
    F("evt.hostname", S, 0, ALL, "host name of the machine", get_evt_hostname, SETS(HOSTNAME)),
    F("evt.is_open_create", B, 0, OPEN, "true for an open that creates a file (O_CREAT, O_TMPFILE)",
      get_evt_is_open_create, SETS(OPEN_CREATE)),
    F("evt.is_open_exec", B, 0, OPEN, "true for an open that creates a file with an execute bit",
      get_evt_is_open_exec, SETS(OPEN_EXEC)),
    F("evt.is_open_read", B, 0, OPEN, "true for an open for reading (O_RDONLY, O_RDWR)",
      get_evt_is_open_read, SETS(OPEN_READ)),
    F("evt.is_open_write", B, 0, OPEN, "true for an open for writing (O_WRONLY, O_RDWR)",
      get_evt_is_open_write, SETS(OPEN_WRITE)),
    F("evt.num", U, 0, ALL, "sequence number of the event", get_evt_num, SETS(NUM)),
    FA("evt.rawarg", I, A_DOT, NONE, "syscall argument by name, as a number", get_evt_rawarg,
       evt_arg_supplied, evt_arg_part),
    F("evt.rawres", I, 0, ALL, "syscall return value as a number (fd or -errno)", get_evt_rawres,
      SETS(RAWRES)),
    F("evt.rawtime", U, 0, ALL, "event time, ns since the epoch", get_evt_rawtime, SETS(RAWTIME)),
    F("evt.rawtime.ns", U, 0, ALL, "ns part of the event time", get_evt_rawtime_ns,
      SETS(RAWTIME_NS)),
    F("evt.rawtime.s", U, 0, ALL, "seconds part of the event time", get_evt_rawtime_s,
      SETS(RAWTIME_S)),
    F("evt.res", S, 0, ALL, "syscall result: SUCCESS or the errno name (ENOENT)", get_evt_res,
      SETS(RES)),
    F("evt.source", S, 0, ALL, "event source: syscall", get_evt_source, CHECKED),
    F("evt.time", S, 0, ALL, "event time, local HH:MM:SS.ns", get_evt_time, IGNORED),
    F("evt.time.iso8601", S, 0, ALL, "event time, ISO 8601 UTC with ns", get_evt_time_iso8601,
      SETS(ISO8601)),
    F("evt.time.s", S, 0, ALL, "event time, local HH:MM:SS", get_evt_time_s, IGNORED),
    F("evt.type", S, 0, ALL,
      "syscall: execve, execveat, open, openat, openat2, creat, clone, clone3, fork, vfork, "
      "procexit",
      get_evt_type, SETS(EVT_TYPE)),
};
FIELDS_CLASS(evt, evt_fields);
