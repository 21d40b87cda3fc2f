/* Path text handling: component lists from the kernel, and Falco's fd.name normalisation. */
#ifndef OSP_PATH_H
#define OSP_PATH_H

#include <stddef.h>

/* What a path on a detached mount starts with: "(detached)/usr/sbin/runc" is the file /usr/sbin/runc of
 * a filesystem reached only through a detached mount, as runc's cloned binary is. Not absolute, so
 * no prefix or exact-path rule takes it for a path the process could open. */
#define OSP_DETACHED_PREFIX "(detached)"

/* Turns a kernel component list (leaf first, each NUL-terminated: "passwd\0etc\0") into an absolute
 * path ("/etc/passwd") in out. An empty list is "/". A final component without its NUL (a truncated
 * list) is used as far as it goes. Returns the length written (excluding the NUL), or -ENAMETOOLONG if
 * out is too small (out then holds "" ). Never reads past list[len - 1]. */
int osp_path_from_components(const char *list, size_t len, char *out, size_t outsz);

/* Falco's fd.name: path joined to base when it is relative (base must be absolute; NULL or "" means
 * "/"), then normalised as text: repeated '/' collapsed, "." removed, ".." folded (never above "/"),
 * no trailing '/'. Symlinks are not followed. Returns the length written, or -ENAMETOOLONG. */
int osp_path_normalize(const char *base, const char *path, char *out, size_t outsz);

#endif
