/* User and group fields: user.* and group.*; names from the process table's cache (ctx->pt), which
 * the event loop fills at enrichment (proctable_resolve_names()). */
#include <stdint.h>

#include "fields/internal.h"
#include "proc/proctable.h"

#define SELF(ev) ((ev)->proc)

/* ---- user.* / group.* ---- */

static int get_user_uid(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_int(o, SELF(ev)->uid) : 0;
}

static int get_user_name(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	if (!SELF(ev) || !c || !c->pt)
		return 0;
	return fields_set_cstr(o, proctable_user_name_cached(c->pt, ev, SELF(ev)->uid));
}

static int get_user_loginuid(const struct osp_field_ctx *c, const struct osp_event *ev,
			     const struct osp_farg *a, struct osp_fval *o)
{
	if (!SELF(ev))
		return 0;
	return fields_set_int(o,
			      SELF(ev)->loginuid == UINT32_MAX ? -1 : (int64_t)SELF(ev)->loginuid);
}

static int get_user_loginname(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	if (!SELF(ev) || !c || !c->pt || SELF(ev)->loginuid == UINT32_MAX)
		return 0;
	return fields_set_cstr(o, proctable_user_name_cached(c->pt, ev, SELF(ev)->loginuid));
}

static int get_group_gid(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_int(o, SELF(ev)->gid) : 0;
}

static int get_group_name(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	if (!SELF(ev) || !c || !c->pt)
		return 0;
	return fields_set_cstr(o, proctable_group_name_cached(c->pt, ev, SELF(ev)->gid));
}

/* ---- the tables (sorted by name) ---- */

static const struct osp_field user_fields[] = {
    F("user.homedir", S, 0, NONE, "home directory (not collected)", fields_get_none),
    F("user.loginname", S, OSP_FF_NAMES, ALL, "user name of user.loginuid", get_user_loginname,
      SETS(LOGINNAME)),
    F("user.loginuid", I, 0, ALL, "audit login uid; -1 when unset", get_user_loginuid,
      SETS(LOGINUID)),
    F("user.name", S, OSP_FF_NAMES, ALL, "user name", get_user_name, SETS(USER_NAME)),
    F("user.shell", S, 0, NONE, "login shell (not collected)", fields_get_none),
    F("user.uid", I, 0, ALL, "user id", get_user_uid, SETS(UID)),
};
FIELDS_CLASS(user, user_fields);

static const struct osp_field group_fields[] = {
    F("group.gid", I, 0, ALL, "group id", get_group_gid, SETS(GID)),
    F("group.name", S, OSP_FF_NAMES, ALL, "group name", get_group_name, SETS(GROUP_NAME)),
};
FIELDS_CLASS(group, group_fields);
