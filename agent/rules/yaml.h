/* YAML helpers of the rule loader, which the rule-test reader (agent/cli/rules_test.c) shares: one
 * reading of a scalar, of YAML's null, and of a directory of YAML files. */
#ifndef OSP_RULES_YAML_H
#define OSP_RULES_YAML_H

#include <stdbool.h>
#include <yaml.h>

/* Whether n is a scalar whose value is exactly s. */
bool rules_yaml_scalar_is(const yaml_node_t *n, const char *s);

/* The value of scalar n, or NULL when n is NULL or not a scalar. */
const char *rules_yaml_scalar(const yaml_node_t *n);

/* YAML's null (the core schema): no node, or a plain scalar that is empty, "~", "null", "Null" or
 * "NULL". A quoted "null" is a string. */
bool rules_yaml_is_null(const yaml_node_t *n);

/* Calls each(arg, path, 0) for every file of dir named *.yaml or *.yml (not starting with '.'), in
 * name order, path being "dir/name"; each(arg, dir, -ENAMETOOLONG) for a name whose path does not
 * fit PATH_MAX. Stops at the first nonzero return of each and returns it; returns 0 when every file
 * was given, -errno when dir cannot be read. */
int rules_yaml_dir(const char *dir, int (*each)(void *arg, const char *path, int err), void *arg);

#endif
