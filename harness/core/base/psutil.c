/* psutil.c: see psutil.h. */
#include "psutil.h"
#include <errno.h>
#include <ctype.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void oom(void)
{
    fputs("pipespec: out of memory\n", stderr);
    abort();
}
void *ps_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom();
    return p;
}
void *ps_xcalloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (!p) oom();
    return p;
}
void *ps_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) oom();
    return p;
}
char *ps_xstrdup(const char *s)
{
    return s ? ps_xstrndup(s, strlen(s)) : NULL;
}
char *ps_xstrndup(const char *s, size_t n)
{
    char *p = ps_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}
char *ps_sprintf(const char *fmt, ...)
{
    ps_buf b;
    va_list ap;
    int n;
    ps_buf_init(&b);
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return ps_buf_steal(&b);
    b.data = ps_xrealloc(b.data, (size_t)n + 1);
    b.cap = (size_t)n + 1;
    va_start(ap, fmt);
    vsnprintf(b.data, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b.len = (size_t)n;
    return ps_buf_steal(&b);
}

void ps_buf_init(ps_buf *b)
{
    b->cap = 64;
    b->len = 0;
    b->data = ps_xmalloc(b->cap);
    b->data[0] = 0;
}
void ps_buf_free(ps_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
void ps_buf_add(ps_buf *b, const void *p, size_t n)
{
    if (!b->data) ps_buf_init(b);
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap) b->cap *= 2;
        b->data = ps_xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}
void ps_buf_adds(ps_buf *b, const char *s) { ps_buf_add(b, s, strlen(s)); }
void ps_buf_addc(ps_buf *b, char c) { ps_buf_add(b, &c, 1); }
void ps_buf_printf(ps_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    if (!b->data) ps_buf_init(b);
    if (b->len + (size_t)n + 1 > b->cap) {
        while (b->len + (size_t)n + 1 > b->cap) b->cap *= 2;
        b->data = ps_xrealloc(b->data, b->cap);
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}
char *ps_buf_steal(ps_buf *b)
{
    char *d;
    if (!b->data) ps_buf_init(b);
    d = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

void ps_json_str(ps_buf *b, const char *s)
{
    const unsigned char *p;
    if (!s) {
        ps_buf_adds(b, "null");
        return;
    }
    ps_buf_addc(b, '"');
    for (p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': ps_buf_adds(b, "\\\""); break;
        case '\\': ps_buf_adds(b, "\\\\"); break;
        case '\n': ps_buf_adds(b, "\\n"); break;
        case '\r': ps_buf_adds(b, "\\r"); break;
        case '\t': ps_buf_adds(b, "\\t"); break;
        case '<': ps_buf_adds(b, "\\u003c"); break; /* safe inside <script> */
        default:
            if (*p < 0x20) ps_buf_printf(b, "\\u%04x", *p);
            else ps_buf_addc(b, (char)*p);
        }
    }
    ps_buf_addc(b, '"');
}

void ps_xml_escape(ps_buf *b, const char *s)
{
    const unsigned char *p;
    if (!s) return;
    for (p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': ps_buf_adds(b, "&amp;"); break;
        case '<': ps_buf_adds(b, "&lt;"); break;
        case '>': ps_buf_adds(b, "&gt;"); break;
        case '"': ps_buf_adds(b, "&quot;"); break;
        case '\'': ps_buf_adds(b, "&#39;"); break;
        default:
            if (*p < 0x20 && *p != '\n' && *p != '\t') break; /* not allowed in XML 1.0 */
            ps_buf_addc(b, (char)*p);
        }
    }
}

char *ps_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ps_buf b;
    char chunk[8192];
    size_t n;
    if (!f) return NULL;
    ps_buf_init(&b);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) ps_buf_add(&b, chunk, n);
    if (ferror(f)) { /* a folder opens on some systems, then fails to read (EISDIR) */
        int e = errno;
        fclose(f);
        ps_buf_free(&b);
        errno = e;
        return NULL;
    }
    fclose(f);
    if (len) *len = b.len;
    return ps_buf_steal(&b);
}

int ps_write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int rc = 0;
    if (!f) return -1;
    if (fwrite(data, 1, len, f) != len) rc = -1;
    if (fclose(f) != 0) rc = -1;
    return rc;
}

int ps_strieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

int ps_glob(const char *pat, const char *s)
{
    const char *star = NULL, *mark = NULL;
    while (*s) {
        if (*pat == '*') {
            star = pat++;
            mark = s;
        } else if (*pat == '?' || *pat == *s) {
            pat++;
            s++;
        } else if (star) {
            pat = star + 1;
            s = ++mark;
        } else {
            return 0;
        }
    }
    while (*pat == '*') pat++;
    return *pat == 0;
}

static void add_fffd(ps_buf *b) { ps_buf_adds(b, "\xEF\xBF\xBD"); }

/* A copy of s that is valid UTF-8: each byte that does not start a well-formed
 * sequence (overlong forms, surrogates, > U+10FFFF, truncated) becomes U+FFFD, and so
 * do U+FFFE and U+FFFF (not allowed in XML). NULL in, NULL out. */
char *ps_utf8_repair(const char *s)
{
    const unsigned char *p;
    ps_buf b;
    if (!s) return NULL;
    ps_buf_init(&b);
    p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p, cp;
        int n, i;
        if (c < 0x80) {
            ps_buf_addc(&b, (char)c);
            p++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07u;
        } else {
            add_fffd(&b);
            p++;
            continue;
        }
        for (i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80) break;
            cp = (cp << 6) | (p[i] & 0x3Fu);
        }
        if (i <= n || (n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) {
            add_fffd(&b);
            p++;
            continue;
        }
        ps_buf_add(&b, p, (size_t)n + 1);
        p += n + 1;
    }
    return ps_buf_steal(&b);
}

static void add_digits(ps_buf *b, unsigned long long v, int mindigits)
{
    char tmp[32];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while ((v || n < mindigits) && n < (int)sizeof tmp);
    while (n) ps_buf_addc(b, tmp[--n]);
}

/* v with exactly `decimals` (0..6) digits after the point, independent of the locale;
 * NaN and infinities are written as 0. */
void ps_buf_fixed(ps_buf *b, double v, int decimals)
{
    static const unsigned long long p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    double s;
    unsigned long long scaled;
    int neg = 0;
    if (decimals < 0) decimals = 0;
    if (decimals > 6) decimals = 6;
    if (!isfinite(v)) v = 0;
    s = v * (double)p10[decimals];
    if (s < 0) {
        neg = 1;
        s = -s;
    }
    if (s > 9e18) s = 9e18;
    scaled = (unsigned long long)(s + 0.5);
    if (neg && scaled) ps_buf_addc(b, '-');
    add_digits(b, scaled / p10[decimals], 1);
    if (decimals) {
        ps_buf_addc(b, '.');
        add_digits(b, scaled % p10[decimals], decimals);
    }
}
