/* Replay, pass 2: the event built from the parts pass 1 collected: the subject process and its
 * ancestors (build_proc.c; applied to the replay's process table as synthetic execs), the open or
 * exit details, the environment, the container, the time. Each part's value is read here, and
 * only here. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proc/proctable.h"
#include "replay/internal.h"

/* Integer or text ("0644", "-100", "3") of a slot that both forms set. base: for the text. */
static int get_num_or_text(struct replay_build *b, enum osp_part s, int base, int64_t *out)
{
	const cJSON *v = b->part[s];
	char *end;
	long long x;

	if (cJSON_IsNumber(v))
		return replay_get_i64(b, s, out);
	if (!cJSON_IsString(v) || !*v->valuestring)
		return replay_fail(b, b->part_key[s], "expected a number");
	errno = 0;
	x = strtoll(v->valuestring, &end, base);
	if (errno || *end)
		return replay_fail(b, b->part_key[s], "'%s' is not a number", v->valuestring);
	*out = x;
	return 0;
}

static int build_open(struct replay_build *b, struct osp_event *ev)
{
	struct osp_open_info *o = &ev->open;
	uint64_t u;
	int64_t i;
	int r;

	o->res = 3;
	o->dirfd = -100; /* AT_FDCWD */
	if (b->part[OSP_PART_FAILED] && replay_is_true(b->part[OSP_PART_FAILED]))
		o->res = -ENOENT;
	if (b->part[OSP_PART_RES]) {
		const char *s;
		int e;

		if ((r = replay_get_str(b, b->part[OSP_PART_RES], b->part_key[OSP_PART_RES], 64,
					&s)))
			return r;
		if (s && strcmp(s, "SUCCESS")) {
			for (e = 1; e < 4096; e++) {
				const char *n = strerrorname_np(e);

				if (n && !strcmp(n, s))
					break;
			}
			if (e == 4096)
				return replay_fail(b, b->part_key[OSP_PART_RES],
						   "unknown errno name '%s'", s);
			o->res = -e;
		}
	}
	if (b->part[OSP_PART_FD_NUM]) {
		if ((r = get_num_or_text(b, OSP_PART_FD_NUM, 10, &i)))
			return r;
		if (i >= 0)
			o->res = i;
	}
	if (b->part[OSP_PART_RAWRES] && (r = replay_get_i64(b, OSP_PART_RAWRES, &o->res)))
		return r;
	if (b->part[OSP_PART_FLAGS_RAW]) {
		if ((r = replay_get_u32(b, OSP_PART_FLAGS_RAW, &o->flags)))
			return r;
	} else if (b->part[OSP_PART_FLAGS]) {
		if (cJSON_IsNumber(b->part[OSP_PART_FLAGS])) {
			if ((r = replay_get_u32(b, OSP_PART_FLAGS, &o->flags)))
				return r;
		} else {
			if ((r = replay_parse_names(b, OSP_PART_FLAGS, '|', vocab_open_flag_lookup,
						    &u)))
				return r;
			o->flags = (uint32_t)u;
		}
	} else {
		bool rd = replay_is_true(b->part[OSP_PART_OPEN_READ]),
		     wr = replay_is_true(b->part[OSP_PART_OPEN_WRITE]);
		const cJSON *t = b->part[OSP_PART_FD_TYPE];
		const cJSON *tc = b->part[OSP_PART_FD_TYPECHAR];

		if (b->et == OSP_ET_CREAT && !b->part[OSP_PART_OPEN_WRITE])
			wr = true;
		o->flags = rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
		if (replay_is_true(b->part[OSP_PART_OPEN_CREATE]) ||
		    replay_is_true(b->part[OSP_PART_OPEN_EXEC]) || b->et == OSP_ET_CREAT)
			o->flags |= O_CREAT;
		if (b->et == OSP_ET_CREAT)
			o->flags |= O_TRUNC;
		if ((t && cJSON_IsString(t) && !strcmp(t->valuestring, "directory")) ||
		    (tc && cJSON_IsString(tc) && !strcmp(tc->valuestring, "d")))
			o->flags |= O_DIRECTORY;
	}
	if (b->part[OSP_PART_MODE]) {
		if ((r = get_num_or_text(b, OSP_PART_MODE, 8, &i)))
			return r;
		o->mode = (uint32_t)i;
	} else if (replay_is_true(b->part[OSP_PART_OPEN_EXEC])) {
		o->mode = 0755;
	}
	if (b->part[OSP_PART_DIRFD]) {
		if ((r = get_num_or_text(b, OSP_PART_DIRFD, 10, &i)))
			return r;
		o->dirfd = (int32_t)i;
	}
	if ((r = replay_set_ostr(b, OSP_PART_FD_NAME, OSP_PATH_MAX - 1, &o->name)) ||
	    (r = replay_set_ostr(b, OSP_PART_FD_NAMERAW, OSP_PATH_MAX - 1, &o->nameraw)) ||
	    (r = replay_set_ostr(b, OSP_PART_FD_REALPATH, OSP_PATH_MAX - 1, &o->realpath)))
		return r;
	if (b->part[OSP_PART_FD_INO] && (r = replay_get_u64(b, OSP_PART_FD_INO, &o->ino)))
		return r;
	if (b->part[OSP_PART_FD_DEV] && (r = replay_get_u32(b, OSP_PART_FD_DEV, &o->dev)))
		return r;
	if (b->part[OSP_PART_FD_DEV] && !o->ino)
		o->ino = 1; /* fd.dev reads as missing without an inode */
	if (replay_is_true(b->part[OSP_PART_NAME_TRUNC]))
		o->eflags |= OSP_F_PATH_TRUNC;
	return 0;
}

static int copy_cstr(struct replay_build *b, enum osp_part s, char **dst)
{
	const char *v;
	int r = replay_get_str(b, b->part[s], b->part_key[s], REPLAY_STR_MAX, &v);

	if (r)
		return r;
	*dst = replay_store_str(&b->re->store, v ? v : "", v ? strlen(v) : 0);
	return *dst ? 0 : -ENOMEM;
}

static int build_labels(struct replay_build *b, const cJSON *obj, const struct replay_kv *keyed,
			size_t nkeyed, const char *key, struct osp_kv **out, uint32_t *nout)
{
	const cJSON *it;
	struct osp_kv *kv;
	size_t n = 0, i, j;

	cJSON_ArrayForEach(it, obj)
	{
		n++;
	}
	if (n + nkeyed > REPLAY_MAXLABELS)
		return replay_fail(b, key, "more than %d labels", REPLAY_MAXLABELS);
	kv = (struct osp_kv *)replay_store_alloc(&b->re->store, (n + nkeyed + 1) * sizeof(*kv));
	if (!kv)
		return -ENOMEM;
	n = 0;
	cJSON_ArrayForEach(it, obj)
	{
		if (!cJSON_IsString(it) || strlen(it->valuestring) > REPLAY_STR_MAX)
			return replay_fail(b, key, "label '%s': expected a string", it->string);
		kv[n].key = replay_store_str(&b->re->store, it->string, strlen(it->string));
		kv[n].value =
		    replay_store_str(&b->re->store, it->valuestring, strlen(it->valuestring));
		if (!kv[n].key || !kv[n].value)
			return -ENOMEM;
		n++;
	}
	for (i = 0; i < nkeyed; i++) {
		const char *v;
		int r = replay_get_str(b, keyed[i].val, key, REPLAY_STR_MAX, &v);

		if (r)
			return r;
		for (j = 0; j < n; j++)
			if (strlen(kv[j].key) == keyed[i].keylen &&
			    !memcmp(kv[j].key, keyed[i].key, keyed[i].keylen))
				break;
		if (j == n) {
			kv[n].key = replay_store_str(&b->re->store, keyed[i].key, keyed[i].keylen);
			if (!kv[n].key)
				return -ENOMEM;
			n++;
		}
		kv[j].value = replay_store_str(&b->re->store, v, strlen(v));
		if (!kv[j].value)
			return -ENOMEM;
	}
	*out = kv;
	*nout = (uint32_t)n;
	return 0;
}

/* container.mounts back into mounts: entries split at ',', each read from the right
 * (propagation, rdwr, mode) so that a ':' in a path stays in it; the check pass then compares the
 * mounts formatted again with the input. */
static int build_mounts(struct replay_build *b, struct osp_container *c)
{
	const char *v, *e, *key = b->part_key[OSP_PART_CT_MOUNTS];
	struct osp_mount *m;
	uint32_t n = 1, i = 0;
	int r = replay_get_str(b, b->part[OSP_PART_CT_MOUNTS], key, REPLAY_STR_MAX, &v);

	if (r || !v || !*v)
		return r;
	for (e = v; *e; e++)
		n += *e == ',';
	if (n > OSP_CT_MOUNTS_MAX)
		return replay_fail(b, key, "more than %d mounts", OSP_CT_MOUNTS_MAX);
	m = (struct osp_mount *)replay_store_alloc(&b->re->store, n * sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (; i < n; i++, v = e + 1) {
		const char *cut[4] = {NULL}, *p;
		char *t;
		int k = 0;

		e = strchr(v, ',');
		if (!e)
			e = v + strlen(v);
		for (p = e; p > v && k < 4; p--)
			if (p[-1] == ':')
				cut[k++] = p - 1;
		if (k < 4 || (strncmp(cut[1] + 1, "true:", 5) && strncmp(cut[1] + 1, "false:", 6)))
			return replay_fail(
			    b, key, "mount %u: expected source:dest:mode:true|false:propagation",
			    i + 1);
		t = replay_store_str(&b->re->store, v, (size_t)(e - v));
		if (!t)
			return -ENOMEM;
		/* t holds source:dest:mode:rdwr:propagation: cut it at the four colons */
		m[i].source = t;
		m[i].dest = t + (cut[3] - v) + 1;
		m[i].mode = t + (cut[2] - v) + 1;
		m[i].rdwr = cut[1][1] == 't';
		m[i].propagation = t + (cut[0] - v) + 1;
		t[cut[3] - v] = t[cut[2] - v] = t[cut[1] - v] = t[cut[0] - v] = '\0';
	}
	c->mounts = m;
	c->nmounts = n;
	return 0;
}

static int build_container(struct replay_build *b, struct osp_container **out)
{
	struct osp_container *c;
	const char *id = NULL, *full = NULL, *type = NULL;
	bool any = false;
	size_t i;
	int r;

	for (i = OSP_PART_CT_ID; i <= OSP_PART_POD_LABELS; i++)
		any |= b->part[i] != NULL;
	if (!any && !b->nclab && !b->nplab)
		return 0;
	c = (struct osp_container *)replay_store_alloc(&b->re->store, sizeof(*c));
	if (!c)
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	c->privileged = -1;
	c->metadata_complete = true;
	if ((r = replay_get_str(b, b->part[OSP_PART_CT_ID], b->part_key[OSP_PART_CT_ID], 64,
				&id)) ||
	    (r = replay_get_str(b, b->part[OSP_PART_CT_FULL_ID], b->part_key[OSP_PART_CT_FULL_ID],
				OSP_CT_ID_LEN, &full)) ||
	    (r = replay_get_str(b, b->part[OSP_PART_CT_TYPE], b->part_key[OSP_PART_CT_TYPE], 32,
				&type)))
		return r;
	c->runtime = OSP_RT_UNKNOWN_CONTAINER;
	if (type) {
		if (container_runtime_lookup(type, &c->runtime))
			return replay_fail(b, b->part_key[OSP_PART_CT_TYPE],
					   "unknown container type '%s'", type);
	} else if (id && !strcmp(id, "host")) {
		c->runtime = OSP_RT_HOST;
	}
	if (id && strlen(id) > 12 && strcmp(id, "host"))
		return replay_fail(b, b->part_key[OSP_PART_CT_ID],
				   "a container id has 12 characters");
	snprintf(c->id, sizeof(c->id), "%s", id ? id : "");
	snprintf(c->full_id, sizeof(c->full_id), "%s", full ? full : c->id);
	if ((r = copy_cstr(b, OSP_PART_CT_NAME, &c->name)) ||
	    (r = copy_cstr(b, OSP_PART_CT_IMAGE, &c->image)) ||
	    (r = copy_cstr(b, OSP_PART_CT_REPO, &c->image_repository)) ||
	    (r = copy_cstr(b, OSP_PART_CT_TAG, &c->image_tag)) ||
	    (r = copy_cstr(b, OSP_PART_CT_DIGEST, &c->image_digest)) ||
	    (r = copy_cstr(b, OSP_PART_POD_NAME, &c->pod_name)) ||
	    (r = copy_cstr(b, OSP_PART_POD_UID, &c->pod_uid)) ||
	    (r = copy_cstr(b, OSP_PART_NS, &c->pod_namespace)))
		return r;
	if (b->part[OSP_PART_CT_PRIV])
		c->privileged = replay_is_true(b->part[OSP_PART_CT_PRIV]) ? 1 : 0;
	if ((r = build_mounts(b, c)))
		return r;
	if ((r = build_labels(b, b->part[OSP_PART_CT_LABELS], b->clab, b->nclab, "container.labels",
			      &c->labels, &c->nlabels)) ||
	    (r = build_labels(b, b->part[OSP_PART_POD_LABELS], b->plab, b->nplab, "k8s.pod.labels",
			      &c->pod_labels, &c->npod_labels)))
		return r;
	*out = c;
	return 0;
}

static int build_time(struct replay_build *b, struct osp_event *ev)
{
	uint64_t s = 0, ns = 0;
	int r;

	if (b->part[OSP_PART_RAWTIME])
		return replay_get_u64(b, OSP_PART_RAWTIME, &ev->ts);
	if (b->part[OSP_PART_RAWTIME_S] || b->part[OSP_PART_RAWTIME_NS]) {
		if ((b->part[OSP_PART_RAWTIME_S] &&
		     (r = replay_get_u64(b, OSP_PART_RAWTIME_S, &s))) ||
		    (b->part[OSP_PART_RAWTIME_NS] &&
		     (r = replay_get_u64(b, OSP_PART_RAWTIME_NS, &ns))))
			return r;
		ev->ts = s * 1000000000ull + ns;
		return 0;
	}
	if (b->part[OSP_PART_ISO8601]) {
		const char *v, *rest;
		struct tm tm;
		char *end;
		unsigned long frac = 0;

		if ((r = replay_get_str(b, b->part[OSP_PART_ISO8601], b->part_key[OSP_PART_ISO8601],
					64, &v)))
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
			return replay_fail(b, b->part_key[OSP_PART_ISO8601],
					   "expected YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ");
		ev->ts = (uint64_t)timegm(&tm) * 1000000000ull + frac;
	}
	return 0;
}

/* proc.env back into the environment: "K=V K2=V2", split at each space (joined again, it reads
 * the same; a value that held a space is cut there, as a recording cannot tell). */
static int build_env(struct replay_build *b, struct osp_event *ev)
{
	const char *v, *key = b->part_key[OSP_PART_ENV];
	char *env;
	size_t n, i;
	int r = replay_get_str(b, b->part[OSP_PART_ENV], key, OSP_ENV_MAX - 1, &v);

	if (r || !v)
		return r;
	n = strlen(v);
	env = replay_store_alloc(&b->re->store, n + 1);
	if (!env)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		env[i] = v[i] == ' ' ? '\0' : v[i];
	env[n] = '\0';
	ev->exec_env.p = env;
	ev->exec_env.len = (uint32_t)(n + 1);
	return 0;
}

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

int replay_build_event(struct replay_build *b, const cJSON *obj)
{
	struct replay_event *re = b->re;
	struct osp_event *ev = &re->ev;
	struct osp_proc *self = &re->self;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "evt.type");
	unsigned int k;
	uint64_t dur;
	int r, et;

	if (!t)
		return replay_fail(b, "evt.type", "missing: every event needs its type");
	et = cJSON_IsString(t) ? vocab_evt_lookup(t->valuestring, strlen(t->valuestring)) : -1;
	if (et < 0) {
		char names[256];
		size_t off = 0;
		int i;

		for (i = 0; i < OSP_ET_COUNT; i++)
			off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s",
						i ? ", " : "", vocab_evt_name(i));
		return replay_fail(b, "evt.type", "expected one of %s", names);
	}
	ev->type = vocab_evt_record(et);
	ev->syscall = (uint32_t)et;
	b->et = vocab_evt_of(ev);
	if ((r = replay_classify(b, obj)))
		return r;
	if ((r = replay_build_self(b, self)))
		return r;
	if (!self->tgid)
		self->tgid = b->rp->next_pid++;
	if (!b->nanc &&
	    (b->part[OSP_PART_PNAME] || b->part[OSP_PART_PEXEPATH] || b->part[OSP_PART_PEXE] ||
	     b->part[OSP_PART_PCMDLINE] || b->part[OSP_PART_PPID_TS]))
		b->nanc = 1; /* a parent described by proc.p* alone */
	for (k = b->nanc; k >= 1; k--)
		if ((r = replay_build_ancestor(b, k, &b->ancp[k])))
			return r;
	for (k = 1; k <= b->nanc; k++) {
		unsigned int j;

		if (b->ancp[k].tgid == self->tgid)
			return replay_fail(b, "proc.apid", "pid %u is the process and its ancestor",
					   self->tgid);
		for (j = 1; j < k; j++)
			if (b->ancp[j].tgid == b->ancp[k].tgid)
				return replay_fail(b, "proc.apid",
						   "pid %u appears twice in the ancestry",
						   b->ancp[k].tgid);
	}
	if (b->nanc) {
		b->ancp[1].start_time = self->parent_start_time;
		if (b->part[OSP_PART_PPID_TS] &&
		    (r = replay_get_u64(b, OSP_PART_PPID_TS, &b->ancp[1].start_time)))
			return r;
		/* the link the table follows: the parent as recorded (its start may be the /proc
		 * seed's, rounded to a tick, while the child's copy is the kernel's) */
		if (b->ancp[1].start_time)
			self->parent_start_time = b->ancp[1].start_time;
		if (!b->part[OSP_PART_PPID])
			self->ppid = b->ancp[1].tgid;
	}
	/* durations: the event's boot time is what makes them */
	if (b->part[OSP_PART_DURATION]) {
		if ((r = replay_get_u64(b, OSP_PART_DURATION, &dur)))
			return r;
		if (!self->start_time)
			self->start_time = REPLAY_SYNTH_START;
		ev->ktime = self->start_time + dur;
	}
	if (b->part[OSP_PART_PDURATION]) {
		if ((r = replay_get_u64(b, OSP_PART_PDURATION, &dur)))
			return r;
		if (!ev->ktime) {
			if (!self->parent_start_time)
				self->parent_start_time = REPLAY_SYNTH_START;
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
	if ((r = replay_place_names(b, self)))
		return r;
	apply_exec(b->rp, self);
	ev->tgid = self->tgid;
	ev->pid = self->tgid;
	if (b->part[OSP_PART_TID] && (r = replay_get_u32(b, OSP_PART_TID, &ev->pid)))
		return r;
	if (replay_is_true(b->part[OSP_PART_ARGS_TRUNC]))
		ev->flags |= OSP_F_ARGS_TRUNC;
	ev->proc = self;
	if (b->nanc) {
		re->parent = b->ancp[1];
		ev->parent = &re->parent;
	}
	if (ev->type == OSP_EV_OPEN && (r = build_open(b, ev)))
		return r;
	if (ev->type == OSP_EV_EXEC && (r = build_env(b, ev)))
		return r;
	if (ev->type == OSP_EV_EXIT && b->part[OSP_PART_STATUS]) {
		int64_t st;

		if ((r = get_num_or_text(b, OSP_PART_STATUS, 10, &st)))
			return r;
		ev->exit_code = (int32_t)st;
	}
	if ((r = build_container(b, &re->container)))
		return r;
	ev->container = re->container;
	if ((r = build_time(b, ev)))
		return r;
	re->ctx.pt = b->rp->pt;
	if (b->part[OSP_PART_NUM] && (r = replay_get_u64(b, OSP_PART_NUM, &re->ctx.evt_num)))
		return r;
	if (b->part[OSP_PART_HOSTNAME]) {
		const char *h;

		if ((r = replay_get_str(b, b->part[OSP_PART_HOSTNAME],
					b->part_key[OSP_PART_HOSTNAME], 255, &h)))
			return r;
		re->ctx.hostname = h ? replay_store_str(&re->store, h, strlen(h)) : NULL;
		if (h && !re->ctx.hostname)
			return -ENOMEM;
	}
	proctable_resolve_names(b->rp->pt, ev); /* the enrichment the event loop does */
	return replay_check(b);
}
