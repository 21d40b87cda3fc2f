/* YAML helpers: see yaml.h. */
#include "rules/yaml.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool rules_yaml_scalar_is(const yaml_node_t *n, const char *s)
{
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
	       memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

const char *rules_yaml_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

bool rules_yaml_is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = {"~", "null", "Null", "NULL"};
	size_t i;

	if (!n)
		return true;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	if (!n->data.scalar.length)
		return true;
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (rules_yaml_scalar_is(n, nulls[i]))
			return true;
	return false;
}

static int yaml_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && ((n > 5 && !strcmp(d->d_name + n - 5, ".yaml")) ||
				       (n > 4 && !strcmp(d->d_name + n - 4, ".yml")));
}

int rules_yaml_dir(const char *dir, int (*each)(void *arg, const char *path, int err), void *arg)
{
	struct dirent **ents = NULL;
	char path[PATH_MAX];
	int n, i, ret = 0;

	n = scandir(dir, &ents, yaml_file, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		if (!ret) {
			int w = snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);

			if (w < 0 || (size_t)w >= sizeof(path))
				ret = each(arg, dir, -ENAMETOOLONG);
			else
				ret = each(arg, path, 0);
		}
		free(ents[i]);
	}
	free(ents);
	return ret;
}
