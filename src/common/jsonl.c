#include "compat.h"

#include "buf.h"
#include "jsonl.h"
#include "utf8.h"

/* Skip white space from i; the new index. */
static size_t
jsonl_ws(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
	    s[i] == '\r'))
		i++;
	return i;
}

/* Value of one hex digit, or -1. */
static int
jsonl_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 1 for the bytes a JSON string holds as they are (not " \\ or a control). */
static const unsigned char jsonl_plain[256] = {
#define JSONL_16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
	JSONL_16(0), JSONL_16(0),
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,   /* 0x20: '"' */
	JSONL_16(1), JSONL_16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,   /* 0x50: '\\' */
	JSONL_16(1), JSONL_16(1),
	JSONL_16(1), JSONL_16(1), JSONL_16(1), JSONL_16(1),
	JSONL_16(1), JSONL_16(1), JSONL_16(1), JSONL_16(1),
#undef JSONL_16
};

/* Skip the string starting at s[i] == '"'; the index after it, or 0. */
static size_t
jsonl_string(const char *s, size_t len, size_t i)
{
	const unsigned char *u = (const unsigned char *)s;

	for (i++; i < len; i++) {
		unsigned char c;

		while (i < len && jsonl_plain[u[i]])
			i++;
		if (i >= len)
			return 0;
		c = u[i];
		if (c == '"')
			return i + 1;
		if (c < 0x20)
			return 0;
		if (c != '\\')
			continue;
		if (++i >= len)
			return 0;
		switch (s[i]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			break;
		case 'u':
			if (i + 4 >= len)
				return 0;
			for (int k = 1; k <= 4; k++)
				if (jsonl_hex(s[i + k]) < 0)
					return 0;
			i += 4;
			break;
		default:
			return 0;
		}
	}
	return 0;
}

/* Skip a run of at least one digit from i; the new index, or 0. */
static size_t
jsonl_digits(const char *s, size_t len, size_t i)
{
	size_t start = i;

	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i > start ? i : 0;
}

/* Skip the number starting at s[i]; the index after it, or 0. */
static size_t
jsonl_number(const char *s, size_t len, size_t i)
{
	if (s[i] == '-')
		i++;
	if (i < len && s[i] == '0')
		i++;
	else if ((i = jsonl_digits(s, len, i)) == 0)
		return 0;
	if (i < len && s[i] == '.' && (i = jsonl_digits(s, len, i + 1)) == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if ((i = jsonl_digits(s, len, i)) == 0)
			return 0;
	}
	return i;
}

/* Skip the literal word at s[i]; the index after it, or 0. */
static size_t
jsonl_word(const char *s, size_t len, size_t i, const char *word)
{
	size_t n = strlen(word);

	if (len - i < n || memcmp(s + i, word, n) != 0)
		return 0;
	return i + n;
}

/* Skip the value at s[i] (no white space before it); index after it, or 0. */
static size_t
jsonl_value(const char *s, size_t len, size_t i, int depth,
    enum jsonl_type *type)
{
	char close;

	if (i >= len)
		return 0;
	switch (s[i]) {
	case '"':
		*type = JSONL_STRING;
		return jsonl_string(s, len, i);
	case 'n':
		*type = JSONL_NULL;
		return jsonl_word(s, len, i, "null");
	case 't':
		*type = JSONL_TRUE;
		return jsonl_word(s, len, i, "true");
	case 'f':
		*type = JSONL_FALSE;
		return jsonl_word(s, len, i, "false");
	case '{':
	case '[':
		break;
	default:
		if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) {
			*type = JSONL_NUMBER;
			return jsonl_number(s, len, i);
		}
		return 0;
	}
	if (depth >= JSONL_DEPTH_MAX)
		return 0;
	*type = s[i] == '{' ? JSONL_OBJECT : JSONL_ARRAY;
	close = s[i] == '{' ? '}' : ']';
	i = jsonl_ws(s, len, i + 1);
	if (i < len && s[i] == close)
		return i + 1;
	for (;;) {
		enum jsonl_type t;

		if (close == '}') {
			if (i >= len || s[i] != '"' ||
			    (i = jsonl_string(s, len, i)) == 0)
				return 0;
			i = jsonl_ws(s, len, i);
			if (i >= len || s[i] != ':')
				return 0;
			i = jsonl_ws(s, len, i + 1);
		}
		if ((i = jsonl_value(s, len, i, depth + 1, &t)) == 0)
			return 0;
		i = jsonl_ws(s, len, i);
		if (i >= len)
			return 0;
		if (s[i] == close)
			return i + 1;
		if (s[i] != ',')
			return 0;
		i = jsonl_ws(s, len, i + 1);
	}
}

/* The type of the one JSON value s[0..len) holds, or JSONL_NONE. */
enum jsonl_type
jsonl_check(const char *s, size_t len)
{
	enum jsonl_type t = JSONL_NONE;
	size_t i = jsonl_ws(s, len, 0);

	if ((i = jsonl_value(s, len, i, 0, &t)) == 0)
		return JSONL_NONE;
	if (jsonl_ws(s, len, i) != len)
		return JSONL_NONE;
	return t;
}

/* Split the object s[0..len) into its members; their count, or -1. */
int
jsonl_object(const char *s, size_t len, struct jsonl_member *m, int max)
{
	size_t i = jsonl_ws(s, len, 0), end;
	int n = 0;

	if (i >= len || s[i] != '{')
		return -1;
	i = jsonl_ws(s, len, i + 1);
	if (i < len && s[i] == '}')
		return jsonl_ws(s, len, i + 1) == len ? 0 : -1;
	for (;;) {
		if (n == max || i >= len || s[i] != '"' ||
		    (end = jsonl_string(s, len, i)) == 0)
			return -1;
		m[n].key = s + i + 1;
		m[n].key_len = end - i - 2;
		i = jsonl_ws(s, len, end);
		if (i >= len || s[i] != ':')
			return -1;
		i = jsonl_ws(s, len, i + 1);
		if ((end = jsonl_value(s, len, i, 1, &m[n].type)) == 0)
			return -1;
		m[n].val = s + i;
		m[n].val_len = end - i;
		n++;
		i = jsonl_ws(s, len, end);
		if (i >= len)
			return -1;
		if (s[i] == '}')
			return jsonl_ws(s, len, i + 1) == len ? n : -1;
		if (s[i] != ',')
			return -1;
		i = jsonl_ws(s, len, i + 1);
	}
}

/* The member called key among m[0..n), or NULL. */
const struct jsonl_member *
jsonl_get(const struct jsonl_member *m, int n, const char *key)
{
	size_t klen = strlen(key);

	for (int i = 0; i < n; i++)
		if (m[i].key_len == klen && memcmp(m[i].key, key, klen) == 0)
			return &m[i];
	return NULL;
}

/* Append code point cp as UTF-8; 0 or -1. */
static int
jsonl_put_cp(struct buf *out, uint32_t cp)
{
	char u[4];

	return buf_add(out, u, utf8_encode(cp, u));
}

/* The four hex digits at s as a number (they were checked). */
static uint32_t
jsonl_u4(const char *s)
{
	return (uint32_t)(jsonl_hex(s[0]) << 12 | jsonl_hex(s[1]) << 8 |
	    jsonl_hex(s[2]) << 4 | jsonl_hex(s[3]));
}

/* Append the decoded JSON string s[0..len) to out as UTF-8; 0 or -1. */
int
jsonl_unquote(const char *s, size_t len, struct buf *out)
{
	size_t i, run;

	if (len < 2 || s[0] != '"' || jsonl_string(s, len, 0) != len)
		return -1;
	len--;
	for (i = 1; i < len;) {
		uint32_t cp;
		char c;

		for (run = i; run < len && s[run] != '\\'; run++)
			;
		if (run > i && buf_add(out, s + i, run - i) != 0)
			return -1;
		if ((i = run) >= len)
			break;
		c = s[i + 1];
		i += 2;
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			cp = jsonl_u4(s + i);
			i += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && i + 6 <= len &&
			    s[i] == '\\' && s[i + 1] == 'u') {
				uint32_t lo = jsonl_u4(s + i + 2);

				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					    (lo - 0xdc00);
					i += 6;
				}
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			if (jsonl_put_cp(out, cp) != 0)
				return -1;
			continue;
		default:
			break;  /* " \ and / stand for themselves */
		}
		if (buf_add(out, &c, 1) != 0)
			return -1;
	}
	return 0;
}

/* True when s[0..len) is printable ASCII only. */
bool
jsonl_ascii(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}
