/* Image references: "[registry[:port]/]path[:tag][@digest]" -> repository, tag, digest.
 *
 * The reference is kept as the runtime recorded it (no "docker.io/library/" is added): rules match on
 * what the operator wrote. The tag is the text after the last ':' that follows the last '/', so a
 * registry port ("localhost:5000/x") is never mistaken for a tag.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"

static bool is_image_id(const char *s, size_t n)
{
	size_t i;

	if (n != 64)
		return false;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

void container_image_clear(struct container_image *img)
{
	if (!img)
		return;
	free(img->repository);
	free(img->tag);
	free(img->digest);
	memset(img, 0, sizeof(*img));
}

int container_image_parse(const char *ref, struct container_image *out)
{
	const char *at, *slash, *colon, *name_end;
	size_t n;
	int err = 0;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!ref || !*ref)
		return -EINVAL;
	n = strlen(ref);
	if (n > 7 && memcmp(ref, "sha256:", 7) == 0 && is_image_id(ref + 7, n - 7)) {
		/* an image run by its id: nothing but a digest */
		out->repository = strdup("");
		out->tag = strdup("");
		out->digest = strdup(ref);
		goto check;
	}
	at = strchr(ref, '@');
	name_end = at ? at : ref + n;
	slash = memrchr(ref, '/', (size_t)(name_end - ref));
	colon = memrchr(slash ? slash : ref, ':', (size_t)(name_end - (slash ? slash : ref)));
	if (colon) {
		out->repository = strndup(ref, (size_t)(colon - ref));
		out->tag = strndup(colon + 1, (size_t)(name_end - colon - 1));
	} else {
		out->repository = strndup(ref, (size_t)(name_end - ref));
		out->tag = strdup(at ? "" : "latest");
	}
	out->digest = strdup(at ? at + 1 : "");
check:
	if (!out->repository || !out->tag || !out->digest) {
		err = -ENOMEM;
		container_image_clear(out);
	}
	return err;
}
