/* `osprey run --events`: one JSON object per line per event, keyed by rule field names. */
#ifndef OSP_EVJSON_H
#define OSP_EVJSON_H

#include <stdio.h>

#include "event.h"

/* Writes ev as one line of JSON to out. Returns 0 or -errno (-ENOMEM if cJSON could not build it). */
int osp_evjson_write(FILE *out, const struct osp_event *ev);

#endif
