#include "alert/utf8.h"

#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if it is not one. */
static size_t seq_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0; /* overlong, beyond Unicode, or a surrogate */
	return len;
}

const char *utf8_clean(const char *s, size_t len, char *buf, size_t size)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0;

	while (i < len) {
		size_t l = seq_len(u + i, len - i);

		if (!l)
			break;
		i += l;
	}
	if (i == len)
		return s;
	if (!size)
		return "";
	for (i = 0; i < len;) {
		size_t l = seq_len(u + i, len - i);
		const char *src = l ? s + i : "\xef\xbf\xbd"; /* U+FFFD */
		size_t sl = l ? l : 3;

		if (o + sl + 1 > size)
			break;
		memcpy(buf + o, src, sl);
		o += sl;
		i += l ? l : 1;
	}
	buf[o] = '\0';
	return buf;
}
