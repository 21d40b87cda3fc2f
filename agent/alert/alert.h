/* Alerts in Falco's JSON schema: one object per line, what SIEMs that ingest Falco already parse. */
#ifndef OSP_ALERT_H
#define OSP_ALERT_H

#include <stddef.h>

#include "fields/fields.h"
#include "rules/rules.h"

/* Fields added to every alert's output_fields beside the template's own, as Falco does for containers. */
extern const char *const alert_extra_fields[];

/* Formats the alert for rule r firing on ev into buf (no trailing newline):
 *   {"time":RFC 3339 ns UTC,"rule","priority","source","hostname",
 *    "output":"<HH:MM:SS.ns>: <Priority> <rendered template>","tags":[...],
 *    "output_fields":{each %field of the template and the container fields: typed, null if missing}}
 * Returns the length, -ENOSPC when it does not fit in size, -ENOMEM when cJSON cannot build it.
 * Called on the event loop (uses the ruleset's scratch); allocates only inside cJSON, and frees
 * everything before returning. */
int alert_format(struct ruleset *rs, const struct rule *r, const struct osp_field_ctx *ctx,
		 const struct osp_event *ev, char *buf, size_t size);

#endif
