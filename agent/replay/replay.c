/* Replay: JSON object -> struct osp_event. See replay.h for the contract.
 *
 * Three passes over one object:
 *   1. classify every key: a capture-only key (proc.argv, proc.start_time, ...), or a rule field
 *      resolved through the field table (unknown, untraced or wrong-typed keys fail here, naming
 *      the key); remember the values that set something (slots) and every rule field given;
 *   2. build: the subject process, its ancestors, the open or exit details, the container, the
 *      event's time; ancestors then the subject are applied to the process table as synthetic
 *      execs; the subject's user/group names are written where the table will read them;
 *   3. check: extract every rule field given and compare it with the input.
 */
#include "replay/replay.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container/container.h"
#include "proc/proctable.h"

#define MAXANC 64		  /* ancestors (the field table walks 64) */
#define MAXKEYS 1024		  /* keys in one object */
#define MAXLABELS 256		  /* labels per container or pod */
#define STR_MAX (64u * 1024)	  /* any other string */
#define NAME_MAX_LEN 63		  /* user/group names (the table's cache keeps 63 bytes) */
#define SYNTH_PID 10000000u	  /* synthetic pids: above pid_max, never a real process */
#define SYNTH_START 1000000000ull /* start time given to a process whose duration is known */

struct replay {
	char *dir; /* private host root: proc/<pid>/root -> roots/<n> */
	struct proctable *pt;
	uint32_t next_pid;
	char **sigs; /* name-root contents, index = root number */
	size_t nsigs, capsigs;
	char scratch[OSP_FIELD_BUFSZ];
};

struct replay_store {
	struct replay_store *next;
	size_t used, size;
	char data[];
};

/* ---- per-event storage ---- */

static char *store_alloc(struct replay_store **st, size_t n)
{
	struct replay_store *b = *st;
	char *p;

	n = (n + 7) &
	    ~(size_t)7; /* every block stays 8-byte aligned: labels and containers live here */
	if (!b || b->size - b->used < n) {
		size_t sz = n > 8192 ? n : 8192;

		b = malloc(sizeof(*b) + sz);
		if (!b)
			return NULL;
		b->next = *st;
		b->used = 0;
		b->size = sz;
		*st = b;
	}
	p = b->data + b->used;
	b->used += n;
	return p;
}

static char *store_str(struct replay_store **st, const char *s, size_t len)
{
	char *p = store_alloc(st, len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static void store_free(struct replay_store *st)
{
	while (st) {
		struct replay_store *n = st->next;

		free(st);
		st = n;
	}
}

/* ---- keys ---- */

enum slot {
	S_NONE = 0,
	S_EVT_TYPE,
	S_RAWTIME,
	S_RAWTIME_S,
	S_RAWTIME_NS,
	S_ISO8601,
	S_NUM,
	S_HOSTNAME,
	S_RAWRES,
	S_RES,
	S_FAILED,
	S_PID,
	S_TID,
	S_PPID,
	S_VPID,
	S_SID,
	S_VPGID,
	S_TTY,
	S_NAME,
	S_EXEPATH,
	S_EXE,
	S_ARGS,
	S_CMDLINE,
	S_ARGV,
	S_CWD,
	S_EXE_INO,
	S_UPPER,
	S_MEMFD,
	S_WRITABLE,
	S_START,
	S_PSTART,
	S_PPID_TS,
	S_EXE_CTIME,
	S_EXE_MTIME,
	S_CMDNARGS,
	S_DURATION,
	S_PDURATION,
	S_SID_LEADER,
	S_VPGID_LEADER,
	S_CAP_EFF,
	S_CAP_PERM,
	S_CGROUP,
	S_CGROUP_V1,
	S_CGROUP_ID,
	S_PIDNS,
	S_ARGS_TRUNC,
	S_UID,
	S_GID,
	S_LOGINUID,
	S_USER_NAME,
	S_GROUP_NAME,
	S_LOGINNAME,
	S_PNAME,
	S_PEXEPATH,
	S_PEXE,
	S_PCMDLINE,
	S_FD_NAME,
	S_FD_NAMERAW,
	S_FD_REALPATH,
	S_FD_INO,
	S_FD_DEV,
	S_FD_NUM,
	S_FD_TYPE,
	S_FD_TYPECHAR,
	S_NAME_TRUNC,
	S_FLAGS_RAW,
	S_FLAGS,
	S_MODE,
	S_DIRFD,
	S_FILENAME,
	S_STATUS,
	S_OPEN_READ,
	S_OPEN_WRITE,
	S_OPEN_CREATE,
	S_OPEN_EXEC,
	S_CT_ID,
	S_CT_FULL_ID,
	S_CT_TYPE,
	S_CT_NAME,
	S_CT_IMAGE,
	S_CT_REPO,
	S_CT_TAG,
	S_CT_DIGEST,
	S_CT_PRIV,
	S_POD_NAME,
	S_POD_UID,
	S_NS,
	S_CT_LABELS,
	S_POD_LABELS,
	S_COUNT
};

/* Keys that are not rule fields: what `osprey run --events` adds so that a capture replays exactly. */
static const struct {
	const char *name;
	enum replay_vtype type;
	enum slot slot;
} capture_keys[] = {
    {"container.labels", REPLAY_VT_OBJECT, S_CT_LABELS},
    {"evt.arg.dirfd", REPLAY_VT_INT, S_DIRFD},
    {"evt.arg.filename", REPLAY_VT_STRING, S_FILENAME},
    {"evt.arg.flags_raw", REPLAY_VT_INT, S_FLAGS_RAW},
    {"evt.arg.mode", REPLAY_VT_INT, S_MODE},
    {"evt.arg.status", REPLAY_VT_INT, S_STATUS},
    {"fd.name_truncated", REPLAY_VT_BOOL, S_NAME_TRUNC},
    {"group.rgid", REPLAY_VT_INT, S_GID},
    {"k8s.pod.labels", REPLAY_VT_OBJECT, S_POD_LABELS},
    {"proc.args_truncated", REPLAY_VT_BOOL, S_ARGS_TRUNC},
    {"proc.argv", REPLAY_VT_LIST, S_ARGV},
    {"proc.cgroup", REPLAY_VT_STRING, S_CGROUP},
    {"proc.cgroup_id", REPLAY_VT_INT, S_CGROUP_ID},
    {"proc.cgroup_v1", REPLAY_VT_STRING, S_CGROUP_V1},
    {"proc.parent_start_time", REPLAY_VT_INT, S_PSTART},
    {"proc.pidns_ino", REPLAY_VT_INT, S_PIDNS},
    {"proc.start_time", REPLAY_VT_INT, S_START},
    {"user.ruid", REPLAY_VT_INT, S_UID},
};

/* Rule fields (without argument) that set something. The others are only checked. */
static const struct {
	const char *name;
	enum slot slot;
} field_slots[] = {
    {"container.full_id", S_CT_FULL_ID},
    {"container.id", S_CT_ID},
    {"container.image", S_CT_IMAGE},
    {"container.image.digest", S_CT_DIGEST},
    {"container.image.repository", S_CT_REPO},
    {"container.image.tag", S_CT_TAG},
    {"container.name", S_CT_NAME},
    {"container.privileged", S_CT_PRIV},
    {"container.type", S_CT_TYPE},
    {"evt.failed", S_FAILED},
    {"evt.hostname", S_HOSTNAME},
    {"evt.is_open_create", S_OPEN_CREATE},
    {"evt.is_open_exec", S_OPEN_EXEC},
    {"evt.is_open_read", S_OPEN_READ},
    {"evt.is_open_write", S_OPEN_WRITE},
    {"evt.num", S_NUM},
    {"evt.rawres", S_RAWRES},
    {"evt.rawtime", S_RAWTIME},
    {"evt.rawtime.ns", S_RAWTIME_NS},
    {"evt.rawtime.s", S_RAWTIME_S},
    {"evt.res", S_RES},
    {"evt.time.iso8601", S_ISO8601},
    {"evt.type", S_EVT_TYPE},
    {"fd.dev", S_FD_DEV},
    {"fd.ino", S_FD_INO},
    {"fd.name", S_FD_NAME},
    {"fd.nameraw", S_FD_NAMERAW},
    {"fd.num", S_FD_NUM},
    {"fd.realpath", S_FD_REALPATH},
    {"fd.type", S_FD_TYPE},
    {"fd.typechar", S_FD_TYPECHAR},
    {"group.gid", S_GID},
    {"group.name", S_GROUP_NAME},
    {"k8s.ns.name", S_NS},
    {"k8s.pod.id", S_POD_UID},
    {"k8s.pod.name", S_POD_NAME},
    {"k8s.pod.uid", S_POD_UID},
    {"proc.args", S_ARGS},
    {"proc.cmdline", S_CMDLINE},
    {"proc.cwd", S_CWD},
    {"proc.duration", S_DURATION},
    {"proc.exe", S_EXE},
    {"proc.exe_ino", S_EXE_INO},
    {"proc.exe_ino.ctime", S_EXE_CTIME},
    {"proc.exe_ino.mtime", S_EXE_MTIME},
    {"proc.cmdnargs", S_CMDNARGS},
    {"proc.exepath", S_EXEPATH},
    {"proc.is_exe_from_memfd", S_MEMFD},
    {"proc.is_exe_upper_layer", S_UPPER},
    {"proc.is_exe_writable", S_WRITABLE},
    {"proc.is_sid_leader", S_SID_LEADER},
    {"proc.is_vpgid_leader", S_VPGID_LEADER},
    {"proc.name", S_NAME},
    {"proc.pcmdline", S_PCMDLINE},
    {"proc.pexe", S_PEXE},
    {"proc.pexepath", S_PEXEPATH},
    {"proc.pid", S_PID},
    {"proc.pid.ts", S_START},
    {"proc.pname", S_PNAME},
    {"proc.ppid", S_PPID},
    {"proc.ppid.duration", S_PDURATION},
    {"proc.ppid.ts", S_PPID_TS},
    {"proc.sid", S_SID},
    {"proc.tty", S_TTY},
    {"proc.vpgid", S_VPGID},
    {"proc.vpid", S_VPID},
    {"thread.cap_effective", S_CAP_EFF},
    {"thread.cap_permitted", S_CAP_PERM},
    {"thread.tid", S_TID},
    {"user.loginname", S_LOGINNAME},
    {"user.loginuid", S_LOGINUID},
    {"user.name", S_USER_NAME},
    {"user.uid", S_UID},
};

/* evt.arg[KEY] / evt.rawarg[KEY] that set something. */
static const struct {
	const char *key;
	enum slot slot;
} arg_slots[] = {
    {"dirfd", S_DIRFD}, {"filename", S_FILENAME}, {"flags", S_FLAGS},
    {"mode", S_MODE},	{"status", S_STATUS},
};

/* Fields replay cannot rebuild from what a capture records: accepted, not checked. */
static const char *const unchecked[] = {
    "evt.datetime",   "evt.time",	    "evt.time.s",      "proc.sname",
    "proc.vpgid.exe", "proc.vpgid.exepath", "proc.vpgid.name",
};

/* Ancestor list fields, by the member of struct anc they set. */
enum { A_NAME = 0, A_PID, A_EXEPATH, A_EXE, A_CMDLINE, A_COUNT };
static const char *const anc_fields[A_COUNT] = {"proc.aname", "proc.apid", "proc.aexepath",
						"proc.aexe", "proc.acmdline"};
static const enum slot anc_self_slot[A_COUNT] = {S_NAME, S_PID, S_EXEPATH, S_EXE, S_CMDLINE};

struct given {
	const cJSON *item;
	const struct osp_field *f;
	struct osp_farg arg;
	bool list; /* every ancestor: the value is an array */
};

struct kvin {
	const char *key;
	size_t keylen;
	const cJSON *val;
};

struct build {
	struct replay *rp;
	struct replay_event *re;
	struct replay_err *err;
	int et;
	const cJSON *slot[S_COUNT];
	const char *slot_key[S_COUNT];
	const cJSON *anc[MAXANC + 1][A_COUNT];
	unsigned int nanc;
	struct given *given;
	size_t ngiven;
	struct kvin clab[MAXLABELS], plab[MAXLABELS];
	size_t nclab, nplab;
	struct osp_proc ancp[MAXANC + 1];
};

__attribute__((format(printf, 3, 4))) static int fail(struct build *b, const char *key,
						      const char *fmt, ...)
{
	va_list ap;

	snprintf(b->err->key, sizeof(b->err->key), "%s", key ? key : "");
	va_start(ap, fmt);
	vsnprintf(b->err->msg, sizeof(b->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *json_type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsArray(v))
		return "a list";
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsNull(v))
		return "null";
	return "an invalid value";
}

/* ---- typed values ---- */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* An exact integer: from the text replay_parse_json() kept, else from the double when it is exact. */
static int num_i64(const cJSON *v, int64_t *out)
{
	const char *t;
	char *end;
	long long x;

	if (!cJSON_IsNumber(v))
		return -EINVAL;
	t = v->valuestring;
	if (!t) {
		double d = v->valuedouble;

		if (d != (double)(int64_t)d || d > 9007199254740992.0 || d < -9007199254740992.0)
			return -EINVAL;
		*out = (int64_t)d;
		return 0;
	}
	if (!all_digits(t[0] == '-' ? t + 1 : t))
		return -EINVAL;
	errno = 0;
	x = strtoll(t, &end, 10);
	if (errno || *end)
		return -ERANGE;
	*out = x;
	return 0;
}

static int num_u64(const cJSON *v, uint64_t *out)
{
	const char *t;
	char *end;
	unsigned long long x;
	int64_t i;

	if (!cJSON_IsNumber(v))
		return -EINVAL;
	t = v->valuestring;
	if (!t) {
		if (num_i64(v, &i) || i < 0)
			return -EINVAL;
		*out = (uint64_t)i;
		return 0;
	}
	if (!all_digits(t))
		return -EINVAL;
	errno = 0;
	x = strtoull(t, &end, 10);
	if (errno || *end)
		return -ERANGE;
	*out = x;
	return 0;
}

static int get_u64(struct build *b, enum slot s, uint64_t *out)
{
	int r = num_u64(b->slot[s], out);

	if (r)
		return fail(b, b->slot_key[s], "expected an integer from 0 to 2^64-1");
	return 0;
}

static int get_u32(struct build *b, enum slot s, uint32_t *out)
{
	uint64_t v;
	int r = get_u64(b, s, &v);

	if (r)
		return r;
	if (v > UINT32_MAX)
		return fail(b, b->slot_key[s], "%" PRIu64 " does not fit 32 bits", v);
	*out = (uint32_t)v;
	return 0;
}

static int get_i64(struct build *b, enum slot s, int64_t *out)
{
	if (num_i64(b->slot[s], out))
		return fail(b, b->slot_key[s], "expected a 64-bit integer");
	return 0;
}

/* A string value checked against a length bound; NULL (and 0) when the slot is empty or null. */
static int get_str(struct build *b, const cJSON *v, const char *key, size_t max, const char **out)
{
	size_t n;

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring)
		return fail(b, key, "expected a string, got %s", json_type_name(v));
	n = strlen(v->valuestring);
	if (n > max)
		return fail(b, key, "%zu bytes, longer than the %zu bytes Osprey captures", n, max);
	*out = v->valuestring;
	return 0;
}

/* Copies a string value into the event's store as an osp_str (absent when not given). */
static int set_ostr(struct build *b, enum slot s, size_t max, struct osp_str *dst)
{
	const char *v;
	int r = get_str(b, b->slot[s], b->slot_key[s], max, &v);

	if (r || !v)
		return r;
	dst->p = store_str(&b->re->store, v, strlen(v));
	if (!dst->p)
		return -ENOMEM;
	dst->len = (uint32_t)strlen(v);
	return 0;
}

static bool is_true(const cJSON *v)
{
	return v && cJSON_IsTrue(v);
}

/* ---- pass 1: classify ---- */

static enum slot find_field_slot(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(field_slots) / sizeof(field_slots[0]); i++)
		if (!strcmp(field_slots[i].name, name))
			return field_slots[i].slot;
	return S_NONE;
}

static int capture_index(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(capture_keys) / sizeof(capture_keys[0]); i++)
		if (!strcmp(capture_keys[i].name, key))
			return (int)i;
	return -1;
}

static bool value_has_type(const cJSON *v, enum replay_vtype t)
{
	switch (t) {
	case REPLAY_VT_INT:
		return cJSON_IsNumber(v);
	case REPLAY_VT_BOOL:
		return cJSON_IsBool(v);
	case REPLAY_VT_LIST:
		return cJSON_IsArray(v);
	case REPLAY_VT_OBJECT:
		return cJSON_IsObject(v);
	default:
		return cJSON_IsString(v);
	}
}

/* Splits "name[arg]" into its parts; returns -1 when the brackets are malformed. */
static int split_key(const char *key, size_t *nlen, const char **argp, size_t *alen)
{
	const char *br = strchr(key, '[');
	size_t n = strlen(key);

	*argp = NULL;
	*alen = 0;
	*nlen = n;
	if (!br)
		return strchr(key, ']') ? -1 : 0;
	if (n < 2 || key[n - 1] != ']' || memchr(br + 1, '[', (size_t)(key + n - 1 - (br + 1))))
		return -1;
	*nlen = (size_t)(br - key);
	*argp = br + 1;
	*alen = (size_t)(key + n - 1 - (br + 1));
	return 0;
}

static int value_type_ok(const struct osp_field *f, const struct osp_farg *arg, const cJSON *v,
			 bool *list)
{
	*list = (f->flags & OSP_FF_ANY_NOARG) && !arg->has;
	if (cJSON_IsNull(v))
		return 1;
	if (*list)
		return cJSON_IsArray(v);
	switch (f->type) {
	case OSP_FT_INT64:
	case OSP_FT_UINT64:
		return cJSON_IsNumber(v);
	case OSP_FT_BOOL:
		return cJSON_IsBool(v);
	default:
		return cJSON_IsString(v);
	}
}

static const char *ftype_want(const struct osp_field *f, bool list)
{
	if (list)
		return "a list";
	switch (f->type) {
	case OSP_FT_INT64:
	case OSP_FT_UINT64:
		return "an integer";
	case OSP_FT_BOOL:
		return "a boolean";
	default:
		return "a string";
	}
}

static int note_label(struct build *b, bool pod, const char *key, const struct osp_farg *arg,
		      const cJSON *v)
{
	struct kvin *tab = pod ? b->plab : b->clab;
	size_t *n = pod ? &b->nplab : &b->nclab;

	if (*n >= MAXLABELS)
		return fail(b, key, "more than %d labels", MAXLABELS);
	tab[*n].key = arg->key;
	tab[*n].keylen = arg->keylen;
	tab[*n].val = v;
	(*n)++;
	return 0;
}

static int note_ancestor(struct build *b, const char *key, int member, const struct osp_farg *arg,
			 const cJSON *v)
{
	if (!arg->has) { /* the list, parent first */
		const cJSON *it;
		unsigned int k = 0;

		cJSON_ArrayForEach(it, v)
		{
			if (++k > MAXANC)
				return fail(b, key, "more than %d ancestors", MAXANC);
			b->anc[k][member] = it;
		}
		if (k > b->nanc)
			b->nanc = k;
		return 0;
	}
	if (!arg->is_index)
		return fail(b, key, "the argument must be an ancestor number");
	if (arg->idx > MAXANC)
		return fail(b, key, "ancestor %" PRId64 " is beyond the %d Osprey follows",
			    arg->idx, MAXANC);
	if (arg->idx == 0) {
		if (!b->slot[anc_self_slot[member]]) {
			b->slot[anc_self_slot[member]] = v;
			b->slot_key[anc_self_slot[member]] = key;
		}
		return 0;
	}
	b->anc[arg->idx][member] = v;
	if ((unsigned int)arg->idx > b->nanc)
		b->nanc = (unsigned int)arg->idx;
	return 0;
}

static void note_slot(struct build *b, enum slot s, const char *key, const cJSON *v)
{
	if (s == S_NONE || cJSON_IsNull(v))
		return;
	b->slot[s] = v;
	b->slot_key[s] = key;
}

static int classify(struct build *b, const cJSON *obj)
{
	const cJSON *it, *o2;

	cJSON_ArrayForEach(it, obj)
	{
		const char *key = it->string, *argp, *why = NULL;
		const struct osp_field *f;
		struct osp_farg arg;
		size_t nlen, alen, i;
		char name[128];
		int ci;
		bool list;

		if (!key || !*key)
			return fail(b, "", "an empty key");
		for (o2 = obj->child; o2 != it; o2 = o2->next)
			if (!strcmp(o2->string, key))
				return fail(b, key, "given twice");
		if (b->ngiven >= MAXKEYS)
			return fail(b, key, "more than %d keys", MAXKEYS);
		ci = capture_index(key);
		if (ci >= 0 && value_has_type(it, capture_keys[ci].type)) {
			note_slot(b, capture_keys[ci].slot, key, it);
			continue;
		}
		if (split_key(key, &nlen, &argp, &alen) || nlen >= sizeof(name))
			return fail(b, key, "unknown field");
		memcpy(name, key, nlen);
		name[nlen] = '\0';
		f = fields_resolve(name, nlen, argp, alen, &arg, &why);
		/* NAME.KEY: the key points into name, a prefix copy of key: point it at key */
		if (f && arg.key >= name && arg.key < name + sizeof(name))
			arg.key = key + (arg.key - name);
		if (!f) {
			if (ci >= 0)
				return fail(b, key, "expected %s, got %s",
					    capture_keys[ci].type == REPLAY_VT_INT    ? "an integer"
					    : capture_keys[ci].type == REPLAY_VT_BOOL ? "a boolean"
					    : capture_keys[ci].type == REPLAY_VT_LIST ? "a list"
					    : capture_keys[ci].type == REPLAY_VT_OBJECT
						? "an object"
						: "a string",
					    json_type_name(it));
			return fail(b, key, "%s", why ? why : "unknown field");
		}
		if (!fields_supplied(f, &arg))
			return fail(b, key, "no event Osprey traces supplies this field");
		if (!(fields_supplied(f, &arg) & OSP_ETM(b->et)))
			return fail(b, key, "%s events do not supply this field",
				    vocab_evt_name(b->et));
		if (!value_type_ok(f, &arg, it, &list))
			return fail(b, key, "expected %s, got %s", ftype_want(f, list),
				    json_type_name(it));
		b->given[b->ngiven].item = it;
		b->given[b->ngiven].f = f;
		b->given[b->ngiven].arg = arg;
		b->given[b->ngiven].list = list;
		b->ngiven++;
		if (cJSON_IsNull(it))
			continue;
		for (i = 0; i < A_COUNT; i++)
			if (!strcmp(f->name, anc_fields[i]))
				break;
		if (i < A_COUNT) {
			int r = note_ancestor(b, key, (int)i, &arg, it);

			if (r)
				return r;
			continue;
		}
		if (arg.has && !arg.is_index &&
		    (!strcmp(f->name, "container.label") || !strcmp(f->name, "container.labels") ||
		     !strcmp(f->name, "k8s.pod.label") || !strcmp(f->name, "k8s.pod.labels"))) {
			int r = note_label(b, f->name[0] == 'k', key, &arg, it);

			if (r)
				return r;
			continue;
		}
		if (arg.has && (!strcmp(f->name, "evt.arg") || !strcmp(f->name, "evt.rawarg"))) {
			for (i = 0; i < sizeof(arg_slots) / sizeof(arg_slots[0]); i++)
				if (strlen(arg_slots[i].key) == arg.keylen &&
				    !memcmp(arg_slots[i].key, arg.key, arg.keylen) &&
				    !b->slot[arg_slots[i].slot])
					note_slot(b, arg_slots[i].slot, key, it);
			continue;
		}
		if (!arg.has)
			note_slot(b, find_field_slot(f->name), key, it);
	}
	return 0;
}

/* ---- pass 2: build ---- */

static int set_comm(struct build *b, struct osp_proc *p, const char *name, const char *key)
{
	size_t n = strlen(name);

	if (n >= OSP_COMM_LEN)
		return fail(b, key,
			    "'%s' is longer than the 15 characters of a process name (comm)", name);
	memcpy(p->comm, name, n + 1);
	return 0;
}

/* argv from proc.argv (exact), or argv[0] (proc.exe, else the name) and the arguments split at each
 * space (from proc.args, else proc.cmdline without its leading name). */
static int set_args(struct build *b, struct osp_proc *p, const cJSON *argv, const cJSON *exe,
		    const cJSON *args, const cJSON *cmdline, const char *key)
{
	char buf[OSP_ARGS_MAX];
	const char *a0 = NULL, *rest = NULL, *cl = NULL, *s;
	size_t off = 0, n;
	uint32_t argc = 0;
	int r;

	if (argv) {
		const cJSON *it;

		cJSON_ArrayForEach(it, argv)
		{
			if (!cJSON_IsString(it))
				return fail(b, key, "expected a list of strings");
			n = strlen(it->valuestring);
			if (off + n + 1 > sizeof(buf))
				return fail(b, key,
					    "longer than the %d bytes of argv Osprey captures",
					    OSP_ARGS_MAX);
			memcpy(buf + off, it->valuestring, n + 1);
			off += n + 1;
			argc++;
		}
		goto done;
	}
	if (!exe && !args && !cmdline)
		return 0;
	if ((r = get_str(b, exe, key, OSP_ARGS_MAX, &a0)) ||
	    (r = get_str(b, args, key, OSP_ARGS_MAX, &rest)) ||
	    (r = get_str(b, cmdline, key, OSP_ARGS_MAX + OSP_COMM_LEN, &cl)))
		return r;
	if (cl && !p->comm[0]) { /* the name is the command line's first word */
		s = strchr(cl, ' ');
		n = s ? (size_t)(s - cl) : strlen(cl);
		if (n && n < OSP_COMM_LEN) {
			memcpy(p->comm, cl, n);
			p->comm[n] = '\0';
		}
	}
	if (!rest && cl) {
		n = strlen(p->comm);
		if (n && !strncmp(cl, p->comm, n) && cl[n] == ' ')
			rest = cl + n + 1;
	}
	if (!a0)
		a0 = p->comm;
	n = strlen(a0);
	if (n + 1 > sizeof(buf))
		return fail(b, key, "longer than the %d bytes of argv Osprey captures",
			    OSP_ARGS_MAX);
	memcpy(buf, a0, n + 1);
	off = n + 1;
	argc = 1;
	if (rest && *rest) {
		uint64_t want = 0;

		if (p == &b->re->self && b->slot[S_CMDNARGS] && num_u64(b->slot[S_CMDNARGS], &want))
			want = 0;
		n = strlen(rest);
		if (off + n + 1 > sizeof(buf))
			return fail(b, key, "longer than the %d bytes of argv Osprey captures",
				    OSP_ARGS_MAX);
		for (s = rest; *s; s++) {
			bool sep = *s == ' ' && (!want || argc < want);

			buf[off++] = sep ? '\0' : *s;
			argc += sep;
		}
		buf[off++] = '\0';
		argc++;
	}
done:
	if (!argc)
		return 0;
	p->args.p = store_str(&b->re->store, buf, off);
	if (!p->args.p)
		return -ENOMEM;
	p->args.len = (uint32_t)off;
	p->argc = argc;
	return 0;
}

/* Parses a list of names separated by sep ("CAP_A CAP_B", "O_RDWR|O_CREAT") with lookup(). */
static int parse_names(struct build *b, enum slot s, char sep,
		       int (*lookup)(const char *w, size_t n, uint64_t *bits), uint64_t *out)
{
	const char *v, *w, *e;
	int r = get_str(b, b->slot[s], b->slot_key[s], STR_MAX, &v);

	*out = 0;
	if (r || !v)
		return r;
	for (w = v; *w; w = *e ? e + 1 : e) {
		uint64_t bit = 0;

		e = strchr(w, sep);
		if (!e)
			e = w + strlen(w);
		if (e == w)
			continue;
		if (lookup(w, (size_t)(e - w), &bit))
			return fail(b, b->slot_key[s], "unknown name '%.*s'", (int)(e - w), w);
		*out |= bit;
	}
	return 0;
}

static int cap_lookup(const char *w, size_t n, uint64_t *bits)
{
	return vocab_flag_lookup(vocab_caps, vocab_ncaps, w, n, bits);
}

static int exe_flag_lookup(const char *w, size_t n, uint64_t *bits)
{
	return vocab_flag_lookup(vocab_exe_flags, vocab_nexe_flags, w, n, bits);
}

/* Integer or text ("0644", "-100", "3") of a slot that both forms set. base: for the text. */
static int get_num_or_text(struct build *b, enum slot s, int base, int64_t *out)
{
	const cJSON *v = b->slot[s];
	char *end;
	long long x;

	if (cJSON_IsNumber(v))
		return get_i64(b, s, out);
	if (!cJSON_IsString(v) || !*v->valuestring)
		return fail(b, b->slot_key[s], "expected a number");
	errno = 0;
	x = strtoll(v->valuestring, &end, base);
	if (errno || *end)
		return fail(b, b->slot_key[s], "'%s' is not a number", v->valuestring);
	*out = x;
	return 0;
}

static int build_self(struct build *b, struct osp_proc *p)
{
	uint64_t u;
	int64_t i;
	int r;

	p->loginuid = UINT32_MAX;
	if (b->slot[S_NAME]) {
		const char *n;

		if ((r = get_str(b, b->slot[S_NAME], b->slot_key[S_NAME], STR_MAX, &n)) ||
		    (r = set_comm(b, p, n, b->slot_key[S_NAME])))
			return r;
	}
	if ((r = set_args(b, p, b->slot[S_ARGV], b->slot[S_EXE], b->slot[S_ARGS],
			  b->slot[S_CMDLINE],
			  b->slot_key[S_ARGV]	? b->slot_key[S_ARGV]
			  : b->slot_key[S_ARGS] ? b->slot_key[S_ARGS]
			  : b->slot_key[S_EXE]	? b->slot_key[S_EXE]
						: b->slot_key[S_CMDLINE])))
		return r;
	if ((r = set_ostr(b, S_EXEPATH, OSP_PATH_MAX - 1, &p->exepath)) ||
	    (r = set_ostr(b, S_CWD, OSP_PATH_MAX - 1, &p->cwd)) ||
	    (r = set_ostr(b, S_FILENAME, OSP_PATH_MAX - 1, &p->filename)) ||
	    (r = set_ostr(b, S_CGROUP, OSP_CGROUP_MAX - 1, &p->cgroup)) ||
	    (r = set_ostr(b, S_CGROUP_V1, OSP_CGROUP_MAX - 1, &p->cgroup_v1)))
		return r;
#define U32(sl, member)                                                                            \
	do {                                                                                       \
		if (b->slot[sl] && (r = get_u32(b, sl, &p->member)))                               \
			return r;                                                                  \
	} while (0)
	U32(S_PID, tgid);
	U32(S_PPID, ppid);
	U32(S_VPID, vpid);
	U32(S_SID, sid);
	U32(S_VPGID, vpgid);
	U32(S_TTY, tty_dev);
	U32(S_UID, uid);
	U32(S_GID, gid);
	U32(S_PIDNS, pidns_ino);
#undef U32
	p->euid = p->uid;
	p->egid = p->gid;
	if (b->slot[S_LOGINUID]) {
		if ((r = get_i64(b, S_LOGINUID, &i)))
			return r;
		if (i < -1 || i > (int64_t)UINT32_MAX)
			return fail(b, b->slot_key[S_LOGINUID], "not a user id");
		p->loginuid = i == -1 ? UINT32_MAX : (uint32_t)i;
	}
	if (b->slot[S_START] && (r = get_u64(b, S_START, &p->start_time)))
		return r;
	if (b->slot[S_PSTART] && (r = get_u64(b, S_PSTART, &p->parent_start_time)))
		return r;
	if (b->slot[S_CGROUP_ID] && (r = get_u64(b, S_CGROUP_ID, &p->cgroup_id)))
		return r;
	if (b->slot[S_EXE_CTIME] && (r = get_u64(b, S_EXE_CTIME, &p->exe_ctime)))
		return r;
	if (b->slot[S_EXE_MTIME] && (r = get_u64(b, S_EXE_MTIME, &p->exe_mtime)))
		return r;
	if (!p->parent_start_time && b->slot[S_PPID_TS] &&
	    (r = get_u64(b, S_PPID_TS, &p->parent_start_time)))
		return r;
	if (b->slot[S_EXE_INO]) {
		if ((r = get_i64(b, S_EXE_INO, &i)))
			return r;
		p->exe_ino = (uint64_t)i;
	}
	if ((r = parse_names(b, S_CAP_EFF, ' ', cap_lookup, &p->cap_effective)) ||
	    (r = parse_names(b, S_CAP_PERM, ' ', cap_lookup, &p->cap_permitted)))
		return r;
	if (b->et == OSP_ET_EXECVE || b->et == OSP_ET_EXECVEAT) {
		if (b->slot[S_FLAGS] && cJSON_IsString(b->slot[S_FLAGS])) {
			if ((r = parse_names(b, S_FLAGS, '|', exe_flag_lookup, &u)))
				return r;
			p->flags |= (uint32_t)u;
		}
	}
	if (is_true(b->slot[S_UPPER]))
		p->flags |= OSP_F_EXE_UPPER;
	if (is_true(b->slot[S_MEMFD]))
		p->flags |= OSP_F_EXE_MEMFD;
	if (is_true(b->slot[S_WRITABLE]))
		p->flags |= OSP_PF_EXE_WRITABLE;
	if (b->slot[S_SID_LEADER] && !b->slot[S_SID])
		p->sid = is_true(b->slot[S_SID_LEADER]) ? p->tgid : (p->tgid == 1 ? 2 : 1);
	if (b->slot[S_VPGID_LEADER]) {
		if (!p->vpid)
			p->vpid = p->tgid;
		if (!b->slot[S_VPGID])
			p->vpgid = is_true(b->slot[S_VPGID_LEADER]) ? p->vpid : p->vpid + 1;
	}
	return 0;
}

static int build_ancestor(struct build *b, unsigned int k, struct osp_proc *p)
{
	const cJSON **a = b->anc[k];
	const cJSON *name = a[A_NAME], *pid = a[A_PID], *exepath = a[A_EXEPATH], *exe = a[A_EXE],
		    *cmd = a[A_CMDLINE];
	const char *s, *key = anc_fields[A_NAME];
	int64_t v;
	int r;

	if (k == 1) { /* proc.pname & co. win over the lists (the check compares both) */
		if (b->slot[S_PNAME])
			name = b->slot[S_PNAME];
		if (b->slot[S_PEXEPATH])
			exepath = b->slot[S_PEXEPATH];
		if (b->slot[S_PEXE])
			exe = b->slot[S_PEXE];
		if (b->slot[S_PCMDLINE])
			cmd = b->slot[S_PCMDLINE];
		if (!pid && b->slot[S_PPID])
			pid = b->slot[S_PPID];
	}
	memset(p, 0, sizeof(*p));
	p->loginuid = UINT32_MAX;
	if (name && !cJSON_IsNull(name)) {
		if ((r = get_str(b, name, key, STR_MAX, &s)) || (r = set_comm(b, p, s, key)))
			return r;
	}
	if (pid && !cJSON_IsNull(pid)) {
		if (num_i64(pid, &v) || v <= 0 || v > (int64_t)UINT32_MAX)
			return fail(b, anc_fields[A_PID], "ancestor %u: expected a process id", k);
		p->tgid = (uint32_t)v;
	} else {
		p->tgid = b->rp->next_pid++;
	}
	p->vpid = p->tgid;
	if (exepath && !cJSON_IsNull(exepath)) {
		if ((r = get_str(b, exepath, anc_fields[A_EXEPATH], OSP_PATH_MAX - 1, &s)))
			return r;
		p->exepath.p = store_str(&b->re->store, s, strlen(s));
		if (!p->exepath.p)
			return -ENOMEM;
		p->exepath.len = (uint32_t)strlen(s);
	}
	if (exe && cJSON_IsNull(exe))
		exe = NULL;
	if (cmd && cJSON_IsNull(cmd))
		cmd = NULL;
	return set_args(b, p, NULL, exe, NULL, cmd, anc_fields[A_CMDLINE]);
}

static int build_open(struct build *b, struct osp_event *ev)
{
	struct osp_open_info *o = &ev->open;
	uint64_t u;
	int64_t i;
	int r;

	o->res = 3;
	o->dirfd = -100; /* AT_FDCWD */
	if (b->slot[S_FAILED] && is_true(b->slot[S_FAILED]))
		o->res = -ENOENT;
	if (b->slot[S_RES]) {
		const char *s;
		int e;

		if ((r = get_str(b, b->slot[S_RES], b->slot_key[S_RES], 64, &s)))
			return r;
		if (s && strcmp(s, "SUCCESS")) {
			for (e = 1; e < 4096; e++) {
				const char *n = strerrorname_np(e);

				if (n && !strcmp(n, s))
					break;
			}
			if (e == 4096)
				return fail(b, b->slot_key[S_RES], "unknown errno name '%s'", s);
			o->res = -e;
		}
	}
	if (b->slot[S_FD_NUM]) {
		if ((r = get_num_or_text(b, S_FD_NUM, 10, &i)))
			return r;
		if (i >= 0)
			o->res = i;
	}
	if (b->slot[S_RAWRES] && (r = get_i64(b, S_RAWRES, &o->res)))
		return r;
	if (b->slot[S_FLAGS_RAW]) {
		if ((r = get_u32(b, S_FLAGS_RAW, &o->flags)))
			return r;
	} else if (b->slot[S_FLAGS]) {
		if (cJSON_IsNumber(b->slot[S_FLAGS])) {
			if ((r = get_u32(b, S_FLAGS, &o->flags)))
				return r;
		} else {
			if ((r = parse_names(b, S_FLAGS, '|', vocab_open_flag_lookup, &u)))
				return r;
			o->flags = (uint32_t)u;
		}
	} else {
		bool rd = is_true(b->slot[S_OPEN_READ]), wr = is_true(b->slot[S_OPEN_WRITE]);
		const cJSON *t = b->slot[S_FD_TYPE];
		const cJSON *tc = b->slot[S_FD_TYPECHAR];

		if (b->et == OSP_ET_CREAT && !b->slot[S_OPEN_WRITE])
			wr = true;
		o->flags = rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
		if (is_true(b->slot[S_OPEN_CREATE]) || is_true(b->slot[S_OPEN_EXEC]) ||
		    b->et == OSP_ET_CREAT)
			o->flags |= O_CREAT;
		if (b->et == OSP_ET_CREAT)
			o->flags |= O_TRUNC;
		if ((t && cJSON_IsString(t) && !strcmp(t->valuestring, "directory")) ||
		    (tc && cJSON_IsString(tc) && !strcmp(tc->valuestring, "d")))
			o->flags |= O_DIRECTORY;
	}
	if (b->slot[S_MODE]) {
		if ((r = get_num_or_text(b, S_MODE, 8, &i)))
			return r;
		o->mode = (uint32_t)i;
	} else if (is_true(b->slot[S_OPEN_EXEC])) {
		o->mode = 0755;
	}
	if (b->slot[S_DIRFD]) {
		if ((r = get_num_or_text(b, S_DIRFD, 10, &i)))
			return r;
		o->dirfd = (int32_t)i;
	}
	if ((r = set_ostr(b, S_FD_NAME, OSP_PATH_MAX - 1, &o->name)) ||
	    (r = set_ostr(b, S_FD_NAMERAW, OSP_PATH_MAX - 1, &o->nameraw)) ||
	    (r = set_ostr(b, S_FD_REALPATH, OSP_PATH_MAX - 1, &o->realpath)))
		return r;
	if (b->slot[S_FD_INO] && (r = get_u64(b, S_FD_INO, &o->ino)))
		return r;
	if (b->slot[S_FD_DEV] && (r = get_u32(b, S_FD_DEV, &o->dev)))
		return r;
	if (b->slot[S_FD_DEV] && !o->ino)
		o->ino = 1; /* fd.dev reads as missing without an inode */
	if (is_true(b->slot[S_NAME_TRUNC]))
		o->eflags |= OSP_F_PATH_TRUNC;
	return 0;
}

static int copy_cstr(struct build *b, enum slot s, char **dst)
{
	const char *v;
	int r = get_str(b, b->slot[s], b->slot_key[s], STR_MAX, &v);

	if (r)
		return r;
	*dst = store_str(&b->re->store, v ? v : "", v ? strlen(v) : 0);
	return *dst ? 0 : -ENOMEM;
}

static int build_labels(struct build *b, const cJSON *obj, const struct kvin *keyed, size_t nkeyed,
			const char *key, struct osp_kv **out, uint32_t *nout)
{
	const cJSON *it;
	struct osp_kv *kv;
	size_t n = 0, i, j;

	cJSON_ArrayForEach(it, obj)
	{
		n++;
	}
	if (n + nkeyed > MAXLABELS)
		return fail(b, key, "more than %d labels", MAXLABELS);
	kv = (struct osp_kv *)store_alloc(&b->re->store, (n + nkeyed + 1) * sizeof(*kv));
	if (!kv)
		return -ENOMEM;
	n = 0;
	cJSON_ArrayForEach(it, obj)
	{
		if (!cJSON_IsString(it) || strlen(it->valuestring) > STR_MAX)
			return fail(b, key, "label '%s': expected a string", it->string);
		kv[n].key = store_str(&b->re->store, it->string, strlen(it->string));
		kv[n].value = store_str(&b->re->store, it->valuestring, strlen(it->valuestring));
		if (!kv[n].key || !kv[n].value)
			return -ENOMEM;
		n++;
	}
	for (i = 0; i < nkeyed; i++) {
		const char *v;
		int r = get_str(b, keyed[i].val, key, STR_MAX, &v);

		if (r)
			return r;
		for (j = 0; j < n; j++)
			if (strlen(kv[j].key) == keyed[i].keylen &&
			    !memcmp(kv[j].key, keyed[i].key, keyed[i].keylen))
				break;
		if (j == n) {
			kv[n].key = store_str(&b->re->store, keyed[i].key, keyed[i].keylen);
			if (!kv[n].key)
				return -ENOMEM;
			n++;
		}
		kv[j].value = store_str(&b->re->store, v, strlen(v));
		if (!kv[j].value)
			return -ENOMEM;
	}
	*out = kv;
	*nout = (uint32_t)n;
	return 0;
}

static int build_container(struct build *b, struct osp_container **out)
{
	static const struct {
		const char *name;
		enum osp_runtime rt;
	} rts[] = {
	    {"host", OSP_RT_HOST},  {"docker", OSP_RT_DOCKER}, {"containerd", OSP_RT_CONTAINERD},
	    {"cri-o", OSP_RT_CRIO}, {"podman", OSP_RT_PODMAN},
	};
	struct osp_container *c;
	const char *id = NULL, *full = NULL, *type = NULL;
	bool any = false;
	size_t i;
	int r;

	for (i = S_CT_ID; i <= S_POD_LABELS; i++)
		any |= b->slot[i] != NULL;
	if (!any && !b->nclab && !b->nplab)
		return 0;
	c = (struct osp_container *)store_alloc(&b->re->store, sizeof(*c));
	if (!c)
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	c->privileged = -1;
	c->metadata_complete = true;
	if ((r = get_str(b, b->slot[S_CT_ID], b->slot_key[S_CT_ID], 64, &id)) ||
	    (r = get_str(b, b->slot[S_CT_FULL_ID], b->slot_key[S_CT_FULL_ID], OSP_CT_ID_LEN,
			 &full)) ||
	    (r = get_str(b, b->slot[S_CT_TYPE], b->slot_key[S_CT_TYPE], 32, &type)))
		return r;
	c->runtime = OSP_RT_UNKNOWN_CONTAINER;
	if (type) {
		for (i = 0; i < sizeof(rts) / sizeof(rts[0]); i++)
			if (!strcmp(rts[i].name, type))
				break;
		if (i == sizeof(rts) / sizeof(rts[0]))
			return fail(b, b->slot_key[S_CT_TYPE], "unknown container type '%s'", type);
		c->runtime = rts[i].rt;
	} else if (id && !strcmp(id, "host")) {
		c->runtime = OSP_RT_HOST;
	}
	if (id && strlen(id) > 12 && strcmp(id, "host"))
		return fail(b, b->slot_key[S_CT_ID], "a container id has 12 characters");
	snprintf(c->id, sizeof(c->id), "%s", id ? id : "");
	snprintf(c->full_id, sizeof(c->full_id), "%s", full ? full : c->id);
	if ((r = copy_cstr(b, S_CT_NAME, &c->name)) || (r = copy_cstr(b, S_CT_IMAGE, &c->image)) ||
	    (r = copy_cstr(b, S_CT_REPO, &c->image_repository)) ||
	    (r = copy_cstr(b, S_CT_TAG, &c->image_tag)) ||
	    (r = copy_cstr(b, S_CT_DIGEST, &c->image_digest)) ||
	    (r = copy_cstr(b, S_POD_NAME, &c->pod_name)) ||
	    (r = copy_cstr(b, S_POD_UID, &c->pod_uid)) ||
	    (r = copy_cstr(b, S_NS, &c->pod_namespace)))
		return r;
	if (b->slot[S_CT_PRIV])
		c->privileged = is_true(b->slot[S_CT_PRIV]) ? 1 : 0;
	if ((r = build_labels(b, b->slot[S_CT_LABELS], b->clab, b->nclab, "container.labels",
			      &c->labels, &c->nlabels)) ||
	    (r = build_labels(b, b->slot[S_POD_LABELS], b->plab, b->nplab, "k8s.pod.labels",
			      &c->pod_labels, &c->npod_labels)))
		return r;
	*out = c;
	return 0;
}

static int build_time(struct build *b, struct osp_event *ev)
{
	uint64_t s = 0, ns = 0;
	int r;

	if (b->slot[S_RAWTIME])
		return get_u64(b, S_RAWTIME, &ev->ts);
	if (b->slot[S_RAWTIME_S] || b->slot[S_RAWTIME_NS]) {
		if ((b->slot[S_RAWTIME_S] && (r = get_u64(b, S_RAWTIME_S, &s))) ||
		    (b->slot[S_RAWTIME_NS] && (r = get_u64(b, S_RAWTIME_NS, &ns))))
			return r;
		ev->ts = s * 1000000000ull + ns;
		return 0;
	}
	if (b->slot[S_ISO8601]) {
		const char *v, *rest;
		struct tm tm;
		char *end;
		unsigned long frac = 0;

		if ((r = get_str(b, b->slot[S_ISO8601], b->slot_key[S_ISO8601], 64, &v)))
			return r;
		memset(&tm, 0, sizeof(tm));
		rest = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm);
		if (rest && *rest == '.') {
			errno = 0;
			frac = strtoul(rest + 1, &end, 10);
			if (errno || end - (rest + 1) != 9)
				rest = NULL;
			else
				rest = end;
		}
		if (!rest || strcmp(rest, "Z"))
			return fail(b, b->slot_key[S_ISO8601],
				    "expected YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ");
		ev->ts = (uint64_t)timegm(&tm) * 1000000000ull + frac;
	}
	return 0;
}

/* ---- names: <dir>/proc/<pid>/root -> <dir>/roots/<n>, which holds etc/passwd and etc/group ---- */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t n = strlen(text), off = 0;
	int ret = 0;

	if (fd < 0)
		return -errno;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);

		if (w < 0) {
			ret = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

static int valid_name(struct build *b, enum slot s, const char **out)
{
	int r = get_str(b, b->slot[s], b->slot_key[s], NAME_MAX_LEN, out);

	if (r || !*out)
		return r;
	if (!**out || strpbrk(*out, ":\n"))
		return fail(b, b->slot_key[s], "not a valid user or group name");
	return 0;
}

/* The root holding exactly these names: made once per distinct content. Returns its number. */
static int name_root(struct build *b, const struct osp_proc *p, int *out)
{
	struct replay *rp = b->rp;
	const char *user = NULL, *group = NULL, *login = NULL;
	char passwd[256], grp[128], sig[400], path[4200];
	size_t i;
	int r, n;

	if ((r = valid_name(b, S_USER_NAME, &user)) || (r = valid_name(b, S_GROUP_NAME, &group)) ||
	    (r = valid_name(b, S_LOGINNAME, &login)))
		return r;
	if (user && login && p->loginuid == p->uid && strcmp(user, login))
		return fail(b, b->slot_key[S_LOGINNAME],
			    "'%s' and user.name '%s' name the same uid %u", login, user, p->uid);
	n = 0;
	passwd[0] = '\0';
	if (user)
		n = snprintf(passwd, sizeof(passwd), "%s:x:%u:%u::/:/bin/false\n", user, p->uid,
			     p->gid);
	if (login && p->loginuid != UINT32_MAX && !(user && p->loginuid == p->uid))
		snprintf(passwd + n, sizeof(passwd) - (size_t)n, "%s:x:%u:%u::/:/bin/false\n",
			 login, p->loginuid, p->gid);
	grp[0] = '\0';
	if (group)
		snprintf(grp, sizeof(grp), "%s:x:%u:\n", group, p->gid);
	snprintf(sig, sizeof(sig), "%s|%s", passwd, grp);
	for (i = 0; i < rp->nsigs; i++)
		if (!strcmp(rp->sigs[i], sig)) {
			*out = (int)i;
			return 0;
		}
	if (rp->nsigs == rp->capsigs) {
		size_t nc = rp->capsigs ? rp->capsigs * 2 : 16;
		char **ns = realloc(rp->sigs, nc * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		rp->sigs = ns;
		rp->capsigs = nc;
	}
	snprintf(path, sizeof(path), "%s/roots/%zu", rp->dir, rp->nsigs);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/roots/%zu/etc", rp->dir, rp->nsigs);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/roots/%zu/etc/passwd", rp->dir, rp->nsigs);
	if ((r = write_file(path, passwd)))
		return r;
	snprintf(path, sizeof(path), "%s/roots/%zu/etc/group", rp->dir, rp->nsigs);
	if ((r = write_file(path, grp)))
		return r;
	rp->sigs[rp->nsigs] = strdup(sig);
	if (!rp->sigs[rp->nsigs])
		return -ENOMEM;
	*out = (int)rp->nsigs++;
	return 0;
}

/* Points <dir>/proc/<tgid>/root at the root holding p's names (read by the table at exec). */
static int place_names(struct build *b, const struct osp_proc *p)
{
	char path[4200], target[4200], cur[4200];
	ssize_t len;
	int r, n = 0;

	if ((r = name_root(b, p, &n)))
		return r;
	snprintf(path, sizeof(path), "%s/proc/%u", b->rp->dir, p->tgid);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/proc/%u/root", b->rp->dir, p->tgid);
	snprintf(target, sizeof(target), "%s/roots/%d", b->rp->dir, n);
	len = readlink(path, cur, sizeof(cur) - 1);
	if (len > 0 && (size_t)len == strlen(target) && !memcmp(cur, target, (size_t)len))
		return 0; /* already there (symlink() is slow on some file systems) */
	if (unlink(path) && errno != ENOENT)
		return -errno;
	if (symlink(target, path))
		return -errno;
	return 0;
}

/* ---- pass 3: check ---- */

static bool unchecked_field(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(unchecked) / sizeof(unchecked[0]); i++)
		if (!strcmp(unchecked[i], name))
			return true;
	return false;
}

/* Compares an extracted value with the input; writes what replay gives into got. */
static bool same(const cJSON *want, int present, const struct osp_fval *v, char *got, size_t size)
{
	int64_t i;
	uint64_t u;

	if (!present) {
		snprintf(got, size, "nothing (missing)");
		return cJSON_IsNull(want);
	}
	fields_format(v, got, size);
	switch (v->type) {
	case OSP_FT_INT64:
		return cJSON_IsNumber(want) && !num_i64(want, &i) && i == v->i;
	case OSP_FT_UINT64:
		return cJSON_IsNumber(want) && !num_u64(want, &u) && u == v->u;
	case OSP_FT_BOOL:
		return cJSON_IsBool(want) && cJSON_IsTrue(want) == (v->i != 0);
	default:
		return cJSON_IsString(want) && strlen(want->valuestring) == v->len &&
		       !memcmp(want->valuestring, v->s, v->len);
	}
}

static int check(struct build *b)
{
	struct replay_event *re = b->re;
	char got[160];
	size_t g;

	for (g = 0; g < b->ngiven; g++) {
		const struct given *gv = &b->given[g];
		struct osp_farg arg = gv->arg;
		struct osp_fval v = {.buf = b->rp->scratch, .bufsz = sizeof(b->rp->scratch)};
		int present;

		if (unchecked_field(gv->f->name))
			continue;
		if (gv->list) {
			const cJSON *it = cJSON_IsArray(gv->item) ? gv->item->child : NULL;

			for (arg.nth = 0;; arg.nth++) {
				present = fields_get(gv->f, &re->ctx, &re->ev, &arg, &v);
				if (!present && !it)
					break;
				if (!it || !same(it, present, &v, got, sizeof(got)))
					return fail(b, gv->item->string,
						    "item %u: the replayed event gives %s%s%s",
						    arg.nth, present ? "'" : "",
						    present ? got : "nothing more",
						    present ? "'" : "");
				it = it->next;
			}
			continue;
		}
		present = fields_get(gv->f, &re->ctx, &re->ev, &arg, &v);
		if (!same(gv->item, present, &v, got, sizeof(got)))
			return fail(
			    b, gv->item->string,
			    "does not follow from the other fields: the replayed event gives "
			    "%s%s%s",
			    present ? "'" : "", got, present ? "'" : "");
	}
	return 0;
}

/* ---- the whole ---- */

static void apply_exec(struct replay *rp, struct osp_proc *p)
{
	struct osp_event sev;

	memset(&sev, 0, sizeof(sev));
	sev.type = OSP_EV_EXEC;
	sev.syscall = OSP_ET_EXECVE;
	sev.tgid = sev.pid = p->tgid;
	sev.proc = p;
	proctable_apply(rp->pt, &sev);
}

static int build_event(struct build *b, const cJSON *obj)
{
	struct replay_event *re = b->re;
	struct osp_event *ev = &re->ev;
	struct osp_proc *self = &re->self;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "evt.type");
	unsigned int k;
	uint64_t dur;
	int r, et;

	if (!t)
		return fail(b, "evt.type", "missing: every event needs its type");
	et = cJSON_IsString(t) ? vocab_evt_lookup(t->valuestring, strlen(t->valuestring)) : -1;
	if (et < 0)
		return fail(b, "evt.type",
			    "expected one of execve, execveat, open, openat, "
			    "openat2, creat, clone, clone3, fork, vfork, procexit");
	ev->type = vocab_evt_record(et);
	ev->syscall = (uint32_t)et;
	b->et = vocab_evt_of(ev);
	if ((r = classify(b, obj)))
		return r;
	if ((r = build_self(b, self)))
		return r;
	if (!self->tgid)
		self->tgid = b->rp->next_pid++;
	if (!b->nanc && (b->slot[S_PNAME] || b->slot[S_PEXEPATH] || b->slot[S_PEXE] ||
			 b->slot[S_PCMDLINE] || b->slot[S_PPID_TS]))
		b->nanc = 1; /* a parent described by proc.p* alone */
	for (k = b->nanc; k >= 1; k--)
		if ((r = build_ancestor(b, k, &b->ancp[k])))
			return r;
	for (k = 1; k <= b->nanc; k++) {
		unsigned int j;

		if (b->ancp[k].tgid == self->tgid)
			return fail(b, "proc.apid", "pid %u is the process and its ancestor",
				    self->tgid);
		for (j = 1; j < k; j++)
			if (b->ancp[j].tgid == b->ancp[k].tgid)
				return fail(b, "proc.apid", "pid %u appears twice in the ancestry",
					    b->ancp[k].tgid);
	}
	if (b->nanc) {
		b->ancp[1].start_time = self->parent_start_time;
		if (b->slot[S_PPID_TS] && (r = get_u64(b, S_PPID_TS, &b->ancp[1].start_time)))
			return r;
		/* the link the table follows: the parent as recorded (its start may be the /proc
		 * seed's, rounded to a tick, while the child's copy is the kernel's) */
		if (b->ancp[1].start_time)
			self->parent_start_time = b->ancp[1].start_time;
		if (!b->slot[S_PPID])
			self->ppid = b->ancp[1].tgid;
	}
	/* durations: the event's boot time is what makes them */
	if (b->slot[S_DURATION]) {
		if ((r = get_u64(b, S_DURATION, &dur)))
			return r;
		if (!self->start_time)
			self->start_time = SYNTH_START;
		ev->ktime = self->start_time + dur;
	}
	if (b->slot[S_PDURATION]) {
		if ((r = get_u64(b, S_PDURATION, &dur)))
			return r;
		if (!ev->ktime) {
			if (!self->parent_start_time)
				self->parent_start_time = SYNTH_START;
			ev->ktime = self->parent_start_time + dur;
		} else if (!self->parent_start_time && ev->ktime >= dur) {
			self->parent_start_time = ev->ktime - dur;
		}
		if (b->nanc && !b->ancp[1].start_time)
			b->ancp[1].start_time = self->parent_start_time;
	}
	for (k = b->nanc; k >= 1; k--) {
		if (k < b->nanc) {
			b->ancp[k].ppid = b->ancp[k + 1].tgid;
			b->ancp[k].parent_start_time = b->ancp[k + 1].start_time;
		}
		apply_exec(b->rp, &b->ancp[k]);
	}
	if ((r = place_names(b, self)))
		return r;
	apply_exec(b->rp, self);
	ev->tgid = self->tgid;
	ev->pid = self->tgid;
	if (b->slot[S_TID] && (r = get_u32(b, S_TID, &ev->pid)))
		return r;
	if (is_true(b->slot[S_ARGS_TRUNC]))
		ev->flags |= OSP_F_ARGS_TRUNC;
	ev->proc = self;
	if (b->nanc) {
		re->parent = b->ancp[1];
		ev->parent = &re->parent;
	}
	if (ev->type == OSP_EV_OPEN && (r = build_open(b, ev)))
		return r;
	if (ev->type == OSP_EV_EXIT && b->slot[S_STATUS]) {
		int64_t st;

		if ((r = get_num_or_text(b, S_STATUS, 10, &st)))
			return r;
		ev->exit_code = (int32_t)st;
	}
	if ((r = build_container(b, &re->container)))
		return r;
	ev->container = re->container;
	if ((r = build_time(b, ev)))
		return r;
	re->ctx.pt = b->rp->pt;
	if (b->slot[S_NUM] && (r = get_u64(b, S_NUM, &re->ctx.evt_num)))
		return r;
	if (b->slot[S_HOSTNAME]) {
		const char *h;

		if ((r = get_str(b, b->slot[S_HOSTNAME], b->slot_key[S_HOSTNAME], 255, &h)))
			return r;
		re->ctx.hostname = h ? store_str(&re->store, h, strlen(h)) : NULL;
		if (h && !re->ctx.hostname)
			return -ENOMEM;
	}
	return check(b);
}

int replay_object(struct replay *rp, const cJSON *obj, struct replay_event **out,
		  struct replay_err *err)
{
	struct replay_err dummy;
	struct build *b = NULL;
	struct replay_event *re = NULL;
	int ret;

	*out = NULL;
	if (!err)
		err = &dummy;
	err->key[0] = err->msg[0] = '\0';
	if (!rp || !obj || !cJSON_IsObject(obj)) {
		snprintf(err->msg, sizeof(err->msg), "an event is a JSON object");
		return -EINVAL;
	}
	b = calloc(1, sizeof(*b));
	re = calloc(1, sizeof(*re));
	if (!b || !re || !(b->given = calloc(MAXKEYS, sizeof(*b->given)))) {
		ret = -ENOMEM;
		goto cleanup;
	}
	b->rp = rp;
	b->re = re;
	b->err = err;
	ret = build_event(b, obj);
	if (ret == -ENOMEM && !err->msg[0])
		snprintf(err->msg, sizeof(err->msg), "out of memory");
	else if (ret < 0 && !err->msg[0])
		snprintf(err->msg, sizeof(err->msg), "%s", strerror(-ret));
	if (!ret) {
		*out = re;
		re = NULL;
	}
cleanup:
	if (b)
		free(b->given);
	free(b);
	replay_event_free(re);
	return ret;
}

void replay_event_free(struct replay_event *re)
{
	if (!re)
		return;
	store_free(re->store);
	free(re);
}

/* ---- JSON with exact integers ---- */

/* The next number token of a JSON text at or after *cur (strings skipped). */
static const char *next_number(const char **cur, const char *end, size_t *len)
{
	const char *p = *cur;

	while (p < end) {
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			p++;
			continue;
		}
		if (*p == '-' || (*p >= '0' && *p <= '9')) {
			const char *s = p;

			while (p < end && strchr("0123456789+-.eE", *p))
				p++;
			*len = (size_t)(p - s);
			*cur = p;
			return s;
		}
		p++;
	}
	return NULL;
}

static int keep_numbers(cJSON *item, const char **cur, const char *end)
{
	for (; item; item = item->next) {
		if (cJSON_IsNumber(item)) {
			size_t n;
			const char *s = next_number(cur, end, &n);

			if (!s)
				return -EINVAL;
			item->valuestring = strndup(s, n);
			if (!item->valuestring)
				return -ENOMEM;
		}
		if (item->child) {
			int r = keep_numbers(item->child, cur, end);

			if (r)
				return r;
		}
	}
	return 0;
}

cJSON *replay_parse_json(const char *text, size_t len, struct replay_err *err)
{
	const char *end = NULL, *cur = text;
	cJSON *root;
	int r;

	err->key[0] = err->msg[0] = '\0';
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		const char *at = cJSON_GetErrorPtr();

		snprintf(err->msg, sizeof(err->msg), "not JSON (at byte %td)",
			 at && at >= text && at <= text + len ? at - text : (ptrdiff_t)0);
		return NULL;
	}
	while (end && end < text + len && strchr(" \t\r\n", *end))
		end++;
	if (end && end < text + len && *end) {
		snprintf(err->msg, sizeof(err->msg), "text after the JSON value (at byte %td)",
			 end - text);
		cJSON_Delete(root);
		return NULL;
	}
	r = keep_numbers(root, &cur, text + len);
	if (r) {
		snprintf(err->msg, sizeof(err->msg), "%s",
			 r == -ENOMEM ? "out of memory" : "numbers out of step");
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

int replay_json(struct replay *rp, const char *text, size_t len, struct replay_event **out,
		struct replay_err *err)
{
	struct replay_err dummy;
	cJSON *root;
	int ret;

	*out = NULL;
	if (!err)
		err = &dummy;
	root = replay_parse_json(text, len, err);
	if (!root)
		return -EINVAL;
	ret = replay_object(rp, root, out, err);
	cJSON_Delete(root);
	return ret;
}

enum replay_vtype replay_key_type(const char *key)
{
	const struct osp_field *f;
	struct osp_farg arg;
	const char *argp, *why;
	size_t nlen, alen;
	char name[128];
	int ci = capture_index(key);

	if (ci >= 0)
		return capture_keys[ci].type;
	if (split_key(key, &nlen, &argp, &alen) || nlen >= sizeof(name))
		return REPLAY_VT_STRING;
	memcpy(name, key, nlen);
	name[nlen] = '\0';
	f = fields_resolve(name, nlen, argp, alen, &arg, &why);
	if (!f)
		return REPLAY_VT_STRING;
	if ((f->flags & OSP_FF_ANY_NOARG) && !arg.has)
		return REPLAY_VT_LIST;
	switch (f->type) {
	case OSP_FT_INT64:
	case OSP_FT_UINT64:
		return REPLAY_VT_INT;
	case OSP_FT_BOOL:
		return REPLAY_VT_BOOL;
	default:
		return REPLAY_VT_STRING;
	}
}

/* ---- context ---- */

static int rm_tree(int dfd, const char *name, int depth)
{
	struct stat st;
	int fd, ret = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) ? -errno : 0;
	if (depth > 8)
		return -ELOOP;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		DIR *d = fdopendir(fd);
		struct dirent *de;

		if (!d) {
			close(fd);
			return -errno;
		}
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
				int r = rm_tree(dirfd(d), de->d_name, depth + 1);

				if (r)
					ret = r;
			}
		closedir(d);
	}
	return unlinkat(dfd, name, AT_REMOVEDIR) ? -errno : ret;
}

struct replay *replay_new(uint32_t max_procs)
{
	struct replay *rp = calloc(1, sizeof(*rp));
	char path[4200];
	const char *tmp = getenv("TMPDIR");
	int err = 0;

	if (!rp)
		return NULL;
	snprintf(path, sizeof(path), "%s/osprey-replay-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(path)) {
		err = -errno;
		goto cleanup;
	}
	rp->dir = strdup(path);
	if (!rp->dir) {
		rmdir(path);
		err = -ENOMEM;
		goto cleanup;
	}
	snprintf(path, sizeof(path), "%s/proc", rp->dir);
	if (mkdir(path, 0755)) {
		err = -errno;
		goto cleanup;
	}
	snprintf(path, sizeof(path), "%s/roots", rp->dir);
	if (mkdir(path, 0755)) {
		err = -errno;
		goto cleanup;
	}
	rp->next_pid = SYNTH_PID;
	rp->pt = proctable_new(max_procs ? max_procs : 65536, rp->dir);
	if (!rp->pt) {
		err = -errno;
		goto cleanup;
	}
	return rp;
cleanup:
	replay_free(rp);
	errno = -err;
	return NULL;
}

void replay_free(struct replay *rp)
{
	size_t i;

	if (!rp)
		return;
	proctable_free(rp->pt);
	if (rp->dir)
		rm_tree(AT_FDCWD, rp->dir, 0);
	for (i = 0; i < rp->nsigs; i++)
		free(rp->sigs[i]);
	free(rp->sigs);
	free(rp->dir);
	free(rp);
}
