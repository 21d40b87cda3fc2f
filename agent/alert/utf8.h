/* UTF-8 hygiene for what we emit: file names and argv are bytes, JSON must be UTF-8. */
#ifndef OSP_UTF8_H
#define OSP_UTF8_H

#include <stddef.h>

/* Returns s when s[0..len) is valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF);
 * otherwise writes a copy into buf (size bytes, NUL-terminated) with every invalid byte replaced
 * by U+FFFD and returns buf; the copy is cut at a character boundary when buf is too small.
 * A name an attacker chose must not make an alert line that a strict JSON parser rejects. */
const char *utf8_clean(const char *s, size_t len, char *buf, size_t size);

#endif
