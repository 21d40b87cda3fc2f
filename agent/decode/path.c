#include "decode/path.h"

#include <errno.h>
#include <string.h>

int path_from_components(const char *list, size_t len, char *out, size_t outsz)
{
	size_t ends[128], starts[128]; /* the kernel walks at most OSP_PATH_DEPTH (64) components */
	size_t n = 0, i = 0, o = 0;

	if (outsz < 2)
		return -ENAMETOOLONG;
	while (i < len && n < sizeof(starts) / sizeof(starts[0])) {
		const char *nul = memchr(list + i, '\0', len - i);
		size_t end = nul ? (size_t)(nul - list) : len;

		if (end > i) {
			starts[n] = i;
			ends[n] = end;
			n++;
		}
		i = end + 1;
	}
	if (n == 0) {
		out[0] = '/';
		out[1] = '\0';
		return 1;
	}
	while (n-- > 0) {
		size_t clen = ends[n] - starts[n];

		if (o + 1 + clen + 1 > outsz) {
			out[0] = '\0';
			return -ENAMETOOLONG;
		}
		out[o++] = '/';
		memcpy(out + o, list + starts[n], clen);
		o += clen;
	}
	out[o] = '\0';
	return (int)o;
}

/* Appends component c (clen bytes) to out, folding "." and "..". */
static int push_component(char *out, size_t *o, size_t outsz, const char *c, size_t clen)
{
	if (clen == 0 || (clen == 1 && c[0] == '.'))
		return 0;
	if (clen == 2 && c[0] == '.' && c[1] == '.') {
		while (*o > 0 && out[*o - 1] != '/')
			(*o)--;
		if (*o > 0)
			(*o)--; /* the '/' before the removed component */
		return 0;
	}
	if (*o + 1 + clen + 1 > outsz)
		return -ENAMETOOLONG;
	out[(*o)++] = '/';
	memcpy(out + *o, c, clen);
	*o += clen;
	return 0;
}

static int push_path(char *out, size_t *o, size_t outsz, const char *p)
{
	while (*p) {
		const char *slash;
		size_t clen;

		while (*p == '/')
			p++;
		slash = strchr(p, '/');
		clen = slash ? (size_t)(slash - p) : strlen(p);
		if (push_component(out, o, outsz, p, clen))
			return -ENAMETOOLONG;
		p += clen;
	}
	return 0;
}

int path_normalize(const char *base, const char *path, char *out, size_t outsz)
{
	size_t o = 0;

	if (outsz < 2)
		return -ENAMETOOLONG;
	if (path[0] != '/' && base && push_path(out, &o, outsz, base))
		goto toolong;
	if (push_path(out, &o, outsz, path))
		goto toolong;
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return (int)o;
toolong:
	out[0] = '\0';
	return -ENAMETOOLONG;
}
