/* Rule fields: one descriptor per field (name, type, argument, meaning, which events supply it, how
 * to extract it, how replay sets it), in one table per field class (proc, thread, user, group, fd,
 * fs, evt, container, k8s: the files of agent/fields/, as libsinsp's filterchecks). The rule engine
 * resolves a field name to a descriptor once, at load; `osprey fields` prints the tables; the alert
 * formatter renders output_fields, `osprey run --events` every supplied field, and agent/replay
 * rebuilds an event from them, all through the descriptors. A field is one line in its class's
 * table (docs/adding-a-field.md).
 *
 * Names and meanings follow Falco's, so that Falco's rules run unchanged where we have the data. A field
 * whose data no traced event supplies (network, other syscalls, Kubernetes audit) is still in the table
 * with supplied_by == 0: rules that need it load, and are reported inactive instead of failing.
 */
#ifndef OSP_FIELDS_H
#define OSP_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "fields/vocab.h"

struct proctable;

enum osp_ftype {
	OSP_FT_STRING = 0,
	OSP_FT_PATH, /* a string holding a file path: pmatch and glob read it as one */
	OSP_FT_INT64,
	OSP_FT_UINT64,
	OSP_FT_BOOL,
	OSP_FT_LIST, /* several strings: the extractor yields one per osp_farg.nth */
};

/* Descriptor flags. */
#define OSP_FF_ARG_INDEX (1u << 0)   /* takes [N] */
#define OSP_FF_ARG_KEY (1u << 1)     /* takes [KEY] */
#define OSP_FF_ARG_REQ (1u << 2)     /* the argument is mandatory */
#define OSP_FF_ARG_DOT (1u << 3)     /* also written NAME.KEY (evt.arg.flags) */
#define OSP_FF_ANY_NOARG (1u << 4)   /* without argument: every ancestor, a check matches on any */
#define OSP_FF_FILTER_ONLY (1u << 5) /* only in conditions (Falco's fd.ip, fd.port, ...) */
#define OSP_FF_NO_EVENTS (1u << 6)   /* left out of --events lines (written otherwise, or costly) */
#define OSP_FF_NAMES (1u << 7)	     /* a user or group name: proctable_resolve_names() first */

/* What replay (agent/replay) does with a recorded value of a field: the part of the event the value
 * sets, or why it sets none. Every field that a traced event supplies declares one (test_fields
 * checks it; a round trip through --events and replay checks that it is true).
 *   CHECKED   sets nothing: derived from other fields, the value must be what they give
 *   IGNORED   depends on what a capture does not record (local time zone, ancestors' session and
 *             group ids): accepted, not compared
 *   PROC_FLAG a bit of osp_proc.flags (the descriptor's part_bit), set when the value is true
 *   ANC_*     that member of an ancestor ([N], or the list without argument: parent first)
 *   *_LABEL   one label ([KEY]); without a key the field is CHECKED
 * The others name the member of the event, its process, its open or its container they set. */
enum osp_part {
	OSP_PART_NONE = 0, /* not declared: only for a field no traced event supplies */
	OSP_PART_CHECKED,
	OSP_PART_IGNORED,
	OSP_PART_PROC_FLAG,
	/* the event */
	OSP_PART_EVT_TYPE,
	OSP_PART_RAWTIME,
	OSP_PART_RAWTIME_S,
	OSP_PART_RAWTIME_NS,
	OSP_PART_ISO8601,
	OSP_PART_NUM,
	OSP_PART_HOSTNAME,
	OSP_PART_RAWRES,
	OSP_PART_RES,
	OSP_PART_FAILED,
	OSP_PART_TID,
	OSP_PART_ARGS_TRUNC,
	/* the process */
	OSP_PART_PID,
	OSP_PART_PPID,
	OSP_PART_VPID,
	OSP_PART_SID,
	OSP_PART_VPGID,
	OSP_PART_TTY,
	OSP_PART_NAME,
	OSP_PART_EXEPATH,
	OSP_PART_EXE,
	OSP_PART_ARGS,
	OSP_PART_CMDLINE,
	OSP_PART_ARGV,
	OSP_PART_CWD,
	OSP_PART_EXE_INO,
	OSP_PART_START,
	OSP_PART_PSTART,
	OSP_PART_PPID_TS,
	OSP_PART_EXE_CTIME,
	OSP_PART_EXE_MTIME,
	OSP_PART_CMDNARGS,
	OSP_PART_DURATION,
	OSP_PART_PDURATION,
	OSP_PART_SID_LEADER,
	OSP_PART_VPGID_LEADER,
	OSP_PART_CAP_EFF,
	OSP_PART_CAP_PERM,
	OSP_PART_CGROUP,
	OSP_PART_CGROUP_V1,
	OSP_PART_CGROUP_ID,
	OSP_PART_PIDNS,
	OSP_PART_UID,
	OSP_PART_GID,
	OSP_PART_LOGINUID,
	OSP_PART_USER_NAME,
	OSP_PART_GROUP_NAME,
	OSP_PART_LOGINNAME,
	OSP_PART_FILENAME,
	OSP_PART_ENV, /* the environment, "K=V K2=V2" (a value holding a space is cut there) */
	/* the parent, and every ancestor */
	OSP_PART_PNAME,
	OSP_PART_PEXEPATH,
	OSP_PART_PEXE,
	OSP_PART_PCMDLINE,
	OSP_PART_ANC_NAME,
	OSP_PART_ANC_PID,
	OSP_PART_ANC_EXEPATH,
	OSP_PART_ANC_EXE,
	OSP_PART_ANC_CMDLINE,
	/* the open */
	OSP_PART_FD_NAME,
	OSP_PART_FD_NAMERAW,
	OSP_PART_FD_REALPATH,
	OSP_PART_FD_INO,
	OSP_PART_FD_DEV,
	OSP_PART_FD_NUM,
	OSP_PART_FD_TYPE,
	OSP_PART_FD_TYPECHAR,
	OSP_PART_NAME_TRUNC,
	OSP_PART_FLAGS_RAW,
	OSP_PART_FLAGS,
	OSP_PART_MODE,
	OSP_PART_DIRFD,
	OSP_PART_OPEN_READ,
	OSP_PART_OPEN_WRITE,
	OSP_PART_OPEN_CREATE,
	OSP_PART_OPEN_EXEC,
	/* the exit */
	OSP_PART_STATUS,
	/* the container (OSP_PART_CT_ID .. OSP_PART_POD_LABELS: replay builds a container) */
	OSP_PART_CT_ID,
	OSP_PART_CT_FULL_ID,
	OSP_PART_CT_TYPE,
	OSP_PART_CT_NAME,
	OSP_PART_CT_IMAGE,
	OSP_PART_CT_REPO,
	OSP_PART_CT_TAG,
	OSP_PART_CT_DIGEST,
	OSP_PART_CT_PRIV,
	OSP_PART_POD_NAME,
	OSP_PART_POD_UID,
	OSP_PART_NS,
	OSP_PART_CT_MOUNTS, /* "source:dest:mode:rdwr:propagation,..." */
	OSP_PART_CT_LABEL,
	OSP_PART_POD_LABEL,
	OSP_PART_CT_LABELS,
	OSP_PART_POD_LABELS,
	OSP_PART_COUNT
};

/* A field's argument, resolved at load. key is NUL-terminated and owned by the rule that uses it.
 * nth is set by the caller for multi-valued extraction (OSP_FT_LIST, or OSP_FF_ANY_NOARG without an
 * argument): value 0, 1, 2 ... until the extractor reports missing. */
struct osp_farg {
	bool has;
	bool is_index;
	int64_t idx;
	const char *key;
	size_t keylen;
	uint32_t nth;
};

/* One extracted value. The caller provides buf/bufsz (scratch the extractor may format into); every
 * string it returns is NUL-terminated at s[len] and valid until the next extraction into the same buf or
 * the next event. For OSP_FT_BOOL, i is 0 or 1. */
struct osp_fval {
	enum osp_ftype type;
	const char *s;
	size_t len;
	int64_t i;
	uint64_t u;
	char *buf;
	size_t bufsz;
};

/* Scratch needed by the longest extraction (proc.cmdline: comm + argv). */
#define OSP_FIELD_BUFSZ (OSP_ARGS_MAX + 2 * OSP_PATH_MAX)

/* What the event loop passes beside the event. Any member may be NULL/0: fields that need it are
 * then missing. */
struct osp_field_ctx {
	struct proctable *pt; /* ancestors, user and group names */
	const char *hostname; /* evt.hostname */
	uint64_t evt_num;     /* evt.num: sequence number of the event, from 1 */
};

/* Returns 1 and fills *out when the event has a value, 0 when the value is missing (<NA>). */
typedef int (*osp_field_get_fn)(const struct osp_field_ctx *ctx, const struct osp_event *ev,
				const struct osp_farg *arg, struct osp_fval *out);

struct osp_field {
	const char *name;
	enum osp_ftype type;
	uint32_t flags; /* OSP_FF_* */
	uint32_t
	    supplied_by; /* OSP_ETM_* of the event types that can have a value; 0: none traced */
	const char *desc;
	osp_field_get_fn get;
	/* When not NULL, replaces supplied_by for a given argument (evt.arg.KEY). */
	uint32_t (*supplied_arg)(const struct osp_farg *arg);
	uint16_t part;	   /* enum osp_part: what replay sets from a recorded value */
	uint32_t part_bit; /* OSP_PART_PROC_FLAG: the bit of osp_proc.flags */
	/* When not NULL, replaces part for a given argument (evt.arg.KEY). */
	enum osp_part (*part_arg)(const struct osp_farg *arg);
};

/* The descriptor named exactly name[0..len), or NULL. Binary search in its class's sorted table. */
const struct osp_field *fields_lookup(const char *name, size_t len);

/* Resolves a field reference as written in a rule: "proc.name", "proc.aname[2]",
 * "container.label[app]", "evt.arg.flags", "evt.arg[flags]". text[0..len) is the name and argp/arglen
 * the text inside brackets (NULL when none). On success fills *arg (key pointing into argp: the caller
 * copies it if it must outlive the text) and returns the descriptor; on failure returns NULL and sets
 * *why to a static message. */
const struct osp_field *fields_resolve(const char *text, size_t len, const char *argp,
				       size_t arglen, struct osp_farg *arg, const char **why);

/* Event types (OSP_ETM_*) for which field f with argument arg can have a value. */
uint32_t fields_supplied(const struct osp_field *f, const struct osp_farg *arg);

/* What replay sets from a value of field f with argument arg (arg may be NULL). */
enum osp_part fields_part(const struct osp_field *f, const struct osp_farg *arg);

/* Extracts field f from ev. out->buf/bufsz must be set by the caller (OSP_FIELD_BUFSZ bytes is always
 * enough). Returns 1 when present, 0 when missing. Never allocates. */
int fields_get(const struct osp_field *f, const struct osp_field_ctx *ctx,
	       const struct osp_event *ev, const struct osp_farg *arg, struct osp_fval *out);

/* Writes a value as text ("<NA>" for v == NULL) into buf (NUL-terminated, truncated to size).
 * Returns the length it would have had, as snprintf does. */
int fields_format(const struct osp_fval *v, char *buf, size_t size);

/* Name of a type as `osprey fields` prints it ("string", "int64", ...). */
const char *fields_type_name(enum osp_ftype t);

/* Prints the tables: one field per line, "name type description", grouped by class, sorted. */
void fields_print(FILE *out);

/* ---- capture keys ----
 * What `osprey run --events` writes beside the rule fields, so that agent/replay rebuilds an event
 * exactly (start times, cgroup paths, argv as a list, raw open flags, truncation flags, label maps;
 * docs/rule-tests.md). One table, read by both. */
struct osp_kv; /* container/container.h */

enum osp_ckind {
	OSP_CK_VALUE = 0, /* one value of the key's type */
	OSP_CK_LIST,	  /* an array of strings: get() yields item osp_farg.nth */
	OSP_CK_MAP,	  /* an object of strings: map() gives the pairs */
};

struct osp_capture {
	const char *name;
	enum osp_ftype
	    type; /* of the value (OSP_FT_STRING, INT64, UINT64, BOOL), or of the items */
	enum osp_ckind kind;
	uint32_t supplied_by; /* OSP_ETM_* of the event types whose lines have it */
	enum osp_part part;   /* what replay sets from it */
	osp_field_get_fn get; /* OSP_CK_VALUE, OSP_CK_LIST */
	/* OSP_CK_MAP: 1 and the pairs when ev has the map (possibly empty), else 0 */
	int (*map)(const struct osp_event *ev, const struct osp_kv **kv, uint32_t *n);
};

/* The capture keys in the order --events writes them: 0 to fields_ncaptures() - 1. */
size_t fields_ncaptures(void);
const struct osp_capture *fields_capture_at(size_t i);
/* The capture key named name, or NULL. */
const struct osp_capture *fields_capture_lookup(const char *name);

/* Every descriptor, in name order, for iteration (--events, documentation, tests): fields_at(0) to
 * fields_at(fields_count() - 1); NULL past the end. */
size_t fields_count(void);
const struct osp_field *fields_at(size_t i);

#endif
