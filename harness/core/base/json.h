/* json.h: a small strict JSON reader (RFC 8259). Portable.
 *
 * Values point into the text they were parsed from (raw/rawlen): keep the text alive
 * as long as the values. Nesting is limited to PS_JSON_MAXDEPTH. Strings are decoded
 * to UTF-8 (an escaped NUL or a lone surrogate becomes U+FFFD). */
#ifndef JSON_H
#define JSON_H
#include <stddef.h>

#define PS_JSON_MAXDEPTH 64

typedef struct ps_jv {
    char t;              /* 'n' null, 'b' boolean, 'd' number, 's' string, 'a' array, 'o' object */
    const char *raw;     /* the value's text in the source */
    size_t rawlen;
    char *s;             /* 's': the decoded string */
    struct ps_jv *kids;  /* 'a', 'o': the elements or member values */
    char **keys;         /* 'o': the member names (decoded) */
    int n;               /* 'a', 'o': how many */
} ps_jv;

/* A position in a text, for reading a document piece by piece. */
typedef struct {
    const char *s;
    size_t len, pos;
} ps_jp;

void ps_jp_init(ps_jp *p, const char *s, size_t len);
int ps_jp_peek(const ps_jp *p);          /* the next byte, or -1 at the end */
void ps_jp_ws(ps_jp *p);                 /* skips blanks */
/* Parses one value at p->pos into v (after no blanks). 0, or -1 with v empty and
 * p->pos near the error. */
int ps_jp_value(ps_jp *p, ps_jv *v);

/* Parses a whole document (one value, blanks around it allowed). 0, or -1 with the
 * 1-based line and column of the error in *line and *col (when not NULL). */
int ps_json_parse(const char *text, size_t len, ps_jv *out, int *line, int *col);
void ps_jv_free(ps_jv *v);

const ps_jv *ps_jv_get(const ps_jv *o, const char *key); /* NULL when o is no object or lacks key */
/* A member's string; NULL when absent or not a string. */
const char *ps_jv_str(const ps_jv *o, const char *key);
/* A number's value, parsed without the C locale (whose decimal point need not be '.').
 * 0 for anything that is not a number. */
double ps_jv_number(const ps_jv *v);
#endif
