/* report_all.c: ps_report_all, and the helpers the report writers share.
 *
 * The shared helpers (ps_rep_*) have no header of their own: each report_*.c file
 * repeats the prototypes it uses under a comment pointing here. Keep them in sync.
 *
 * Everything that goes into a report passes through here first so that the four
 * formats agree: UTF-8 is repaired (invalid bytes become U+FFFD, so JSON and XML
 * parsers never choke on a stray code-page byte from a case), numbers are formatted
 * without printf's locale or %lld, and a case's trace_json is checked (a child killed
 * in the middle of a T line leaves a truncated entry; the reports keep the entries
 * that parse and say so instead of producing a report that does not parse). */
#include "psutil.h"
#include "report.h"
#include "report_internal.h"
#include "results.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- text */

static void add_fffd(ps_buf *b) { ps_buf_adds(b, "\xEF\xBF\xBD"); }

/* A copy of s that is valid UTF-8: each byte that does not start a well-formed
 * sequence (overlong forms, surrogates, > U+10FFFF, truncated) becomes U+FFFD, and so
 * do U+FFFE and U+FFFF (not allowed in XML). NULL in, NULL out. */
char *ps_rep_utf8(const char *s)
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

/* A JSON string (or null) of s, with its UTF-8 repaired. */
void ps_rep_json_str(ps_buf *b, const char *s)
{
    char *u = ps_rep_utf8(s);
    ps_json_str(b, u);
    free(u);
}

/* XML-escaped s (nothing for NULL), UTF-8 repaired. attr: for an attribute value, where
 * newlines and tabs must be character references or a parser turns them into spaces. */
void ps_rep_xml(ps_buf *b, const char *s, int attr)
{
    char *u;
    ps_buf t;
    const char *p;
    if (!s) return;
    u = ps_rep_utf8(s);
    ps_buf_init(&t);
    ps_xml_escape(&t, u);
    free(u);
    if (!attr) {
        ps_buf_add(b, t.data, t.len);
    } else {
        for (p = t.data; *p; p++) {
            if (*p == '\n') ps_buf_adds(b, "&#10;");
            else if (*p == '\t') ps_buf_adds(b, "&#9;");
            else ps_buf_addc(b, *p);
        }
    }
    ps_buf_free(&t);
}

/* s on one line: control characters (newlines included) become spaces. */
void ps_rep_flat(ps_buf *b, const char *s)
{
    const unsigned char *p;
    if (!s) return;
    for (p = (const unsigned char *)s; *p; p++) ps_buf_addc(b, *p < 0x20 || *p == 0x7F ? ' ' : (char)*p);
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
void ps_rep_fixed(ps_buf *b, double v, int decimals)
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

/* Counts per outcome, recomputed from the cases (so a report can never disagree with
 * its own case list, whatever run->counts says). */
void ps_rep_counts(const ps_run *run, int counts[PS_OUTCOME_COUNT])
{
    int i;
    for (i = 0; i < PS_OUTCOME_COUNT; i++) counts[i] = 0;
    for (i = 0; i < run->ncases; i++)
        if ((int)run->cases[i].outcome >= 0 && run->cases[i].outcome < PS_OUTCOME_COUNT)
            counts[run->cases[i].outcome]++;
}

/* The case's topic, or the first component of its id when topic is unset. malloc'ed. */
char *ps_rep_topic(const ps_result *r)
{
    const char *id = r->id ? r->id : "";
    const char *dot;
    if (r->topic && r->topic[0]) return ps_xstrdup(r->topic);
    dot = strchr(id, '.');
    if (dot && dot != id) return ps_xstrndup(id, (size_t)(dot - id));
    return ps_xstrdup(id[0] ? id : "unknown");
}

/* The case's display name: id, then sep and the iteration number when iteration > 1
 * (sep " #" gives "busy.wait #2"). Not escaped. */
void ps_rep_case_name(ps_buf *b, const ps_result *r, const char *sep)
{
    ps_buf_adds(b, r->id ? r->id : "");
    if (r->iteration > 1) {
        ps_buf_adds(b, sep);
        ps_buf_printf(b, "%d", r->iteration);
    }
}

/* Writes b to f and frees it. 0, or -1 on an I/O error. */
int ps_rep_write(FILE *f, ps_buf *b)
{
    int rc = 0;
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len) rc = -1;
    if (fflush(f) != 0 || ferror(f)) rc = -1;
    ps_buf_free(b);
    return rc;
}

/* ---------------------------------------------------------------- a small JSON reader
 * Strict RFC 8259 syntax, nesting limited (the input comes from a case process). */

typedef struct jv {
    char t;          /* 'n' null, 'b' boolean, 'd' number, 's' string, 'a' array, 'o' object */
    const char *raw; /* the value's text in the source */
    size_t rawlen;
    char *s;         /* 's': the decoded string */
    struct jv *kids; /* 'a', 'o' */
    char **keys;     /* 'o' */
    int n;
} jv;

typedef struct {
    const char *s;
    size_t len, pos;
} jp;

enum { JMAXDEPTH = 64 };

static void jv_free(jv *v)
{
    int i;
    for (i = 0; i < v->n; i++) {
        jv_free(&v->kids[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->kids);
    free(v->keys);
    free(v->s);
    memset(v, 0, sizeof *v);
}

static int jpeek(const jp *p) { return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1; }

static void jws(jp *p)
{
    int c;
    while ((c = jpeek(p)) == ' ' || c == '\t' || c == '\n' || c == '\r') p->pos++;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int jhex4(jp *p, unsigned *out)
{
    unsigned v = 0;
    int i, h;
    if (p->pos + 4 > p->len) return -1;
    for (i = 0; i < 4; i++) {
        if ((h = hexval((unsigned char)p->s[p->pos + (size_t)i])) < 0) return -1;
        v = v * 16u + (unsigned)h;
    }
    p->pos += 4;
    *out = v;
    return 0;
}

static void add_utf8(ps_buf *b, unsigned cp)
{
    char u[4];
    if (cp < 0x80) {
        ps_buf_addc(b, (char)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        ps_buf_add(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        ps_buf_add(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        ps_buf_add(b, u, 4);
    }
}

static int jstring(jp *p, char **out)
{
    ps_buf b;
    int c;
    if (jpeek(p) != '"') return -1;
    p->pos++;
    ps_buf_init(&b);
    for (;;) {
        c = jpeek(p);
        if (c < 0x20) goto bad; /* end of input, or a raw control character */
        p->pos++;
        if (c == '"') break;
        if (c != '\\') {
            ps_buf_addc(&b, (char)c);
            continue;
        }
        c = jpeek(p);
        p->pos++;
        switch (c) {
        case '"': ps_buf_addc(&b, '"'); break;
        case '\\': ps_buf_addc(&b, '\\'); break;
        case '/': ps_buf_addc(&b, '/'); break;
        case 'b': ps_buf_addc(&b, '\b'); break;
        case 'f': ps_buf_addc(&b, '\f'); break;
        case 'n': ps_buf_addc(&b, '\n'); break;
        case 'r': ps_buf_addc(&b, '\r'); break;
        case 't': ps_buf_addc(&b, '\t'); break;
        case 'u': {
            unsigned cp, lo;
            if (jhex4(p, &cp) != 0) goto bad;
            if (cp >= 0xD800 && cp <= 0xDBFF && p->pos + 1 < p->len && p->s[p->pos] == '\\' &&
                p->s[p->pos + 1] == 'u') {
                size_t save = p->pos;
                p->pos += 2;
                if (jhex4(p, &lo) != 0) goto bad;
                if (lo >= 0xDC00 && lo <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else p->pos = save; /* lone high surrogate; the next escape stands alone */
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
            if (cp == 0) cp = 0xFFFD; /* keep C strings whole */
            add_utf8(&b, cp);
            break;
        }
        default: goto bad;
        }
    }
    *out = ps_buf_steal(&b);
    return 0;
bad:
    ps_buf_free(&b);
    return -1;
}

static int jdigits(jp *p)
{
    size_t start = p->pos;
    int c;
    while ((c = jpeek(p)) >= '0' && c <= '9') p->pos++;
    return p->pos > start ? 0 : -1;
}

static int jnumber(jp *p)
{
    int c;
    if (jpeek(p) == '-') p->pos++;
    c = jpeek(p);
    if (c == '0') p->pos++;
    else if (c >= '1' && c <= '9') jdigits(p);
    else return -1;
    if (jpeek(p) == '.') {
        p->pos++;
        if (jdigits(p) != 0) return -1;
    }
    c = jpeek(p);
    if (c == 'e' || c == 'E') {
        p->pos++;
        c = jpeek(p);
        if (c == '+' || c == '-') p->pos++;
        if (jdigits(p) != 0) return -1;
    }
    return 0;
}

static int jliteral(jp *p, const char *word)
{
    size_t n = strlen(word);
    if (p->pos + n > p->len || memcmp(p->s + p->pos, word, n) != 0) return -1;
    p->pos += n;
    return 0;
}

static int jvalue(jp *p, jv *v, int depth);

static void jv_push(jv *v, jv *kid, char *key)
{
    v->kids = ps_xrealloc(v->kids, sizeof *v->kids * (size_t)(v->n + 1));
    if (v->t == 'o') {
        v->keys = ps_xrealloc(v->keys, sizeof *v->keys * (size_t)(v->n + 1));
        v->keys[v->n] = key;
    }
    v->kids[v->n++] = *kid;
}

static int jcontainer(jp *p, jv *v, int depth)
{
    int close = v->t == 'o' ? '}' : ']';
    p->pos++; /* '{' or '[' */
    jws(p);
    if (jpeek(p) == close) {
        p->pos++;
        return 0;
    }
    for (;;) {
        jv kid;
        char *key = NULL;
        jws(p);
        if (v->t == 'o') {
            if (jstring(p, &key) != 0) return -1;
            jws(p);
            if (jpeek(p) != ':') {
                free(key);
                return -1;
            }
            p->pos++;
            jws(p);
        }
        if (jvalue(p, &kid, depth + 1) != 0) {
            free(key);
            return -1;
        }
        jv_push(v, &kid, key);
        jws(p);
        if (jpeek(p) == ',') {
            p->pos++;
            continue;
        }
        if (jpeek(p) == close) {
            p->pos++;
            return 0;
        }
        return -1;
    }
}

/* Parses one value at p->pos into v. On failure v is left empty and -1 returned. */
static int jvalue(jp *p, jv *v, int depth)
{
    int c = jpeek(p), rc;
    memset(v, 0, sizeof *v);
    if (depth > JMAXDEPTH) return -1;
    v->raw = p->s + p->pos;
    switch (c) {
    case '{': v->t = 'o'; rc = jcontainer(p, v, depth); break;
    case '[': v->t = 'a'; rc = jcontainer(p, v, depth); break;
    case '"': v->t = 's'; rc = jstring(p, &v->s); break;
    case 't': v->t = 'b'; rc = jliteral(p, "true"); break;
    case 'f': v->t = 'b'; rc = jliteral(p, "false"); break;
    case 'n': v->t = 'n'; rc = jliteral(p, "null"); break;
    default: v->t = 'd'; rc = jnumber(p); break;
    }
    if (rc != 0) {
        jv_free(v);
        return -1;
    }
    v->rawlen = (size_t)(p->s + p->pos - v->raw);
    return 0;
}

static const jv *jget(const jv *o, const char *key)
{
    int i;
    if (!o || o->t != 'o') return NULL;
    for (i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0) return &o->kids[i];
    return NULL;
}

/* ---------------------------------------------------------------- traces */

/* trace_json as a valid JSON array of objects, malloc'ed. When trace_json already is
 * one (the normal case) the result is it verbatim (UTF-8 repaired) and *salvaged = 0.
 * Otherwise the result holds the object entries that parsed, up to the first syntax
 * error, and *salvaged = 1. NULL counts as "[]". */
char *ps_rep_trace_json(const char *trace_json, int *salvaged)
{
    char *clean = ps_rep_utf8(trace_json ? trace_json : "[]");
    jp p;
    ps_buf out;
    int ok = 1, first = 1;
    p.s = clean;
    p.len = strlen(clean);
    p.pos = 0;
    ps_buf_init(&out);
    ps_buf_addc(&out, '[');
    jws(&p);
    if (jpeek(&p) != '[') {
        ok = 0;
    } else {
        p.pos++;
        jws(&p);
        if (jpeek(&p) == ']') {
            p.pos++;
        } else {
            for (;;) {
                jv v;
                size_t start;
                jws(&p);
                start = p.pos;
                if (jvalue(&p, &v, 0) != 0) {
                    ok = 0;
                    break;
                }
                if (v.t == 'o') {
                    if (!first) ps_buf_addc(&out, ',');
                    ps_buf_add(&out, clean + start, p.pos - start);
                    first = 0;
                } else {
                    ok = 0; /* a non-object entry: dropped */
                }
                jv_free(&v);
                jws(&p);
                if (jpeek(&p) == ',') {
                    p.pos++;
                    continue;
                }
                if (jpeek(&p) == ']') p.pos++;
                else ok = 0;
                break;
            }
        }
        jws(&p);
        if (p.pos != p.len) ok = 0;
    }
    ps_buf_addc(&out, ']');
    if (salvaged) *salvaged = !ok;
    if (ok) {
        ps_buf_free(&out);
        return clean;
    }
    free(clean);
    return ps_buf_steal(&out);
}

static void add_raw(ps_buf *b, const jv *v);

/* A scalar as display text: strings decoded (flattened), everything else as written. */
static void add_scalar(ps_buf *b, const jv *v)
{
    if (v->t == 's') ps_rep_flat(b, v->s);
    else add_raw(b, v);
}

/* A value as written in the JSON text (flattened). */
static void add_raw(ps_buf *b, const jv *v)
{
    char *tmp = ps_xstrndup(v->raw, v->rawlen);
    ps_rep_flat(b, tmp);
    free(tmp);
}

/* Whether e has key with a non-null value. */
static int present(const jv *e, const char *key)
{
    const jv *v = jget(e, key);
    return v && v->t != 'n';
}

/* The value of a number ('d'), parsed here because strtod follows the C locale's
 * decimal point, which need not be '.'. Precise enough for display. */
static double jnumber_value(const jv *v)
{
    const char *p = v->raw, *end = v->raw + v->rawlen;
    double x = 0, scale = 1;
    int neg = 0, eneg = 0, ex = 0;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    for (; p < end && *p >= '0' && *p <= '9'; p++) x = x * 10 + (*p - '0');
    if (p < end && *p == '.')
        for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
            scale /= 10;
            x += (*p - '0') * scale;
        }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        for (; p < end && *p >= '0' && *p <= '9'; p++)
            if (ex < 400) ex = ex * 10 + (*p - '0');
        while (ex-- > 0) x = eneg ? x / 10 : x * 10;
    }
    return neg ? -x : x;
}

static void add_field(ps_buf *b, const jv *e, const char *key, const char *before)
{
    const jv *v = jget(e, key);
    if (!v || v->t == 'n') return;
    ps_buf_adds(b, before);
    add_scalar(b, v);
}

/* One human-readable line per trace entry, each starting with indent and ending with
 * '\n':  "L12 +1.234 ms A: ReadFile(...) -> FALSE ERROR_MORE_DATA (234) {bytes=1024}
 *         expected: ERROR_MORE_DATA bytes=1024 [ok] note: ..."
 * Returns the number of entries written. */
int ps_rep_trace_lines(ps_buf *b, const char *trace_json, const char *indent)
{
    int salvaged, i, j;
    char *text = ps_rep_trace_json(trace_json, &salvaged);
    jp p;
    jv arr;
    p.s = text;
    p.len = strlen(text);
    p.pos = 0;
    if (jvalue(&p, &arr, 0) != 0 || arr.t != 'a') { /* cannot happen: text is valid */
        free(text);
        return 0;
    }
    for (i = 0; i < arr.n; i++) {
        const jv *e = &arr.kids[i], *v;
        ps_buf_adds(b, indent);
        v = jget(e, "line");
        ps_buf_addc(b, 'L');
        if (v) add_scalar(b, v);
        else ps_buf_addc(b, '?');
        v = jget(e, "t_ms");
        if (v && v->t == 'd') {
            double t = jnumber_value(v);
            ps_buf_adds(b, t < 0 ? " " : " +");
            ps_rep_fixed(b, t, 3);
            ps_buf_adds(b, " ms");
        }
        v = jget(e, "actor");
        if (v && v->t != 'n') { /* never "L12:": the line number stays a plain token */
            add_field(b, e, "actor", " ");
            ps_buf_addc(b, ':');
        }
        if (present(e, "call")) add_field(b, e, "call", " ");
        else add_field(b, e, "op", " ");
        add_field(b, e, "ret", " -> ");
        v = jget(e, "error_name");
        if (v && v->t == 's') {
            add_field(b, e, "error_name", " ");
            if (present(e, "error")) {
                add_field(b, e, "error", " (");
                ps_buf_addc(b, ')');
            }
        } else {
            add_field(b, e, "error", " error ");
        }
        v = jget(e, "fields");
        if (v && v->t == 'o' && v->n) {
            ps_buf_adds(b, " {");
            for (j = 0; j < v->n; j++) {
                if (j) ps_buf_addc(b, ' ');
                ps_rep_flat(b, v->keys[j]);
                ps_buf_addc(b, '=');
                add_raw(b, &v->kids[j]); /* strings keep their quotes: "data=a b" is ambiguous */
            }
            ps_buf_addc(b, '}');
        } else if (v && v->t != 'o' && v->t != 'n') {
            ps_buf_adds(b, " {");
            add_scalar(b, v);
            ps_buf_addc(b, '}');
        }
        add_field(b, e, "expected", " expected: ");
        v = jget(e, "verdict");
        if (v && v->t != 'n') {
            ps_buf_adds(b, " [");
            add_scalar(b, v);
            ps_buf_addc(b, ']');
        }
        add_field(b, e, "note", " note: ");
        ps_buf_addc(b, '\n');
    }
    if (salvaged) {
        ps_buf_adds(b, indent);
        ps_buf_adds(b, "(the rest of the trace was not valid JSON and is left out)\n");
    }
    i = arr.n;
    jv_free(&arr);
    free(text);
    return i;
}

/* ---------------------------------------------------------------- ps_report_all */

typedef int (*writer_fn)(FILE *, const ps_run *);

int ps_report_all(const char *dir, const ps_run *run, const char **failed)
{
    static const struct {
        const char *name;
        writer_fn fn;
    } outs[] = {
        {"report.json", ps_report_json},
        {"junit.xml", ps_report_junit},
        {"report.tap", ps_report_tap},
        {"report.html", ps_report_html},
    };
    size_t i, dl = dir ? strlen(dir) : 0;
    if (failed) *failed = NULL;
    for (i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        char *path;
        FILE *f;
        int rc;
        if (dl == 0) path = ps_xstrdup(outs[i].name);
        else if (dir[dl - 1] == '/' || dir[dl - 1] == '\\') path = ps_sprintf("%s%s", dir, outs[i].name);
        else path = ps_sprintf("%s/%s", dir, outs[i].name);
        f = fopen(path, "wb");
        free(path);
        rc = -1;
        if (f) {
            rc = outs[i].fn(f, run);
            if (fclose(f) != 0) rc = -1;
        }
        if (rc != 0) {
            if (failed) *failed = outs[i].name;
            return -1;
        }
    }
    return 0;
}
