/* expect.c: see expect.h. */
#include "expect.h"
#include "errors.h"
#include "psutil.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ps_actual_set(ps_actual *a, const char *key, const char *fmt, ...)
{
    int i;
    va_list ap;
    for (i = 0; i < a->nfields; i++)
        if (strcmp(a->fields[i].key, key) == 0) break;
    if (i == a->nfields) {
        if (a->nfields == PS_MAX_ACTUAL) return;
        a->nfields++;
    }
    a->fields[i].key = key;
    va_start(ap, fmt);
    vsnprintf(a->fields[i].value, sizeof a->fields[i].value, fmt, ap);
    va_end(ap);
}

const char *ps_actual_get(const ps_actual *a, const char *key)
{
    int i;
    for (i = 0; i < a->nfields; i++)
        if (strcmp(a->fields[i].key, key) == 0) return a->fields[i].value;
    return NULL;
}

const char *ps_verdict_name(ps_verdict v)
{
    static const char *const n[] = {"ok", "fail", "xfail", "xpass", "skip"};
    return n[v];
}

/* One alternative of a field value: "12", "1..10", "message", "self". */
static int value_matches(const char *want, const char *got)
{
    const char *dots = strstr(want, "..");
    if (dots) {
        char *end, lobuf[64];
        double lo, hi, v;
        size_t n = (size_t)(dots - want);
        if (n == 0 || n >= sizeof lobuf) return strcmp(want, got) == 0;
        memcpy(lobuf, want, n);
        lobuf[n] = 0;
        lo = strtod(lobuf, &end);
        if (*end) return strcmp(want, got) == 0;
        hi = strtod(dots + 2, &end);
        if (*end) return strcmp(want, got) == 0;
        v = strtod(got, &end);
        if (*end || end == got) return 0;
        return v >= lo && v <= hi;
    }
    if (strchr(want, '|')) {
        char *dup = ps_xstrdup(want), *part = dup;
        int ok = 0;
        while (part && !ok) {
            char *bar = strchr(part, '|');
            if (bar) *bar = 0;
            ok = value_matches(part, got);
            part = bar ? bar + 1 : NULL;
        }
        free(dup);
        return ok;
    }
    {
        /* numbers compare by value: 0x400 == 1024, 64k == 65536 */
        unsigned long long w, g;
        if (ps_parse_size(want, &w) == 0 && ps_parse_size(got, &g) == 0) return w == g;
    }
    return strcmp(want, got) == 0;
}

int ps_expect_match(const ps_expect *e, const ps_actual *a, double time_scale, char *why,
                    size_t whylen)
{
    char eb[128], gb[128];
    int i, ok = 0;
    if (!e->present) { /* default: success */
        if (a->error == 0) return 1;
        snprintf(why, whylen, "expected ok, got %s", ps_error_format(a->error, gb, sizeof gb));
        return 0;
    }
    /* `fail` is any error of the platform call, never a harness wait's result */
    if (e->any_error && a->error != 0 && !(a->error & PS_RESULT_BIT)) ok = 1;
    for (i = 0; i < e->nalts; i++)
        if (e->alts[i] == a->error) ok = 1;
    if (!ok) {
        ps_buf b;
        ps_buf_init(&b);
        if (e->any_error) ps_buf_adds(&b, "any error");
        for (i = 0; i < e->nalts; i++) {
            if (i || e->any_error) ps_buf_adds(&b, " or ");
            ps_buf_adds(&b, e->alts[i] ? ps_error_format(e->alts[i], eb, sizeof eb) : "ok");
        }
        snprintf(why, whylen, "expected %s, got %s", b.data,
                 a->error ? ps_error_format(a->error, gb, sizeof gb) : "ok");
        ps_buf_free(&b);
        return 0;
    }
    for (i = 0; i < e->nfields; i++) {
        const char *got = ps_actual_get(a, e->fields[i].key);
        if (e->fields[i].advisory) continue; /* see ps_expect_advisory */
        if (!got) {
            snprintf(why, whylen, "expected %s=%s, got no %s (the call failed with %s)",
                     e->fields[i].key, e->fields[i].value, e->fields[i].key,
                     a->error ? ps_error_format(a->error, gb, sizeof gb) : "ok");
            return 0;
        }
        if (!value_matches(e->fields[i].value, got)) {
            snprintf(why, whylen, "expected %s=%s, got %s=%s", e->fields[i].key,
                     e->fields[i].value, e->fields[i].key, got);
            return 0;
        }
    }
    if (e->has_time) {
        double hi = (double)e->t_max_ms * (time_scale > 0 ? time_scale : 1.0);
        if (a->elapsed_ms < (double)e->t_min_ms || a->elapsed_ms > hi) {
            snprintf(why, whylen, "expected it to complete after %ldms..%.0fms, took %.0f ms",
                     e->t_min_ms, hi, a->elapsed_ms);
            return 0;
        }
    }
    return 1;
}

int ps_expect_advisory(const ps_expect *e, const ps_actual *a, char *note, size_t notelen)
{
    int i, n = 0;
    size_t l = 0;
    note[0] = 0;
    for (i = 0; i < e->nfields; i++) {
        const char *got = ps_actual_get(a, e->fields[i].key);
        if (!e->fields[i].advisory || (got && value_matches(e->fields[i].value, got))) continue;
        snprintf(note + l, notelen - l, "%s%s=%s where %s was expected", n++ ? "; " : "", e->fields[i].key,
                 got ? got : "(none)", e->fields[i].value);
        l = strlen(note);
    }
    return n;
}

ps_verdict ps_judge_wine(const ps_step *s, const ps_expect *w, const ps_actual *a, int strict,
                         double time_scale, char *msg, size_t msglen)
{
    char why[512], why2[512];
    int win_ok = ps_expect_match(&s->expect, a, time_scale, why, sizeof why);
    int has_alt = w && w->present;
    if (win_ok) {
        if (has_alt && !strict) {
            snprintf(msg, msglen,
                     "known divergence did not happen: Wine was expected to give %s (%s), "
                     "but the Windows result happened",
                     w->text ? w->text : "?", w->reason ? w->reason : "");
            return PS_V_XPASS;
        }
        msg[0] = 0;
        return PS_V_OK;
    }
    if (has_alt && !strict && ps_expect_match(w, a, time_scale, why2, sizeof why2)) {
        snprintf(msg, msglen, "known Wine divergence: %s (Windows: %s)", w->reason ? w->reason : "", why);
        return PS_V_XFAIL;
    }
    if (has_alt && !strict)
        snprintf(msg, msglen, "%s; nor the recorded Wine divergence: %s", why, why2);
    else if (has_alt)
        snprintf(msg, msglen, "%s (--strict; known Wine divergence: %s)", why, w->reason ? w->reason : "");
    else
        snprintf(msg, msglen, "%s", why);
    return PS_V_FAIL;
}

ps_verdict ps_judge(const ps_step *s, const ps_actual *a, int on_wine, int strict,
                    double time_scale, char *msg, size_t msglen)
{
    return ps_judge_wine(s, on_wine && s->wine.present ? &s->wine : NULL, a, strict, time_scale, msg, msglen);
}

ps_outcome ps_fold(ps_outcome sofar, ps_verdict v)
{
    static const int rank[] = {0, 3, 1, 2}; /* PASS, FAIL, XFAIL, XPASS */
    ps_outcome cand = v == PS_V_FAIL ? PS_FAIL : v == PS_V_XFAIL ? PS_XFAIL
                    : v == PS_V_XPASS ? PS_XPASS : PS_PASS;
    int rs, rc;
    if (v == PS_V_SKIP) return sofar;
    if (sofar != PS_PASS && sofar != PS_FAIL && sofar != PS_XFAIL && sofar != PS_XPASS)
        return sofar;
    rs = rank[sofar == PS_PASS ? 0 : sofar == PS_FAIL ? 1 : sofar == PS_XFAIL ? 2 : 3];
    rc = rank[v];
    return rc > rs ? cand : sofar;
}

ps_outcome ps_case_outcome(ps_outcome folded, int checks, int skipped)
{
    return folded == PS_PASS && checks == 0 && skipped > 0 ? PS_SKIP : folded;
}
