/* The vocabularies: every name the agent reads or writes for a number, one table per concept, each
 * usable both ways (name -> value and value -> name), as Falco's event_table.c and flags_table.c are.
 *
 *   event types    evt.type: "execve", "openat", "procexit", ... (enum osp_evt, include/osprey/events.h)
 *   capabilities   thread.cap_*: "CAP_CHOWN" ... "CAP_CHECKPOINT_RESTORE"
 *   open flags     evt.arg.flags of an open: "O_RDONLY|O_CREAT|O_CLOEXEC"
 *   exe flags      evt.arg.flags of an exec: "EXE_WRITABLE|EXE_UPPER_LAYER|EXE_FROM_MEMFD"
 *   priorities     a rule's priority: "Emergency" ... "Debug", which are syslog's severities 0..7
 *
 * The decoder, the field extractors, replay, the rule compiler and the outputs read these tables and
 * keep no copy: a new name is one row here. The syscall numbers behind the event types are the
 * kernel side's (bpf/syscalls.bpf.h).
 */
#ifndef OSP_FIELDS_VOCAB_H
#define OSP_FIELDS_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* ---- event types ---- */

/* One bit per event type in a mask of event types (which events supply a field, which a rule needs). */
#define OSP_ETM(e) (1u << (e))
#define OSP_ETM_EXEC (OSP_ETM(OSP_ET_EXECVE) | OSP_ETM(OSP_ET_EXECVEAT))
#define OSP_ETM_OPEN                                                                               \
	(OSP_ETM(OSP_ET_OPEN) | OSP_ETM(OSP_ET_OPENAT) | OSP_ETM(OSP_ET_OPENAT2) |                 \
	 OSP_ETM(OSP_ET_CREAT))
#define OSP_ETM_FORK                                                                               \
	(OSP_ETM(OSP_ET_CLONE) | OSP_ETM(OSP_ET_CLONE3) | OSP_ETM(OSP_ET_FORK) |                   \
	 OSP_ETM(OSP_ET_VFORK))
#define OSP_ETM_EXIT OSP_ETM(OSP_ET_PROCEXIT)
#define OSP_ETM_ALL ((1u << OSP_ET_COUNT) - 1)

/* The event type of ev: ev->syscall when it is one of ev->type's record (exec: execve or execveat;
 * fork: clone, clone3, fork or vfork; open: open, openat, openat2 or creat), else that record's
 * default (execve, clone, openat); procexit for an exit; -1 for a record type we do not know. */
int vocab_evt_of(const struct osp_event *ev);

/* Falco's name of an event type ("execve", "openat", "procexit", ...); "unknown" when out of range. */
const char *vocab_evt_name(int et);

/* The event type named name[0..len), or -1 when we do not trace it. */
int vocab_evt_lookup(const char *name, size_t len);

/* The record type (OSP_EV_*) that carries event type et; 0 when out of range. */
uint32_t vocab_evt_record(int et);

/* Falco's evt.category of an event type: "file" for opens, "process" for the others. */
const char *vocab_evt_category(int et);

/* ---- flag sets: capabilities, open flags, exe flags ---- */

/* One name of a flag set: the bits it stands for. */
struct vocab_flag {
	const char *name;
	uint64_t bits;
};

/* The bits of name[0..len) in table t (n rows). Returns 0 and *bits, or -1 for an unknown name. */
int vocab_flag_lookup(const struct vocab_flag *t, size_t n, const char *name, size_t len,
		      uint64_t *bits);

/* Appends the names of every row of t whose bits are all set in v, in table order, each preceded by
 * sep when something is already written, to buf at offset off (NUL-terminated, cut cleanly at a
 * name that does not fit). Returns the new offset. */
size_t vocab_flags_format(const struct vocab_flag *t, size_t n, uint64_t v, char sep, char *buf,
			  size_t size, size_t off);

/* Capabilities, bit i = capability i ("CAP_CHOWN" for 0). */
extern const struct vocab_flag vocab_caps[];
extern const size_t vocab_ncaps;
/* The name of capability bit ("CAP_CHOWN" for 0, ...), or NULL past the last one we know. */
const char *vocab_cap_name(unsigned int bit);

/* open(2) flags: the access modes (O_RDONLY, O_WRONLY, O_RDWR: values of O_ACCMODE) and the other
 * flags, in the order Falco prints them (O_TMPFILE and O_SYNC after the single bits they include). */
extern const struct vocab_flag vocab_open_access[];
extern const size_t vocab_nopen_access;
extern const struct vocab_flag vocab_open_flags[];
extern const size_t vocab_nopen_flags;
/* Open flags as Falco prints them, "O_RDONLY|O_CLOEXEC", into buf. Returns the length. */
size_t vocab_open_flags_format(uint32_t flags, char *buf, size_t size);
/* The open flags of one name (an access mode or a flag), or -1. */
int vocab_open_flag_lookup(const char *name, size_t len, uint64_t *bits);

/* Exec flags (bits of osp_proc.flags) as Falco names them in an exec's evt.arg.flags. */
extern const struct vocab_flag vocab_exe_flags[];
extern const size_t vocab_nexe_flags;

/* ---- priorities ---- */

/* Falco's priorities, most severe first: syslog's severities (LOG_EMERG .. LOG_DEBUG), in order. */
enum rule_priority {
	RULE_PRIO_EMERGENCY = 0,
	RULE_PRIO_ALERT,
	RULE_PRIO_CRITICAL,
	RULE_PRIO_ERROR,
	RULE_PRIO_WARNING,
	RULE_PRIO_NOTICE,
	RULE_PRIO_INFORMATIONAL,
	RULE_PRIO_DEBUG,
};
#define VOCAB_PRIORITIES (RULE_PRIO_DEBUG + 1)

/* Falco's name of priority p ("Warning", "Informational", ...); "Unknown" out of range. */
const char *vocab_priority_name(unsigned int p);

/* The priority named s[0..len), any case, "info" for Informational: an enum rule_priority, or
 * -EINVAL (also for NULL s). */
int vocab_priority_parse(const char *s, size_t len);

#endif
