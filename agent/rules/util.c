/* Rule engine plumbing: the load-time arena, a string map, diagnostics and position mapping. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "rules/internal.h"

/* ---- arena ---- */

#define ARENA_CHUNK (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

void *rules_arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk *c = a->head;
	size_t align = sizeof(max_align_t);
	void *p;

	size = (size + align - 1) & ~(align - 1);
	if (!size)
		size = align;
	if (!c || c->cap - c->used < size) {
		size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *rules_arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = rules_arena_alloc(a, len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void rules_arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

/* ---- string map: open addressing, linear probing ---- */

uint64_t rules_smap_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static struct smap_slot *rules_smap_find(const struct smap *m, const char *key, size_t len,
					 uint64_t h)
{
	size_t i, mask;

	if (!m->cap)
		return NULL;
	mask = m->cap - 1;
	for (i = h & mask;; i = (i + 1) & mask) {
		struct smap_slot *s = &m->slots[i];

		if (!s->key)
			return s;
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
			return s;
	}
}

void *rules_smap_get(const struct smap *m, const char *key, size_t len)
{
	struct smap_slot *s = rules_smap_find(m, key, len, rules_smap_hash(key, len));

	return s && s->key ? s->val : NULL;
}

static int rules_smap_grow(struct smap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16, i;
	struct smap old = *m;

	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -ENOMEM;
	}
	m->cap = cap;
	m->n = 0;
	for (i = 0; i < old.cap; i++) {
		struct smap_slot *s;

		if (!old.slots[i].key)
			continue;
		s = rules_smap_find(m, old.slots[i].key, old.slots[i].len, old.slots[i].hash);
		*s = old.slots[i];
		m->n++;
	}
	free(old.slots);
	return 0;
}

int rules_smap_put(struct smap *m, const char *key, size_t len, void *val)
{
	uint64_t h = rules_smap_hash(key, len);
	struct smap_slot *s;

	if ((m->n + 1) * 2 > m->cap && rules_smap_grow(m))
		return -ENOMEM;
	s = rules_smap_find(m, key, len, h);
	if (!s->key) {
		s->key = key;
		s->len = len;
		s->hash = h;
		m->n++;
	}
	s->val = val;
	return 0;
}

void rules_smap_free(struct smap *m)
{
	if (!m)
		return;
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

/* ---- positions ---- */

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Maps a value offset to a byte index in the file by walking value and source side by side: YAML
 * folding only drops or merges whitespace and escape characters, so each non-blank value character is
 * found, in order, in the source. */
static size_t rpos_src_index(const struct rpos *pos)
{
	const struct rtext *t = pos->t;
	const char *src = t->file->buf;
	size_t si = t->src_start, end = t->src_end, vi;

	if (end > t->file->len)
		end = t->file->len;
	if (t->len == 0)
		return t->src_start;
	if (t->style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    t->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		si++;
	} else if (t->style == YAML_LITERAL_SCALAR_STYLE || t->style == YAML_FOLDED_SCALAR_STYLE) {
		while (si < end && src[si] != '\n')
			si++;
	}
	for (vi = 0; vi < pos->off && vi < t->len; vi++) {
		char c = t->s[vi];

		if (is_ws(c)) {
			if (si < end && is_ws(src[si]))
				si++;
			continue;
		}
		while (si < end && src[si] != c)
			si++;
		if (si < end)
			si++;
	}
	/* land on the character at off itself */
	if (pos->off < t->len && !is_ws(t->s[pos->off]))
		while (si < end && src[si] != t->s[pos->off])
			si++;
	else
		while (si < end && is_ws(src[si]) && src[si] != '\n')
			si++;
	/* past the last character: one past it (for quoted scalars, the closing quote) */
	return si <= end ? si : end;
}

void rules_rpos_linecol(const struct rpos *pos, uint32_t *line, uint32_t *col)
{
	const struct rtext *t = pos->t;
	size_t idx, i, ls = 0;
	uint32_t l = 1;

	if (!t || !t->file || !t->file->buf) {
		*line = t ? t->line : 0;
		*col = t ? t->col : 0;
		return;
	}
	idx = rpos_src_index(pos);
	for (i = 0; i < idx && i < t->file->len; i++) {
		if (t->file->buf[i] == '\n') {
			l++;
			ls = i + 1;
		}
	}
	*line = l;
	*col = (uint32_t)(idx - ls + 1);
}

/* ---- diagnostics ---- */

static void diag_add(struct ruleset *rs, const char *file, uint32_t line, uint32_t col,
		     bool warning, const char *msg)
{
	struct diag_node *d;

	/* one report per spot: a macro used by many rules fails once */
	for (d = rs->diags; d; d = d->next)
		if (d->d.line == line && d->d.col == col && d->d.warning == warning &&
		    strcmp(d->d.file, file) == 0 && strcmp(d->d.msg, msg) == 0)
			return;
	d = rules_arena_alloc(&rs->arena, sizeof(*d));
	if (!d)
		return;
	d->d.file = rules_arena_strndup(&rs->arena, file, strlen(file));
	d->d.msg = rules_arena_strndup(&rs->arena, msg, strlen(msg));
	if (!d->d.file || !d->d.msg)
		return;
	d->d.line = line;
	d->d.col = col;
	d->d.warning = warning;
	if (rs->diags_tail)
		rs->diags_tail->next = d;
	else
		rs->diags = d;
	rs->diags_tail = d;
	rs->ndiag++;
	if (!warning)
		rs->nerrors++;
}

void ruleset_diag_at(struct ruleset *rs, const struct rpos *pos, bool warning, const char *fmt, ...)
{
	char msg[1024];
	uint32_t line = 0, col = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pos && pos->t)
		rules_rpos_linecol(pos, &line, &col);
	diag_add(rs, pos && pos->t && pos->t->file ? pos->t->file->path : "<rules>", line, col,
		 warning, msg);
}

void ruleset_diag_file(struct ruleset *rs, const char *file, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(rs, file, 0, 0, false, msg);
}
