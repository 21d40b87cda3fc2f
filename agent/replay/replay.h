/* Replay: one JSON object (a line of `osprey run --events`, or a rule test case's event) back into the
 * struct osp_event the rule engine reads, with its process, parent, ancestors and container.
 *
 * Input: keys are rule field names (agent/fields/) with typed values (strings, exact integers,
 * booleans; ancestors' lists proc.aname/apid/aexe/aexepath/acmdline as arrays, parent first), keyed
 * forms (`k8s.pod.labels[env]`, `proc.aname[2]`, `evt.arg.flags`), and the capture keys
 * `osprey run --events` adds (agent/fields/capture.c: proc.argv, proc.start_time, container.labels
 * as an object, ...; see docs/rule-tests.md). A null value means "missing". What a value sets is
 * its descriptor's part (enum osp_part): derived fields (proc.cmdline, fd.directory,
 * evt.is_open_write ...) set what they can (argv, open flags) and are then checked: after the event
 * is built, every field given is extracted through the field table and compared with the input, so
 * that a replayed event is exactly what the input describes, or an error says which field
 * disagrees.
 *
 * Ancestry comes from a real process table (agent/proc) that the replay owns: each ancestor, then the
 * subject, is applied as a synthetic exec, so proctable_ancestor() answers as for a live event. User
 * and group names come out of per-process /etc/passwd and /etc/group files under a private host root
 * (a temporary directory), which is where the live table reads them from: nothing in agent/proc is
 * special-cased for replay.
 *
 * Not reconstructed (accepted, not checked: the descriptors marked IGNORED): evt.time, evt.time.s,
 * evt.datetime (local time zone of the capturing host), proc.sname and proc.vpgid.* (they depend on
 * ancestors' session and group ids, which are not recorded).
 *
 * Threading: one thread per struct replay.
 */
#ifndef OSP_REPLAY_H
#define OSP_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "fields/fields.h"

struct cJSON;
struct replay;
struct replay_store;

/* One replayed event. ev and ctx are what ruleset_match() takes. Everything ev points to is owned by
 * the replay_event (the subject and its parent as copies) or by its struct replay (ancestors beyond
 * the parent and user/group names, through ctx.pt): valid until replay_event_free() and as long as
 * the struct replay lives. */
struct replay_event {
	struct osp_event ev;
	struct osp_field_ctx ctx;
	struct osp_proc self;
	struct osp_proc parent;
	struct osp_container *container;
	struct replay_store *store;
};

/* What went wrong, for the caller to print: key is the input key at fault ("" when the object as a
 * whole is), msg a sentence. */
struct replay_err {
	char key[128];
	char msg[384];
};

/* Returns a new replay context, or NULL with errno set. max_procs bounds its process table (ancestors
 * of all events replayed through it; 0 = 65536). Creates a private temporary directory (removed by
 * replay_free()). Free with replay_free(). */
struct replay *replay_new(uint32_t max_procs);

/* Frees the context, its process table and its temporary directory. Accepts NULL. Free the events
 * replayed through it first. */
void replay_free(struct replay *rp);

/* Builds an event from obj (a JSON object). Returns 0 and *out (free with replay_event_free()), or
 * -EINVAL with *err filled (malformed or inconsistent input), -ENOMEM, or another -errno (I/O on the
 * private directory). */
int replay_object(struct replay *rp, const struct cJSON *obj, struct replay_event **out,
		  struct replay_err *err);

/* Parses text[0..len) (one JSON object, e.g. a line of `osprey run --events`; integers are read
 * exactly, 64 bits) and replays it as replay_object() does. */
int replay_json(struct replay *rp, const char *text, size_t len, struct replay_event **out,
		struct replay_err *err);

/* Readies re for ruleset_match() or field extraction as the event loop's enrichment does (user and
 * group names into the process table's cache, which evaluation reads). replay_object() leaves an
 * event ready; call this when other events were replayed through the same context since. */
void replay_event_prepare(struct replay_event *re);

/* Frees an event. Accepts NULL. */
void replay_event_free(struct replay_event *re);

/* Parses one JSON document with exact integers: every number item keeps its text in valuestring
 * (freed by cJSON_Delete()). Returns the tree, or NULL with *err filled. */
struct cJSON *replay_parse_json(const char *text, size_t len, struct replay_err *err);

/* The JSON type a key takes, for converting untyped input (YAML scalars): REPLAY_VT_INT for integer
 * fields, REPLAY_VT_BOOL, REPLAY_VT_STRING (also for unknown keys: the replay reports those),
 * REPLAY_VT_LIST (an array), REPLAY_VT_OBJECT (container.labels, k8s.pod.labels). */
enum replay_vtype {
	REPLAY_VT_STRING = 0,
	REPLAY_VT_INT,
	REPLAY_VT_BOOL,
	REPLAY_VT_LIST,
	REPLAY_VT_OBJECT,
};
enum replay_vtype replay_key_type(const char *key);

#endif
