/* Field values as cJSON items: the one conversion the alert formatter and `--events` share. */
#ifndef OSP_FIELDJSON_H
#define OSP_FIELDJSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "fields/fields.h"

/* A string as a JSON string, made valid UTF-8 first (names and argv are bytes chosen by whoever
 * made them; invalid bytes become U+FFFD). Uses a static buffer: event-loop thread only. */
cJSON *fieldjson_str(const char *s, size_t len);

/* 64-bit integers as exact JSON numbers (cJSON's own numbers are doubles). */
cJSON *fieldjson_u64(uint64_t v);
cJSON *fieldjson_s64(int64_t v);

/* An extracted field value: integers exact, booleans, strings as fieldjson_str(). */
cJSON *fieldjson_fval(const struct osp_fval *v);

#endif
