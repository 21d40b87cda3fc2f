/* Ruleset and rule accessors. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "rules/internal.h"

size_t ruleset_ndiag(const struct ruleset *rs)
{
	return rs ? rs->ndiag : 0;
}

size_t ruleset_nerrors(const struct ruleset *rs)
{
	return rs ? rs->nerrors : 0;
}

const struct rule_diag *ruleset_diag(const struct ruleset *rs, size_t i)
{
	const struct diag_node *d;

	if (!rs || i >= rs->ndiag)
		return NULL;
	for (d = rs->diags; d && i; d = d->next)
		i--;
	return d ? &d->d : NULL;
}

size_t ruleset_nrules(const struct ruleset *rs)
{
	return rs ? rs->nrules : 0;
}

const struct rule *ruleset_rule(const struct ruleset *rs, size_t i)
{
	return rs && i < rs->nrules ? rs->rules[i] : NULL;
}

const struct rule *ruleset_find(const struct ruleset *rs, const char *name)
{
	return rs ? rules_smap_get(&rs->rules_by_name, name, strlen(name)) : NULL;
}

uint32_t ruleset_evt_mask(const struct ruleset *rs)
{
	return rs ? rs->evt_mask : 0;
}

uint32_t ruleset_names_mask(const struct ruleset *rs)
{
	return rs ? rs->names_mask : 0;
}

const char *rule_name(const struct rule *r)
{
	return r->name;
}

const char *rule_desc(const struct rule *r)
{
	return r->desc ? r->desc->s : "";
}

const char *rule_output(const struct rule *r)
{
	return r->output_str ? r->output_str : "";
}

const char *rule_source(const struct rule *r)
{
	return r->source;
}

enum rule_priority rule_priority(const struct rule *r)
{
	return r->priority;
}

size_t rule_ntags(const struct rule *r)
{
	return r->ntags;
}

const char *rule_tag(const struct rule *r, size_t i)
{
	return i < r->ntags ? r->tags[i] : NULL;
}

bool rule_enabled(const struct rule *r)
{
	return r->enabled;
}

bool rule_active(const struct rule *r, const char **why)
{
	if (!r->active && why)
		*why = r->why ? r->why : "inactive";
	return r->active;
}

uint32_t rule_evt_mask(const struct rule *r)
{
	return r->active ? r->evt_mask : 0;
}
