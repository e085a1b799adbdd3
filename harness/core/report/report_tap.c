/* report_tap.c: report.tap, TAP version 14.
 *
 *   TAP version 14
 *   # pipespec 0.1.0 on Wine 8.0 ...
 *   1..N
 *   ok 1 - busy.wait-timeout                         PASS
 *   ok 2 - busy.x # SKIP reason                      SKIP
 *   ok 3 - busy.y # TODO known divergence: reason    XFAIL (a TODO that failed, as expected)
 *   not ok 4 - busy.z                                FAIL, XPASS, TIMEOUT, ERROR
 *     ---
 *     message: "..."
 *     outcome: FAIL
 *     ...
 *
 * XPASS is deliberately not "# TODO": consumers count a TODO point as passing, and an
 * unexpected pass must fail the run, so it is a plain "not ok" with outcome: XPASS.
 * '#' and '\' in a description are escaped as TAP 14 asks; the iteration of a repeated
 * case shows as "id \#2". */
#include "psutil.h"
#include "report.h"
#include "report_internal.h"
#include "results.h"
#include <stdlib.h>
#include <string.h>

/* s as a YAML double-quoted scalar: JSON-style escapes, plus the characters YAML does
 * not allow unescaped (DEL, C1 controls, BOM). */
static void yaml_str(ps_buf *b, const char *s)
{
    char *u = ps_utf8_repair(s ? s : "");
    const unsigned char *p;
    ps_buf_addc(b, '"');
    for (p = (const unsigned char *)u; *p; p++) {
        switch (*p) {
        case '"': ps_buf_adds(b, "\\\""); break;
        case '\\': ps_buf_adds(b, "\\\\"); break;
        case '\n': ps_buf_adds(b, "\\n"); break;
        case '\r': ps_buf_adds(b, "\\r"); break;
        case '\t': ps_buf_adds(b, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7F) {
                ps_buf_printf(b, "\\x%02X", *p);
            } else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
                ps_buf_printf(b, "\\u00%02X", p[1]);
                p++;
            } else if (*p == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
                ps_buf_adds(b, "\\uFEFF");
                p += 2;
            } else {
                ps_buf_addc(b, (char)*p);
            }
        }
    }
    ps_buf_addc(b, '"');
    free(u);
}

/* A description: one line, '#' and '\' escaped. */
static void description(ps_buf *b, const ps_result *r)
{
    char *u = ps_utf8_repair(r->id && r->id[0] ? r->id : "(no id)");
    const char *p;
    for (p = u; *p; p++) {
        if (*p == '#' || *p == '\\') ps_buf_addc(b, '\\');
        ps_buf_addc(b, (unsigned char)*p < 0x20 ? ' ' : *p);
    }
    if (r->iteration > 1) ps_buf_printf(b, " \\#%d", r->iteration);
    free(u);
}

/* Directive text: one line. */
static void directive_text(ps_buf *b, const char *s)
{
    char *u = ps_utf8_repair(s);
    ps_rep_flat(b, u);
    free(u);
}

static const char *first_divergence(const ps_result *r, char **owned)
{
    size_t n;
    *owned = NULL;
    if (!r->divergences || !r->divergences[0]) return NULL;
    n = strcspn(r->divergences, "\n");
    return *owned = ps_xstrndup(r->divergences, n);
}

static void yaml_block(ps_buf *b, const ps_result *r)
{
    static const char *const defaults[PS_OUTCOME_COUNT] = {
        "passed", "failed", "known divergence", "unexpected pass: a known divergence did not happen",
        "skipped", "timed out", "error"};
    const char *msg = r->reason;
    if (!msg) msg = (unsigned)r->outcome < (unsigned)PS_OUTCOME_COUNT ? defaults[r->outcome] : "?";
    ps_buf_adds(b, "  ---\n  message: ");
    yaml_str(b, msg);
    ps_buf_printf(b, "\n  outcome: %s\n  file: ", ps_outcome_name(r->outcome));
    yaml_str(b, r->file);
    ps_buf_printf(b, "\n  line: %d\n  duration_ms: ", r->line > 0 ? r->line : 0);
    ps_buf_fixed(b, r->duration_ms, 3);
    ps_buf_addc(b, '\n');
    if (r->divergences && r->divergences[0]) {
        /* Each "line: text" note as a mapping (a quoted "30: ..." list item trips
         * TAP::Parser's YAMLish reader, which takes it for a key). */
        const char *s = r->divergences;
        ps_buf_adds(b, "  divergences:\n");
        while (*s) {
            size_t n = strcspn(s, "\n");
            if (n) {
                char *d = ps_xstrndup(s, n), *text = d;
                size_t digits = strspn(d, "0123456789");
                int line = 0;
                if (digits && d[digits] == ':') {
                    line = atoi(d);
                    text = d + digits + 1;
                    while (*text == ' ') text++;
                }
                ps_buf_printf(b, "    - line: %d\n      text: ", line);
                yaml_str(b, text);
                ps_buf_addc(b, '\n');
                free(d);
            }
            s += n;
            if (*s) s++;
        }
    }
    {
        ps_buf t;
        const char *s;
        ps_buf_init(&t);
        if (ps_rep_trace_lines(&t, ps_result_trace(r), "") > 0 || t.len) {
            ps_buf_adds(b, "  trace:\n");
            for (s = t.data; *s;) {
                size_t n = strcspn(s, "\n");
                char *line = ps_xstrndup(s, n);
                ps_buf_adds(b, "    - ");
                yaml_str(b, line);
                ps_buf_addc(b, '\n');
                free(line);
                s += n;
                if (*s) s++;
            }
        }
        ps_buf_free(&t);
    }
    ps_buf_adds(b, "  ...\n");
}

int ps_report_tap(FILE *f, const ps_run *run)
{
    ps_buf b;
    int i;
    ps_buf_init(&b);
    ps_buf_adds(&b, "TAP version 14\n# pipespec ");
    directive_text(&b, run->harness_version ? run->harness_version : "?");
    ps_buf_adds(&b, " on ");
    directive_text(&b, run->platform && run->platform[0] ? run->platform : "unknown platform");
    ps_buf_printf(&b, "\n1..%d\n", run->ncases);
    for (i = 0; i < run->ncases; i++) {
        const ps_result *r = &run->cases[i];
        char *owned = NULL;
        const char *why;
        switch (r->outcome) {
        case PS_PASS:
            ps_buf_printf(&b, "ok %d - ", i + 1);
            description(&b, r);
            ps_buf_addc(&b, '\n');
            break;
        case PS_SKIP:
            ps_buf_printf(&b, "ok %d - ", i + 1);
            description(&b, r);
            ps_buf_adds(&b, " # SKIP");
            if (r->reason && r->reason[0]) {
                ps_buf_addc(&b, ' ');
                directive_text(&b, r->reason);
            }
            ps_buf_addc(&b, '\n');
            break;
        case PS_XFAIL:
            why = r->reason && r->reason[0] ? r->reason : first_divergence(r, &owned);
            ps_buf_printf(&b, "ok %d - ", i + 1);
            description(&b, r);
            ps_buf_adds(&b, " # TODO known divergence");
            if (why) {
                ps_buf_adds(&b, ": ");
                directive_text(&b, why);
            }
            ps_buf_addc(&b, '\n');
            free(owned);
            break;
        default: /* FAIL, XPASS, TIMEOUT, ERROR */
            ps_buf_printf(&b, "not ok %d - ", i + 1);
            description(&b, r);
            ps_buf_addc(&b, '\n');
            yaml_block(&b, r);
            break;
        }
    }
    return ps_rep_write(f, &b);
}
