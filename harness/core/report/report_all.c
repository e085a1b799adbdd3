/* report_all.c: ps_report_all, and the helpers the report writers share.
 *
 * Everything that goes into a report passes through here first so that the four
 * formats agree: UTF-8 is repaired (invalid bytes become U+FFFD, so JSON and XML
 * parsers never choke on a stray code-page byte from a case), numbers are formatted
 * without printf's locale or %lld, and a case's trace_json is checked (a child killed
 * in the middle of a T line leaves a truncated entry; the reports keep the entries
 * that parse and say so instead of producing a report that does not parse). */
#include "json.h"
#include "psutil.h"
#include "scenario.h"
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
    if (r->topic && r->topic[0]) return ps_xstrdup(r->topic);
    return ps_case_topic(r->id);
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

/* ---------------------------------------------------------------- traces */

/* trace_json as a valid JSON array of objects, malloc'ed. When trace_json already is
 * one (the normal case) the result is it verbatim (UTF-8 repaired) and *salvaged = 0.
 * Otherwise the result holds the object entries that parsed, up to the first syntax
 * error, and *salvaged = 1. NULL counts as "[]". */
char *ps_rep_trace_json(const char *trace_json, int *salvaged)
{
    char *clean = ps_rep_utf8(trace_json ? trace_json : "[]");
    ps_jp p;
    ps_buf out;
    int ok = 1, first = 1;
    p.s = clean;
    p.len = strlen(clean);
    p.pos = 0;
    ps_buf_init(&out);
    ps_buf_addc(&out, '[');
    ps_jp_ws(&p);
    if (ps_jp_peek(&p) != '[') {
        ok = 0;
    } else {
        p.pos++;
        ps_jp_ws(&p);
        if (ps_jp_peek(&p) == ']') {
            p.pos++;
        } else {
            for (;;) {
                ps_jv v;
                size_t start;
                ps_jp_ws(&p);
                start = p.pos;
                if (ps_jp_value(&p, &v) != 0) {
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
                ps_jv_free(&v);
                ps_jp_ws(&p);
                if (ps_jp_peek(&p) == ',') {
                    p.pos++;
                    continue;
                }
                if (ps_jp_peek(&p) == ']') p.pos++;
                else ok = 0;
                break;
            }
        }
        ps_jp_ws(&p);
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

static void add_raw(ps_buf *b, const ps_jv *v);

/* A scalar as display text: strings decoded (flattened), everything else as written. */
static void add_scalar(ps_buf *b, const ps_jv *v)
{
    if (v->t == 's') ps_rep_flat(b, v->s);
    else add_raw(b, v);
}

/* A value as written in the JSON text (flattened). */
static void add_raw(ps_buf *b, const ps_jv *v)
{
    char *tmp = ps_xstrndup(v->raw, v->rawlen);
    ps_rep_flat(b, tmp);
    free(tmp);
}

/* Whether e has key with a non-null value. */
static int present(const ps_jv *e, const char *key)
{
    const ps_jv *v = ps_jv_get(e, key);
    return v && v->t != 'n';
}

static void add_field(ps_buf *b, const ps_jv *e, const char *key, const char *before)
{
    const ps_jv *v = ps_jv_get(e, key);
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
    ps_jp p;
    ps_jv arr;
    p.s = text;
    p.len = strlen(text);
    p.pos = 0;
    if (ps_jp_value(&p, &arr) != 0 || arr.t != 'a') { /* cannot happen: text is valid */
        free(text);
        return 0;
    }
    for (i = 0; i < arr.n; i++) {
        const ps_jv *e = &arr.kids[i], *v;
        ps_buf_adds(b, indent);
        v = ps_jv_get(e, "line");
        ps_buf_addc(b, 'L');
        if (v) add_scalar(b, v);
        else ps_buf_addc(b, '?');
        v = ps_jv_get(e, "t_ms");
        if (v && v->t == 'd') {
            double t = ps_jv_number(v);
            ps_buf_adds(b, t < 0 ? " " : " +");
            ps_rep_fixed(b, t, 3);
            ps_buf_adds(b, " ms");
        }
        v = ps_jv_get(e, "actor");
        if (v && v->t != 'n') { /* never "L12:": the line number stays a plain token */
            add_field(b, e, "actor", " ");
            ps_buf_addc(b, ':');
        }
        if (present(e, "call")) add_field(b, e, "call", " ");
        else add_field(b, e, "op", " ");
        add_field(b, e, "ret", " -> ");
        v = ps_jv_get(e, "error_name");
        if (v && v->t == 's') {
            add_field(b, e, "error_name", " ");
            if (present(e, "error")) {
                add_field(b, e, "error", " (");
                ps_buf_addc(b, ')');
            }
        } else {
            add_field(b, e, "error", " error ");
        }
        v = ps_jv_get(e, "fields");
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
        v = ps_jv_get(e, "verdict");
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
    ps_jv_free(&arr);
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
