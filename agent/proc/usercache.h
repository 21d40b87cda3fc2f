/* User and group names from a root's own /etc/passwd and /etc/group, cached: internal to proc/.
 *
 * A root is a directory path (the host's root, or <host_root>/proc/PID/root for a process whose "/"
 * differs from the host's) plus an identity (the st_dev/st_ino of that directory) used as the cache key.
 * The cache is a fixed set-associative table (USERCACHE_SETS x USERCACHE_WAYS): it never grows.
 */
#ifndef OSP_PROC_USERCACHE_H
#define OSP_PROC_USERCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USERCACHE_SETS 128
#define USERCACHE_WAYS 8
#define USERCACHE_NAME 64	       /* longer names are cut */
#define USERCACHE_LINES 100000	       /* lines of passwd/group read at most */
#define USERCACHE_FILE_MAX (16u << 20) /* larger files are not read */
#define USERCACHE_TTL_HIT 300	       /* seconds a found name is trusted */
#define USERCACHE_TTL_MISS 30	       /* seconds an absent id is remembered */

struct usercache;

/* Returns a new, empty cache or NULL with errno set. Free with usercache_free() (NULL accepted). */
struct usercache *usercache_new(void);
void usercache_free(struct usercache *c);

/* Bytes a cache takes (it never grows). */
size_t usercache_bytes(void);

/* Name of user (group == false) or group id in the passwd/group file under root_path, or NULL when the
 * id is not listed or the file cannot be read. The returned string is owned by the cache and is not
 * replaced while epoch stays the same (callers pass a counter bumped per event). */
const char *usercache_lookup(struct usercache *c, const char *root_path, uint64_t root_dev,
			     uint64_t root_ino, bool group, uint32_t id, uint64_t epoch);

/* The cached name of user or group id under root (root_dev, root_ino as given to
 * usercache_lookup()), or NULL when it is not cached or cached as absent. Never does I/O and never
 * changes the cache (expired entries are returned too: whoever filled the cache refreshed them). */
const char *usercache_peek(const struct usercache *c, uint64_t root_dev, uint64_t root_ino,
			   bool group, uint32_t id);

/* Reads the name of id straight from <root_path>/etc/passwd or etc/group (resolved inside root_path,
 * so a container's absolute symlinks cannot point outside it). When root_dev/root_ino are not both 0,
 * root_path must still be that directory (else -ESTALE: /proc/PID was reused). Returns 0, -ENOENT when
 * not listed (or no passwd/group file in that root), -ESRCH when root_path itself is not there (its
 * process is gone: nothing is known, so nothing is remembered), or -errno. Exposed for tests. */
int usercache_read(const char *root_path, uint64_t root_dev, uint64_t root_ino, bool group,
		   uint32_t id, char *name, size_t size);

#endif
