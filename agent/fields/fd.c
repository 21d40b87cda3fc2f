/* File fields: fd.* (the file an open event opened; the network ones are known by name, never
 * supplied) and fs.* (known by name only). */
#include <fcntl.h>
#include <string.h>

#include "fields/internal.h"

/* ---- fd.* (open events) ---- */

#define IS_OPEN(ev) ((ev)->type == OSP_EV_OPEN)

static int get_fd_num(const struct osp_field_ctx *c, const struct osp_event *ev,
		      const struct osp_farg *a, struct osp_fval *o)
{
	if (!IS_OPEN(ev))
		return 0;
	return fields_set_int(o, ev->open.res >= 0 ? ev->open.res : -1);
}

static int get_fd_name(const struct osp_field_ctx *c, const struct osp_event *ev,
		       const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) ? fields_set_ostr(o, &ev->open.name) : 0;
}

static int get_fd_nameraw(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) ? fields_set_ostr(o, &ev->open.nameraw) : 0;
}

static int get_fd_realpath(const struct osp_field_ctx *c, const struct osp_event *ev,
			   const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) ? fields_set_ostr(o, &ev->open.realpath) : 0;
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
		return fields_set_str(o, "/", 1);
	return fields_set_copy(o, ev->open.name.p, (size_t)(sl - ev->open.name.p));
}

static int get_fd_filename(const struct osp_field_ctx *c, const struct osp_event *ev,
			   const struct osp_farg *a, struct osp_fval *o)
{
	const char *sl;

	if (!IS_OPEN(ev) || !ev->open.name.p || !ev->open.name.len)
		return 0;
	sl = last_slash(&ev->open.name);
	if (!sl)
		return fields_set_str(o, ev->open.name.p, ev->open.name.len);
	return fields_set_str(o, sl + 1, ev->open.name.len - (size_t)(sl + 1 - ev->open.name.p));
}

static int get_fd_type(const struct osp_field_ctx *c, const struct osp_event *ev,
		       const struct osp_farg *a, struct osp_fval *o)
{
	if (!IS_OPEN(ev))
		return 0;
	return ev->open.flags & O_DIRECTORY ? fields_set_str(o, "directory", 9)
					    : fields_set_str(o, "file", 4);
}

static int get_fd_typechar(const struct osp_field_ctx *c, const struct osp_event *ev,
			   const struct osp_farg *a, struct osp_fval *o)
{
	if (!IS_OPEN(ev))
		return 0;
	return ev->open.flags & O_DIRECTORY ? fields_set_str(o, "d", 1) : fields_set_str(o, "f", 1);
}

static int get_fd_ino(const struct osp_field_ctx *c, const struct osp_event *ev,
		      const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) && ev->open.ino ? fields_set_uint(o, ev->open.ino) : 0;
}

static int get_fd_dev(const struct osp_field_ctx *c, const struct osp_event *ev,
		      const struct osp_farg *a, struct osp_fval *o)
{
	return IS_OPEN(ev) && ev->open.ino ? fields_set_uint(o, ev->open.dev) : 0;
}

/* ---- the tables (sorted by name) ---- */

static const struct osp_field fd_fields[] = {
    F("fd.cip", S, OSP_FF_FILTER_ONLY, NONE, "client IP address (network: not traced)",
      fields_get_none),
    F("fd.cip.name", S, 0, NONE, "client domain name (network: not traced)", fields_get_none),
    F("fd.cnet", S, OSP_FF_FILTER_ONLY, NONE, "client IP network (network: not traced)",
      fields_get_none),
    F("fd.connected", B, 0, NONE, "socket connected (network: not traced)", fields_get_none),
    F("fd.containerdirectory", S, 0, NONE, "container id + directory (not collected)",
      fields_get_none),
    F("fd.containername", S, 0, NONE, "container id + fd name (not collected)", fields_get_none),
    F("fd.cport", U, 0, NONE, "client port (network: not traced)", fields_get_none),
    F("fd.dev", U, 0, OPEN, "device number of the opened file", get_fd_dev, SETS(FD_DEV)),
    F("fd.directory", P, 0, OPEN, "directory of fd.name", get_fd_directory, CHECKED),
    F("fd.filename", S, 0, OPEN, "file name of fd.name, without its directory", get_fd_filename,
      CHECKED),
    F("fd.ino", U, 0, OPEN, "inode number of the opened file", get_fd_ino, SETS(FD_INO)),
    F("fd.ip", S, OSP_FF_FILTER_ONLY, NONE, "client or server IP address (network: not traced)",
      fields_get_none),
    F("fd.is_server", B, 0, NONE, "socket is the server side (network: not traced)",
      fields_get_none),
    F("fd.l4proto", S, 0, NONE, "IP protocol: tcp, udp, icmp (network: not traced)",
      fields_get_none),
    F("fd.lip", S, 0, NONE, "local IP address (network: not traced)", fields_get_none),
    F("fd.lip.name", S, 0, NONE, "local domain name (network: not traced)", fields_get_none),
    F("fd.lnet", S, OSP_FF_FILTER_ONLY, NONE, "local IP network (network: not traced)",
      fields_get_none),
    F("fd.lport", U, 0, NONE, "local port (network: not traced)", fields_get_none),
    F("fd.name", P, 0, OPEN,
      "path as opened, joined to cwd/dirfd and normalised (symlinks not followed)", get_fd_name,
      SETS(FD_NAME)),
    F("fd.name_changed", B, 0, NONE, "fd name changed by the event (not traced)", fields_get_none),
    F("fd.nameraw", P, 0, OPEN, "path exactly as passed to the syscall", get_fd_nameraw,
      SETS(FD_NAMERAW)),
    F("fd.net", S, OSP_FF_FILTER_ONLY, NONE, "client or server IP network (network: not traced)",
      fields_get_none),
    F("fd.num", I, 0, OPEN, "file descriptor number; -1 when the open failed", get_fd_num,
      SETS(FD_NUM)),
    F("fd.port", U, OSP_FF_FILTER_ONLY, NONE, "client or server port (network: not traced)",
      fields_get_none),
    F("fd.realpath", P, 0, OPEN, "file the kernel opened, symlinks followed (Osprey)",
      get_fd_realpath, SETS(FD_REALPATH)),
    F("fd.rip", S, 0, NONE, "remote IP address (network: not traced)", fields_get_none),
    F("fd.rip.name", S, 0, NONE, "remote domain name (network: not traced)", fields_get_none),
    F("fd.rnet", S, OSP_FF_FILTER_ONLY, NONE, "remote IP network (network: not traced)",
      fields_get_none),
    F("fd.rport", U, 0, NONE, "remote port (network: not traced)", fields_get_none),
    F("fd.sip", S, 0, NONE, "server IP address (network: not traced)", fields_get_none),
    F("fd.sip.name", S, 0, NONE, "server domain name (network: not traced)", fields_get_none),
    F("fd.snet", S, OSP_FF_FILTER_ONLY, NONE, "server IP network (network: not traced)",
      fields_get_none),
    F("fd.sockfamily", S, 0, NONE, "socket family: ip or unix (network: not traced)",
      fields_get_none),
    F("fd.sport", U, 0, NONE, "server port (network: not traced)", fields_get_none),
    F("fd.type", S, 0, OPEN, "fd type: file or directory", get_fd_type, SETS(FD_TYPE)),
    F("fd.typechar", S, 0, OPEN, "fd type as one character: f (file), d (directory)",
      get_fd_typechar, SETS(FD_TYPECHAR)),
    F("fd.types", L, OSP_FF_ARG_INDEX, NONE, "types of all fds of the process (not collected)",
      fields_get_none),
    F("fd.uid", S, 0, NONE, "thread id + fd number (not collected)", fields_get_none),
};
FIELDS_CLASS(fd, fd_fields);

static const struct osp_field fs_fields[] = {
    F("fs.path.name", P, 0, NONE, "path of a filesystem operation (not traced)", fields_get_none),
    F("fs.path.source", P, 0, NONE, "source path of a filesystem operation (not traced)",
      fields_get_none),
    F("fs.path.target", P, 0, NONE, "target path of a filesystem operation (not traced)",
      fields_get_none),
};
FIELDS_CLASS(fs, fs_fields);
