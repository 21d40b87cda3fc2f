/* Internals of agent/replay/, shared by its passes. Not an API: include replay/replay.h.
 *
 * Three passes over one object (replay.c drives them):
 *   1. keys.c: classify every key: a capture key (agent/fields/capture.c) or a rule field resolved
 *      through the field table (unknown, untraced or wrong-typed keys fail here, naming the key);
 *      each descriptor says which part of the event its value sets (enum osp_part): remember those
 *      values (the parts) and every rule field given;
 *   2. build.c, build_proc.c: the subject process, its ancestors, the open or exit details, the
 *      container, the event's time; names.c writes the subject's user/group names where the process table reads
 *      them; ancestors then the subject are applied to the table as synthetic execs;
 *   3. check.c: extract every rule field given and compare it with the input.
 * json.c parses JSON with exact 64-bit integers.
 */
#ifndef OSP_REPLAY_INTERNAL_H
#define OSP_REPLAY_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container/container.h"
#include "replay/replay.h"

#define REPLAY_MAXKEYS 1024		 /* keys in one object */
#define REPLAY_MAXLABELS 256		 /* labels per container or pod */
#define REPLAY_STR_MAX (64u * 1024)	 /* any other string */
#define REPLAY_NAME_MAX 63		 /* user/group names (the table's cache keeps 63 bytes) */
#define REPLAY_SYNTH_PID 10000000u	 /* synthetic pids: above pid_max, never a real process */
#define REPLAY_SYNTH_START 1000000000ull /* start given to a process whose duration is known */

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

/* The members of an ancestor the proc.a* lists set, in the order of OSP_PART_ANC_*. */
enum {
	REPLAY_A_NAME = 0,
	REPLAY_A_PID,
	REPLAY_A_EXEPATH,
	REPLAY_A_EXE,
	REPLAY_A_CMDLINE,
	REPLAY_A_N
};

/* A rule field given: checked against the replayed event by pass 3. */
struct replay_given {
	const cJSON *item;
	const struct osp_field *f;
	struct osp_farg arg;
	bool list; /* every ancestor: the value is an array */
};

/* A label given by key (container.label[KEY], k8s.pod.labels[KEY], ...). */
struct replay_kv {
	const char *key;
	size_t keylen;
	const cJSON *val;
};

/* The state of one replay_object() call. */
struct replay_build {
	struct replay *rp;
	struct replay_event *re;
	struct replay_err *err;
	int et;
	const cJSON *part[OSP_PART_COUNT]; /* the value that sets each part, or NULL */
	const char *part_key[OSP_PART_COUNT];
	uint32_t proc_flags; /* OSP_PART_PROC_FLAG bits given true */
	const cJSON *anc[OSP_ANCESTORS_MAX + 1][REPLAY_A_N];
	const char *anc_key[REPLAY_A_N];
	unsigned int nanc;
	struct replay_given *given;
	size_t ngiven;
	struct replay_kv clab[REPLAY_MAXLABELS], plab[REPLAY_MAXLABELS];
	size_t nclab, nplab;
	struct osp_proc ancp[OSP_ANCESTORS_MAX + 1];
};

/* Fills b->err (key: the input key at fault, "" for the whole object) and returns -EINVAL. */
__attribute__((format(printf, 3, 4))) int replay_fail(struct replay_build *b, const char *key,
						      const char *fmt, ...);

/* ---- per-event storage (replay.c): freed with the event ---- */
char *replay_store_alloc(struct replay_store **st, size_t n); /* 8-byte aligned; NULL on ENOMEM */
char *replay_store_str(struct replay_store **st, const char *s, size_t len);

/* ---- typed values (keys.c) ---- */
const char *replay_json_type_name(const cJSON *v);
/* An exact integer: from the text replay_parse_json() kept, else from an exact double. */
int replay_num_i64(const cJSON *v, int64_t *out);
int replay_num_u64(const cJSON *v, uint64_t *out);
/* The part's value as a number; replay_fail() naming its key when it is none. */
int replay_get_u64(struct replay_build *b, enum osp_part p, uint64_t *out);
int replay_get_u32(struct replay_build *b, enum osp_part p, uint32_t *out);
int replay_get_i64(struct replay_build *b, enum osp_part p, int64_t *out);
/* A string value checked against a length bound; NULL (and 0) when v is NULL or null. */
int replay_get_str(struct replay_build *b, const cJSON *v, const char *key, size_t max,
		   const char **out);
bool replay_is_true(const cJSON *v);

/* Copies the part's string value into the event's store as an osp_str (absent when not given). */
int replay_set_ostr(struct replay_build *b, enum osp_part p, size_t max, struct osp_str *dst);
/* Parses the part's list of names separated by sep ("CAP_A CAP_B", "O_RDWR|O_CREAT") with lookup()
 * (a vocabulary's, build_proc.c) into *out. */
int replay_parse_names(struct replay_build *b, enum osp_part p, char sep,
		       int (*lookup)(const char *w, size_t n, uint64_t *bits), uint64_t *out);
/* The subject process from its parts; ancestor k (1 = parent) into *p (build_proc.c). */
int replay_build_self(struct replay_build *b, struct osp_proc *p);
int replay_build_ancestor(struct replay_build *b, unsigned int k, struct osp_proc *p);

/* ---- the passes ---- */
int replay_classify(struct replay_build *b, const cJSON *obj);		  /* keys.c */
int replay_build_event(struct replay_build *b, const cJSON *obj);	  /* build.c */
int replay_place_names(struct replay_build *b, const struct osp_proc *p); /* names.c */
int replay_check(struct replay_build *b);				  /* check.c */

#endif
