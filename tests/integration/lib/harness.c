#include "harness.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

int it_popen(const char *cmd, char **out)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, r;
	FILE *fp = popen(cmd, "r");
	int st;

	if (!fp)
		return -errno;
	for (;;) {
		if (len + 4097 > cap) {
			char *nb = realloc(buf, cap + 8192);

			if (!nb)
				break;
			buf = nb;
			cap += 8192;
		}
		r = fread(buf + len, 1, cap - len - 1, fp);
		if (r == 0)
			break;
		len += r;
	}
	if (buf)
		buf[len] = '\0';
	st = pclose(fp);
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int it_kv_parse(char *text, struct it_kv *kv, int max)
{
	char *line, *next;
	int n = 0;

	for (line = text; line && *line && n < max; line = next) {
		char *eq;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		kv[n].k = line;
		kv[n].v = eq + 1;
		n++;
	}
	return n;
}

const char *it_kv_get(const struct it_kv *kv, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].k, key) == 0)
			return kv[i].v;
	return NULL;
}
