/* The vocabularies: see vocab.h. */
#include "fields/vocab.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>

/* ---- event types ---- */

static const struct {
	const char *name;
	uint32_t record; /* OSP_EV_* */
	const char *category;
} evts[OSP_ET_COUNT] = {
    [OSP_ET_EXECVE] = {"execve", OSP_EV_EXEC, "process"},
    [OSP_ET_EXECVEAT] = {"execveat", OSP_EV_EXEC, "process"},
    [OSP_ET_OPEN] = {"open", OSP_EV_OPEN, "file"},
    [OSP_ET_OPENAT] = {"openat", OSP_EV_OPEN, "file"},
    [OSP_ET_OPENAT2] = {"openat2", OSP_EV_OPEN, "file"},
    [OSP_ET_CREAT] = {"creat", OSP_EV_OPEN, "file"},
    [OSP_ET_CLONE] = {"clone", OSP_EV_FORK, "process"},
    [OSP_ET_CLONE3] = {"clone3", OSP_EV_FORK, "process"},
    [OSP_ET_FORK] = {"fork", OSP_EV_FORK, "process"},
    [OSP_ET_VFORK] = {"vfork", OSP_EV_FORK, "process"},
    [OSP_ET_PROCEXIT] = {"procexit", OSP_EV_EXIT, "process"},
};

int vocab_evt_of(const struct osp_event *ev)
{
	uint32_t sc = ev->syscall;

	switch (ev->type) {
	case OSP_EV_EXEC:
		return sc == OSP_ET_EXECVEAT ? OSP_ET_EXECVEAT : OSP_ET_EXECVE;
	case OSP_EV_FORK:
		return sc == OSP_ET_CLONE3 || sc == OSP_ET_FORK || sc == OSP_ET_VFORK
			   ? (int)sc
			   : OSP_ET_CLONE;
	case OSP_EV_EXIT:
		return OSP_ET_PROCEXIT;
	case OSP_EV_OPEN:
		return sc == OSP_ET_OPEN || sc == OSP_ET_OPENAT2 || sc == OSP_ET_CREAT
			   ? (int)sc
			   : OSP_ET_OPENAT;
	default:
		return -1;
	}
}

const char *vocab_evt_name(int et)
{
	if (et < 0 || et >= OSP_ET_COUNT)
		return "unknown";
	return evts[et].name;
}

int vocab_evt_lookup(const char *name, size_t len)
{
	int i;

	for (i = 0; i < OSP_ET_COUNT; i++)
		if (strlen(evts[i].name) == len && memcmp(evts[i].name, name, len) == 0)
			return i;
	return -1;
}

uint32_t vocab_evt_record(int et)
{
	return et < 0 || et >= OSP_ET_COUNT ? 0 : evts[et].record;
}

const char *vocab_evt_category(int et)
{
	return et < 0 || et >= OSP_ET_COUNT ? "process" : evts[et].category;
}

/* ---- flag sets ---- */

int vocab_flag_lookup(const struct vocab_flag *t, size_t n, const char *name, size_t len,
		      uint64_t *bits)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(t[i].name) == len && !memcmp(t[i].name, name, len)) {
			*bits = t[i].bits;
			return 0;
		}
	return -1;
}

size_t vocab_flags_format(const struct vocab_flag *t, size_t n, uint64_t v, char sep, char *buf,
			  size_t size, size_t off)
{
	size_t i;

	if (!size)
		return 0;
	for (i = 0; i < n; i++) {
		size_t len = strlen(t[i].name), need = len + (off ? 1 : 0);

		if ((v & t[i].bits) != t[i].bits || !t[i].bits)
			continue;
		if (off + need >= size)
			break;
		if (off)
			buf[off++] = sep;
		memcpy(buf + off, t[i].name, len);
		off += len;
	}
	buf[off < size ? off : size - 1] = '\0';
	return off;
}

/* Bit i is capability i (linux/capability.h). */
#define CAP(i, name)                                                                               \
	{                                                                                          \
		"CAP_" #name, 1ull << (i)                                                          \
	}
const struct vocab_flag vocab_caps[] = {
    CAP(0, CHOWN),
    CAP(1, DAC_OVERRIDE),
    CAP(2, DAC_READ_SEARCH),
    CAP(3, FOWNER),
    CAP(4, FSETID),
    CAP(5, KILL),
    CAP(6, SETGID),
    CAP(7, SETUID),
    CAP(8, SETPCAP),
    CAP(9, LINUX_IMMUTABLE),
    CAP(10, NET_BIND_SERVICE),
    CAP(11, NET_BROADCAST),
    CAP(12, NET_ADMIN),
    CAP(13, NET_RAW),
    CAP(14, IPC_LOCK),
    CAP(15, IPC_OWNER),
    CAP(16, SYS_MODULE),
    CAP(17, SYS_RAWIO),
    CAP(18, SYS_CHROOT),
    CAP(19, SYS_PTRACE),
    CAP(20, SYS_PACCT),
    CAP(21, SYS_ADMIN),
    CAP(22, SYS_BOOT),
    CAP(23, SYS_NICE),
    CAP(24, SYS_RESOURCE),
    CAP(25, SYS_TIME),
    CAP(26, SYS_TTY_CONFIG),
    CAP(27, MKNOD),
    CAP(28, LEASE),
    CAP(29, AUDIT_WRITE),
    CAP(30, AUDIT_CONTROL),
    CAP(31, SETFCAP),
    CAP(32, MAC_OVERRIDE),
    CAP(33, MAC_ADMIN),
    CAP(34, SYSLOG),
    CAP(35, WAKE_ALARM),
    CAP(36, BLOCK_SUSPEND),
    CAP(37, AUDIT_READ),
    CAP(38, PERFMON),
    CAP(39, BPF),
    CAP(40, CHECKPOINT_RESTORE),
};
#undef CAP
const size_t vocab_ncaps = sizeof(vocab_caps) / sizeof(vocab_caps[0]);

const char *vocab_cap_name(unsigned int bit)
{
	return bit < vocab_ncaps ? vocab_caps[bit].name : NULL;
}

const struct vocab_flag vocab_open_access[] = {
    {"O_RDONLY", O_RDONLY},
    {"O_WRONLY", O_WRONLY},
    {"O_RDWR", O_RDWR},
};
const size_t vocab_nopen_access = sizeof(vocab_open_access) / sizeof(vocab_open_access[0]);

const struct vocab_flag vocab_open_flags[] = {
    {"O_CREAT", O_CREAT},	  {"O_EXCL", O_EXCL},	      {"O_NOCTTY", O_NOCTTY},
    {"O_TRUNC", O_TRUNC},	  {"O_APPEND", O_APPEND},     {"O_NONBLOCK", O_NONBLOCK},
    {"O_DSYNC", O_DSYNC},	  {"O_DIRECT", O_DIRECT},     {"O_LARGEFILE", O_LARGEFILE},
    {"O_DIRECTORY", O_DIRECTORY}, {"O_NOFOLLOW", O_NOFOLLOW}, {"O_NOATIME", O_NOATIME},
    {"O_CLOEXEC", O_CLOEXEC},	  {"O_PATH", O_PATH},	      {"O_TMPFILE", __O_TMPFILE},
    {"O_SYNC", O_SYNC},
};
const size_t vocab_nopen_flags = sizeof(vocab_open_flags) / sizeof(vocab_open_flags[0]);

size_t vocab_open_flags_format(uint32_t flags, char *buf, size_t size)
{
	const char *acc =
	    vocab_open_access[0].name; /* O_ACCMODE 3 is no mode: Falco says O_RDONLY */
	size_t i, off;

	if (!size)
		return 0;
	for (i = 0; i < vocab_nopen_access; i++)
		if ((flags & O_ACCMODE) == vocab_open_access[i].bits)
			acc = vocab_open_access[i].name;
	off = strlen(acc) < size ? strlen(acc) : size - 1;
	memcpy(buf, acc, off);
	buf[off] = '\0';
	return vocab_flags_format(vocab_open_flags, vocab_nopen_flags, flags, '|', buf, size, off);
}

int vocab_open_flag_lookup(const char *name, size_t len, uint64_t *bits)
{
	if (!vocab_flag_lookup(vocab_open_access, vocab_nopen_access, name, len, bits))
		return 0;
	return vocab_flag_lookup(vocab_open_flags, vocab_nopen_flags, name, len, bits);
}

const struct vocab_flag vocab_exe_flags[] = {
    {"EXE_WRITABLE", OSP_PF_EXE_WRITABLE},
    {"EXE_UPPER_LAYER", OSP_F_EXE_UPPER},
    {"EXE_FROM_MEMFD", OSP_F_EXE_MEMFD},
};
const size_t vocab_nexe_flags = sizeof(vocab_exe_flags) / sizeof(vocab_exe_flags[0]);

/* ---- priorities ---- */

static const char *const prio_names[VOCAB_PRIORITIES] = {
    [RULE_PRIO_EMERGENCY] = "Emergency",
    [RULE_PRIO_ALERT] = "Alert",
    [RULE_PRIO_CRITICAL] = "Critical",
    [RULE_PRIO_ERROR] = "Error",
    [RULE_PRIO_WARNING] = "Warning",
    [RULE_PRIO_NOTICE] = "Notice",
    [RULE_PRIO_INFORMATIONAL] = "Informational",
    [RULE_PRIO_DEBUG] = "Debug",
};

const char *vocab_priority_name(unsigned int p)
{
	return p < VOCAB_PRIORITIES ? prio_names[p] : "Unknown";
}

int vocab_priority_parse(const char *s, size_t len)
{
	unsigned int i;

	if (!s)
		return -EINVAL;
	if (len == 4 && !strncasecmp(s, "info", 4))
		return RULE_PRIO_INFORMATIONAL;
	for (i = 0; i < VOCAB_PRIORITIES; i++)
		if (strlen(prio_names[i]) == len && !strncasecmp(s, prio_names[i], len))
			return (int)i;
	return -EINVAL;
}
