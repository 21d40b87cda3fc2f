/* `osprey run --events`: one JSON object per line per event.
 *
 * Keys are rule field names: every field of the field tables (agent/fields/) that the event's type
 * supplies and that has a value, typed (strings, exact integers, booleans, arrays for list and ancestor
 * fields), plus what the kernel captured that is no rule field (proc.argv, cgroup paths, raw flags,
 * truncation flags, label maps). agent/replay reads the same lines back. A debugging and fixture
 * stream: it allocates per event, unlike the alert path. */
#ifndef OSP_EVJSON_H
#define OSP_EVJSON_H

#include <stdio.h>

#include "event.h"
#include "fields/fields.h"

/* Writes ev as one line of JSON to out. Returns 0 or -errno (-ENOMEM if cJSON could not build it). */
int evjson_write(FILE *out, const struct osp_field_ctx *ctx, const struct osp_event *ev);

#endif
