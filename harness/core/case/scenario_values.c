/* scenario_values.c: the values of the case language that are not tokens' text (sizes,
 * numbers, durations, Wine version conditions, a case's topic) and the small accessors
 * of the model (diagnostics, role names, arguments). Portable. */
#include "scenario.h"
#include "psutil.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decimal digits only: no sign, no octal, no hex, no exponent; overflow is an error. */
static int parse_decimal(const char **q, unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;
    if (!isdigit((unsigned char)**q)) return -1;
    while (isdigit((unsigned char)**q)) {
        unsigned d = (unsigned)(**q - '0');
        if (v > (max - d) / 10) return -1;
        v = v * 10 + d;
        (*q)++;
    }
    *out = v;
    return 0;
}

int ps_parse_size(const char *s, unsigned long long *out)
{
    unsigned long long v, mul = 1;
    const char *q = s;
    if (!s || parse_decimal(&q, PS_SIZE_MAX, &v) != 0) return -1;
    if (*q == 'k' || *q == 'K') mul = 1024ULL, q++;
    else if (*q == 'm' || *q == 'M') mul = 1024ULL * 1024ULL, q++;
    if (*q || v > PS_SIZE_MAX / mul) return -1;
    *out = v * mul;
    return 0;
}

int ps_parse_uint(const char *s, unsigned long long *out)
{
    const char *q = s;
    unsigned long long v = 0;
    if (!s) return -1;
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
        int n = 0;
        for (q += 2; isxdigit((unsigned char)*q); q++, n++) {
            unsigned d = (unsigned)(isdigit((unsigned char)*q) ? *q - '0' : (tolower((unsigned char)*q) - 'a' + 10));
            if (v > (PS_SIZE_MAX - d) / 16) return -1;
            v = v * 16 + d;
        }
        if (!n || *q) return -1;
    } else if (parse_decimal(&q, PS_SIZE_MAX, &v) != 0 || *q)
        return -1;
    *out = v;
    return 0;
}

int ps_parse_ms(const char *s, long *out)
{
    const char *q = s;
    unsigned long long whole = 0, frac = 0, scale = 1;
    double v;
    if (!s) return -1;
    if (isdigit((unsigned char)*q)) {
        if (parse_decimal(&q, 2147483647ULL, &whole) != 0) return -1;
    } else if (*q != '.')
        return -1;
    if (*q == '.') {
        q++;
        if (!isdigit((unsigned char)*q)) return -1;
        while (isdigit((unsigned char)*q)) {
            if (scale < 1000000000ULL) frac = frac * 10 + (unsigned)(*q - '0'), scale *= 10;
            q++;
        }
    }
    v = (double)whole + (double)frac / (double)scale;
    if (strcmp(q, "s") == 0) v *= 1000.0;
    else if (*q && strcmp(q, "ms") != 0) return -1;
    if (v > 2147483647.0) return -1;
    *out = (long)(v + 0.5);
    return 0;
}

/* ---- Wine versions ---- */
/* "10.0" -> {10, 0}; "8.0-rc1" and "9.0 (Debian ...)" read their leading numbers. */
static int parse_version(const char *s, long v[4], const char **end)
{
    int n = 0;
    for (;;) {
        long x = 0;
        if (!isdigit((unsigned char)*s)) return -1;
        while (isdigit((unsigned char)*s)) {
            if (x > 99999) return -1;
            x = x * 10 + (*s++ - '0');
        }
        if (n < 4) v[n++] = x;
        if (*s != '.' || !isdigit((unsigned char)s[1])) break;
        s++;
    }
    while (n < 4) v[n++] = 0;
    if (end) *end = s;
    return 0;
}

static int vcmp(const long a[4], const long b[4])
{
    int i;
    for (i = 0; i < 4; i++)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* Checks (and with version, evaluates) "<10.0", ">=9.0,<10.0". Returns -1 when the
 * condition is malformed, else 1 when version satisfies it (or version is NULL). */
int ps_version_cond(const char *cond, const char *version)
{
    long have[4] = {0, 0, 0, 0}, want[4];
    const char *q = cond;
    int result = 1;
    if (version && parse_version(version, have, NULL) != 0) version = NULL;
    if (!*q) return -1;
    while (*q) {
        int lt = 0, gt = 0, eq = 0, c;
        if (*q == '<') lt = 1, q++;
        else if (*q == '>') gt = 1, q++;
        if (*q == '=') eq = 1, q++;
        if (!lt && !gt && !eq) return -1;
        if (parse_version(q, want, &q) != 0) return -1;
        if (*q == ',') {
            q++;
            if (!*q) return -1;
        } else if (*q)
            return -1;
        if (!version) continue;
        c = vcmp(have, want);
        if (!((lt && c < 0) || (gt && c > 0) || (eq && c == 0))) result = 0;
    }
    return result;
}

const ps_expect *ps_wine_for(const ps_step *s, const char *wine_version)
{
    int i;
    if (!wine_version || !s->wine.present) return NULL;
    if (!s->wine_when || ps_version_cond(s->wine_when, wine_version) == 1) return &s->wine;
    for (i = 0; i < s->nmore; i++)
        if (!s->more_when[i] || ps_version_cond(s->more_when[i], wine_version) == 1) return &s->more_wine[i];
    return NULL;
}

int ps_wine_applies(const ps_step *s, const char *wine_version)
{
    return ps_wine_for(s, wine_version) != NULL;
}

char *ps_case_topic(const char *id)
{
    const char *dot = id ? strchr(id, '.') : NULL;
    if (!id || !id[0]) return ps_xstrdup("unknown");
    if (dot && dot != id) return ps_xstrndup(id, (size_t)(dot - id));
    return ps_xstrdup(id);
}

void ps_diag_add(ps_diag *d, const char *file, int line, int col, const char *fmt, ...)
{
    ps_buf b;
    va_list ap;
    char tmp[1024];
    ps_buf_init(&b);
    ps_buf_printf(&b, "%s:%d:%d: error: ", file, line, col);
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    ps_buf_adds(&b, tmp);
    d->msgs = ps_xrealloc(d->msgs, sizeof(char *) * (size_t)(d->count + 1));
    d->msgs[d->count++] = ps_buf_steal(&b);
}

void ps_diag_free(ps_diag *d)
{
    int i;
    for (i = 0; i < d->count; i++) free(d->msgs[i]);
    free(d->msgs);
    d->msgs = NULL;
    d->count = 0;
}

const char *ps_role_name(ps_role r)
{
    switch (r) {
    case PS_ROLE_SERVER: return "server";
    case PS_ROLE_CLIENT: return "client";
    case PS_ROLE_PROC: return "proc";
    default: return "";
    }
}

const char *ps_arg_get(const ps_step *s, const char *key)
{
    int i;
    for (i = 0; i < s->nargs; i++)
        if (strcmp(s->args[i].key, key) == 0) return s->args[i].value;
    return NULL;
}
