/*
 * jsonl.h: a fast, strict reader of one JSON line, for exports.
 *
 * jansson builds a tree of every value; an export of a million rows only
 * needs each row's members as they stand in the text.  jsonl validates a
 * value (RFC 8259 syntax, nesting at most JSONL_DEPTH_MAX) and splits an
 * object into its members without copying: each member points into the
 * line.  Strings are decoded only when asked (jsonl_unquote).  Keys are
 * compared as they are written, escapes included: this is for lines whose
 * keys the writer controls (vigild's export).
 */
#ifndef VIGIL_JSONL_H
#define VIGIL_JSONL_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

#define JSONL_DEPTH_MAX 64

enum jsonl_type {
	JSONL_NONE,
	JSONL_NULL,
	JSONL_FALSE,
	JSONL_TRUE,
	JSONL_NUMBER,
	JSONL_STRING,
	JSONL_OBJECT,
	JSONL_ARRAY,
};

/* One member of an object: pointers into the line. */
struct jsonl_member {
	const char *key;          /* between the quotes, escapes not undone */
	size_t key_len;
	enum jsonl_type type;
	const char *val;          /* the value's text (a string with its quotes) */
	size_t val_len;
};

/*
 * Check that s[0..len) holds exactly one JSON value, with optional white
 * space around it; its type, or JSONL_NONE when it does not.
 */
enum jsonl_type jsonl_check(const char *s, size_t len);
/*
 * Split the JSON object that is the whole of s[0..len) into its members (at
 * most max); their count, or -1 when s is not one valid object or has more
 * than max members.
 */
int jsonl_object(const char *s, size_t len, struct jsonl_member *m, int max);
/* The member called key among m[0..n), or NULL. */
const struct jsonl_member *jsonl_get(const struct jsonl_member *m, int n,
    const char *key);
/*
 * Append the decoded text of the JSON string s[0..len) (with its quotes) to
 * out as UTF-8 (an unpaired surrogate becomes U+FFFD); 0, or -1 when s is
 * not a valid string or out is full.
 */
int jsonl_unquote(const char *s, size_t len, struct buf *out);
/* True when s[0..len) is printable ASCII only (0x20 to 0x7e). */
bool jsonl_ascii(const char *s, size_t len);

#endif
