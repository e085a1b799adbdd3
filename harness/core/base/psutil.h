/* psutil.h: small portable helpers (allocation that never returns NULL, a growable
 * string buffer, JSON/XML escaping, whole-file reads). No Win32 in here. */
#ifndef PSUTIL_H
#define PSUTIL_H
#include <stddef.h>
#include <stdio.h>

void *ps_xmalloc(size_t n);          /* aborts with a message when out of memory */
void *ps_xcalloc(size_t n, size_t m);
void *ps_xrealloc(void *p, size_t n);
char *ps_xstrdup(const char *s);     /* NULL in, NULL out */
char *ps_xstrndup(const char *s, size_t n);
char *ps_sprintf(const char *fmt, ...); /* malloc'ed result */

/* A growable, always NUL-terminated byte buffer. */
typedef struct {
    char *data;
    size_t len, cap;
} ps_buf;
void ps_buf_init(ps_buf *b);
void ps_buf_free(ps_buf *b);
void ps_buf_add(ps_buf *b, const void *p, size_t n);
void ps_buf_adds(ps_buf *b, const char *s);
void ps_buf_addc(ps_buf *b, char c);
void ps_buf_printf(ps_buf *b, const char *fmt, ...);
char *ps_buf_steal(ps_buf *b);       /* returns data (never NULL), resets b */
/* v with exactly `decimals` (0..6) digits after the point, whatever the C locale (NaN
 * and infinities as 0): for JSON and the reports. */
void ps_buf_fixed(ps_buf *b, double v, int decimals);

/* Escapers append to b. */
void ps_json_str(ps_buf *b, const char *s);          /* adds "..." with escapes; NULL -> null */
void ps_xml_escape(ps_buf *b, const char *s);        /* &<>"' escaped, control chars dropped */

/* A copy of s that is valid UTF-8 (invalid bytes, U+FFFE and U+FFFF become U+FFFD);
 * NULL in, NULL out. malloc'ed. */
char *ps_utf8_repair(const char *s);

/* Reads a whole file; returns malloc'ed NUL-terminated text or NULL (errno set). */
char *ps_read_file(const char *path, size_t *len);
int ps_write_file(const char *path, const char *data, size_t len); /* 0 ok, -1 error */

/* Case-insensitive ASCII compare. */
int ps_strieq(const char *a, const char *b);
/* Shell-style glob: '*' any run, '?' one char. Case-sensitive. */
int ps_glob(const char *pattern, const char *s);
#endif
