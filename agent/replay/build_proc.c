/* Replay, pass 2, the processes: the subject from its parts (name, argv from proc.argv or from
 * proc.exe/args/cmdline, paths, ids, times, capabilities, flags) and each ancestor from the
 * proc.a* lists and the proc.p* fields. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/internal.h"

/* Copies a string value into the event's store as an osp_str (absent when not given). */
int replay_set_ostr(struct replay_build *b, enum osp_part s, size_t max, struct osp_str *dst)
{
	const char *v;
	int r = replay_get_str(b, b->part[s], b->part_key[s], max, &v);

	if (r || !v)
		return r;
	dst->p = replay_store_str(&b->re->store, v, strlen(v));
	if (!dst->p)
		return -ENOMEM;
	dst->len = (uint32_t)strlen(v);
	return 0;
}

static int set_comm(struct replay_build *b, struct osp_proc *p, const char *name, const char *key)
{
	size_t n = strlen(name);

	if (n >= OSP_COMM_LEN)
		return replay_fail(
		    b, key, "'%s' is longer than the 15 characters of a process name (comm)", name);
	memcpy(p->comm, name, n + 1);
	return 0;
}

/* argv from proc.argv (exact), or argv[0] (proc.exe, else the name) and the arguments split at each
 * space (from proc.args, else proc.cmdline without its leading name). */
static int set_args(struct replay_build *b, struct osp_proc *p, const cJSON *argv, const cJSON *exe,
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
				return replay_fail(b, key, "expected a list of strings");
			n = strlen(it->valuestring);
			if (off + n + 1 > sizeof(buf))
				return replay_fail(
				    b, key, "longer than the %d bytes of argv Osprey captures",
				    OSP_ARGS_MAX);
			memcpy(buf + off, it->valuestring, n + 1);
			off += n + 1;
			argc++;
		}
		goto done;
	}
	if (!exe && !args && !cmdline)
		return 0;
	if ((r = replay_get_str(b, exe, key, OSP_ARGS_MAX, &a0)) ||
	    (r = replay_get_str(b, args, key, OSP_ARGS_MAX, &rest)) ||
	    (r = replay_get_str(b, cmdline, key, OSP_ARGS_MAX + OSP_COMM_LEN, &cl)))
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
		return replay_fail(b, key, "longer than the %d bytes of argv Osprey captures",
				   OSP_ARGS_MAX);
	memcpy(buf, a0, n + 1);
	off = n + 1;
	argc = 1;
	if (rest && *rest) {
		uint64_t want = 0;

		if (p == &b->re->self && b->part[OSP_PART_CMDNARGS] &&
		    replay_num_u64(b->part[OSP_PART_CMDNARGS], &want))
			want = 0;
		n = strlen(rest);
		if (off + n + 1 > sizeof(buf))
			return replay_fail(b, key,
					   "longer than the %d bytes of argv Osprey captures",
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
	p->args.p = replay_store_str(&b->re->store, buf, off);
	if (!p->args.p)
		return -ENOMEM;
	p->args.len = (uint32_t)off;
	p->argc = argc;
	return 0;
}

/* Parses a list of names separated by sep ("CAP_A CAP_B", "O_RDWR|O_CREAT") with lookup(). */
int replay_parse_names(struct replay_build *b, enum osp_part s, char sep,
		       int (*lookup)(const char *w, size_t n, uint64_t *bits), uint64_t *out)
{
	const char *v, *w, *e;
	int r = replay_get_str(b, b->part[s], b->part_key[s], REPLAY_STR_MAX, &v);

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
			return replay_fail(b, b->part_key[s], "unknown name '%.*s'", (int)(e - w),
					   w);
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

int replay_build_self(struct replay_build *b, struct osp_proc *p)
{
	uint64_t u;
	int64_t i;
	int r;

	p->loginuid = UINT32_MAX;
	if (b->part[OSP_PART_NAME]) {
		const char *n;

		if ((r = replay_get_str(b, b->part[OSP_PART_NAME], b->part_key[OSP_PART_NAME],
					REPLAY_STR_MAX, &n)) ||
		    (r = set_comm(b, p, n, b->part_key[OSP_PART_NAME])))
			return r;
	}
	if ((r = set_args(b, p, b->part[OSP_PART_ARGV], b->part[OSP_PART_EXE],
			  b->part[OSP_PART_ARGS], b->part[OSP_PART_CMDLINE],
			  b->part_key[OSP_PART_ARGV]   ? b->part_key[OSP_PART_ARGV]
			  : b->part_key[OSP_PART_ARGS] ? b->part_key[OSP_PART_ARGS]
			  : b->part_key[OSP_PART_EXE]  ? b->part_key[OSP_PART_EXE]
						       : b->part_key[OSP_PART_CMDLINE])))
		return r;
	if ((r = replay_set_ostr(b, OSP_PART_EXEPATH, OSP_PATH_MAX - 1, &p->exepath)) ||
	    (r = replay_set_ostr(b, OSP_PART_CWD, OSP_PATH_MAX - 1, &p->cwd)) ||
	    (r = replay_set_ostr(b, OSP_PART_FILENAME, OSP_PATH_MAX - 1, &p->filename)) ||
	    (r = replay_set_ostr(b, OSP_PART_CGROUP, OSP_CGROUP_MAX - 1, &p->cgroup)) ||
	    (r = replay_set_ostr(b, OSP_PART_CGROUP_V1, OSP_CGROUP_MAX - 1, &p->cgroup_v1)))
		return r;
#define U32(sl, member)                                                                            \
	do {                                                                                       \
		if (b->part[sl] && (r = replay_get_u32(b, sl, &p->member)))                        \
			return r;                                                                  \
	} while (0)
	U32(OSP_PART_PID, tgid);
	U32(OSP_PART_PPID, ppid);
	U32(OSP_PART_VPID, vpid);
	U32(OSP_PART_SID, sid);
	U32(OSP_PART_VPGID, vpgid);
	U32(OSP_PART_TTY, tty_dev);
	U32(OSP_PART_UID, uid);
	U32(OSP_PART_GID, gid);
	U32(OSP_PART_PIDNS, pidns_ino);
#undef U32
	p->euid = p->uid;
	p->egid = p->gid;
	if (b->part[OSP_PART_LOGINUID]) {
		if ((r = replay_get_i64(b, OSP_PART_LOGINUID, &i)))
			return r;
		if (i < -1 || i > (int64_t)UINT32_MAX)
			return replay_fail(b, b->part_key[OSP_PART_LOGINUID], "not a user id");
		p->loginuid = i == -1 ? UINT32_MAX : (uint32_t)i;
	}
	if (b->part[OSP_PART_START] && (r = replay_get_u64(b, OSP_PART_START, &p->start_time)))
		return r;
	if (b->part[OSP_PART_PSTART] &&
	    (r = replay_get_u64(b, OSP_PART_PSTART, &p->parent_start_time)))
		return r;
	if (b->part[OSP_PART_CGROUP_ID] &&
	    (r = replay_get_u64(b, OSP_PART_CGROUP_ID, &p->cgroup_id)))
		return r;
	if (b->part[OSP_PART_EXE_CTIME] &&
	    (r = replay_get_u64(b, OSP_PART_EXE_CTIME, &p->exe_ctime)))
		return r;
	if (b->part[OSP_PART_EXE_MTIME] &&
	    (r = replay_get_u64(b, OSP_PART_EXE_MTIME, &p->exe_mtime)))
		return r;
	if (!p->parent_start_time && b->part[OSP_PART_PPID_TS] &&
	    (r = replay_get_u64(b, OSP_PART_PPID_TS, &p->parent_start_time)))
		return r;
	if (b->part[OSP_PART_EXE_INO]) {
		if ((r = replay_get_i64(b, OSP_PART_EXE_INO, &i)))
			return r;
		p->exe_ino = (uint64_t)i;
	}
	if ((r = replay_parse_names(b, OSP_PART_CAP_EFF, ' ', cap_lookup, &p->cap_effective)) ||
	    (r = replay_parse_names(b, OSP_PART_CAP_PERM, ' ', cap_lookup, &p->cap_permitted)))
		return r;
	if (b->et == OSP_ET_EXECVE || b->et == OSP_ET_EXECVEAT) {
		if (b->part[OSP_PART_FLAGS] && cJSON_IsString(b->part[OSP_PART_FLAGS])) {
			if ((r = replay_parse_names(b, OSP_PART_FLAGS, '|', exe_flag_lookup, &u)))
				return r;
			p->flags |= (uint32_t)u;
		}
	}
	p->flags |= b->proc_flags;
	if (b->part[OSP_PART_SID_LEADER] && !b->part[OSP_PART_SID])
		p->sid =
		    replay_is_true(b->part[OSP_PART_SID_LEADER]) ? p->tgid : (p->tgid == 1 ? 2 : 1);
	if (b->part[OSP_PART_VPGID_LEADER]) {
		if (!p->vpid)
			p->vpid = p->tgid;
		if (!b->part[OSP_PART_VPGID])
			p->vpgid =
			    replay_is_true(b->part[OSP_PART_VPGID_LEADER]) ? p->vpid : p->vpid + 1;
	}
	return 0;
}

/* The key to name in an error about an ancestor's member: the proc.a* form given. */
static const char *anc_key(const struct replay_build *b, int member, const char *list)
{
	return b->anc_key[member] ? b->anc_key[member] : list;
}

int replay_build_ancestor(struct replay_build *b, unsigned int k, struct osp_proc *p)
{
	const cJSON **a = b->anc[k];
	const cJSON *name = a[REPLAY_A_NAME], *pid = a[REPLAY_A_PID],
		    *exepath = a[REPLAY_A_EXEPATH], *exe = a[REPLAY_A_EXE],
		    *cmd = a[REPLAY_A_CMDLINE];
	const char *s, *key = anc_key(b, REPLAY_A_NAME, "proc.aname");
	int64_t v;
	int r;

	if (k == 1) { /* proc.pname & co. win over the lists (the check compares both) */
		if (b->part[OSP_PART_PNAME])
			name = b->part[OSP_PART_PNAME];
		if (b->part[OSP_PART_PEXEPATH])
			exepath = b->part[OSP_PART_PEXEPATH];
		if (b->part[OSP_PART_PEXE])
			exe = b->part[OSP_PART_PEXE];
		if (b->part[OSP_PART_PCMDLINE])
			cmd = b->part[OSP_PART_PCMDLINE];
		if (!pid && b->part[OSP_PART_PPID])
			pid = b->part[OSP_PART_PPID];
	}
	memset(p, 0, sizeof(*p));
	p->loginuid = UINT32_MAX;
	if (name && !cJSON_IsNull(name)) {
		if ((r = replay_get_str(b, name, key, REPLAY_STR_MAX, &s)) ||
		    (r = set_comm(b, p, s, key)))
			return r;
	}
	if (pid && !cJSON_IsNull(pid)) {
		if (replay_num_i64(pid, &v) || v <= 0 || v > (int64_t)UINT32_MAX)
			return replay_fail(b, anc_key(b, REPLAY_A_PID, "proc.apid"),
					   "ancestor %u: expected a process id", k);
		p->tgid = (uint32_t)v;
	} else {
		p->tgid = b->rp->next_pid++;
	}
	p->vpid = p->tgid;
	if (exepath && !cJSON_IsNull(exepath)) {
		if ((r = replay_get_str(b, exepath, anc_key(b, REPLAY_A_EXEPATH, "proc.aexepath"),
					OSP_PATH_MAX - 1, &s)))
			return r;
		p->exepath.p = replay_store_str(&b->re->store, s, strlen(s));
		if (!p->exepath.p)
			return -ENOMEM;
		p->exepath.len = (uint32_t)strlen(s);
	}
	if (exe && cJSON_IsNull(exe))
		exe = NULL;
	if (cmd && cJSON_IsNull(cmd))
		cmd = NULL;
	return set_args(b, p, NULL, exe, NULL, cmd, anc_key(b, REPLAY_A_CMDLINE, "proc.acmdline"));
}
