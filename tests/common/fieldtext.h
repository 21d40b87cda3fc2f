/* A rule field's value as the rules compare it and `osprey run --events` writes it, as text: what
 * tests assert on, through the same descriptors and extractors the agent uses. */
#ifndef OSP_TESTS_FIELDTEXT_H
#define OSP_TESTS_FIELDTEXT_H

#include "fields/fields.h"

/* The value of the field written name ("proc.name", "proc.aname[2]", "evt.arg.flags") for ev, as
 * text; "<NA>" when missing, "ERR <why>" for a name that does not resolve. The text lives in a
 * static buffer, valid until the next call. ctx may be NULL. */
const char *osp_test_field(const struct osp_field_ctx *ctx, const struct osp_event *ev,
			   const char *name);

#endif
