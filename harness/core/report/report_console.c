/* report_console.c: what the harness prints while it runs.
 *
 * Per case (ps_console_case), one line with the outcome in a fixed-width column:
 *   PASS     busy.wait-timeout  (12 ms)
 *   FAIL     busy.wait-timeout #2  (30 ms)
 *     scenarios/busy.pipespec:14: expected ERROR_PIPE_BUSY, got ERROR_SUCCESS
 * A FAIL, XPASS, TIMEOUT, ERROR, XFAIL or SKIP adds "  file:line: reason" (further lines of
 * the reason indented by four; for an XFAIL the known divergence that happened); an
 * XPASS also lists the divergences that did not happen as "  file:line: text". verbose adds the reason of the other outcomes, every
 * divergence and the trace, one step a line.
 *
 * The closing summary (ps_console_summary) is made of stable, greppable lines:
 *   SUMMARY: 120 cases: 100 PASS, 2 FAIL, 10 XFAIL, 0 XPASS, 8 SKIP, 0 TIMEOUT, 0 ERROR
 *   FAILED: id1 id2#3            (only when there are any; id#N for iteration N > 1)
 *   CAUSE: 9 cases: what it means for the program under test (id1 id2 ...)
 *                                (failures grouped under their cause, a step's `else`)
 *   PLATFORM: Wine 8.0 ...
 *   WALL: 1234 ms
 *   110 passed, 2 failed, 8 skipped
 * The last line is the one CI reads: passed = PASS+XFAIL, failed = FAIL+XPASS+TIMEOUT+
 * ERROR, skipped = SKIP. Each call writes its text with a single fwrite, so lines from
 * parallel jobs do not interleave. */
#include "psutil.h"
#include "report.h"
#include "report_internal.h"
#include "results.h"
#include <stdlib.h>
#include <string.h>

/* "file:line: " (or "file: " when line is 0). */
static void where(ps_buf *b, const ps_result *r, int line)
{
    ps_buf_adds(b, "  ");
    ps_buf_adds(b, r->file && r->file[0] ? r->file : "?");
    if (line > 0) ps_buf_printf(b, ":%d", line);
    ps_buf_adds(b, ": ");
}

/* text, its continuation lines indented by four spaces, then '\n'. */
static void text_lines(ps_buf *b, const char *text)
{
    const char *s = text;
    for (;;) {
        size_t n = strcspn(s, "\n");
        char *piece = ps_xstrndup(s, n);
        ps_rep_flat(b, piece); /* a stray '\r' or control character would garble the terminal */
        free(piece);
        ps_buf_addc(b, '\n');
        s += n;
        if (!*s || !s[1]) break;
        s++;
        ps_buf_adds(b, "    ");
    }
}

/* What the programs the case started printed: the last `max` lines of each. */
static void output_lines(ps_buf *b, const ps_result *r, int max)
{
    int i;
    for (i = 0; i < r->noutputs; i++) {
        const char *t = r->outputs[i].text, *start;
        size_t len = strlen(t);
        int lines = 0;
        while (len && t[len - 1] == '\n') len--;
        start = t + len;
        while (start > t && lines < max) {
            start--;
            if (*start == '\n' && ++lines == max) {
                start++;
                break;
            }
        }
        if (strcmp(r->outputs[i].exit, "running"))
            ps_buf_printf(b, "  output of %s (exit %s)%s\n", r->outputs[i].actor, r->outputs[i].exit, len ? ":" : ": nothing");
        else
            ps_buf_printf(b, "  output of %s (still running when the case ended)%s\n", r->outputs[i].actor, len ? ":" : ": nothing");
        while (start < t + len) {
            size_t n = strcspn(start, "\n");
            char *piece;
            if (start + n > t + len) n = (size_t)(t + len - start);
            piece = ps_xstrndup(start, n);
            ps_buf_adds(b, "    | ");
            ps_rep_flat(b, piece);
            ps_buf_addc(b, '\n');
            free(piece);
            start += n + 1;
        }
    }
}

/* Each "line: text" divergence as "  file:line: text". */
static void divergence_lines(ps_buf *b, const ps_result *r)
{
    const char *s = r->divergences;
    while (s && *s) {
        size_t n = strcspn(s, "\n");
        if (n) {
            char *d = ps_xstrndup(s, n), *text = d;
            int line = 0;
            char *colon = strchr(d, ':');
            if (colon && colon > d && strspn(d, "0123456789") == (size_t)(colon - d)) {
                line = atoi(d);
                text = colon + 1;
                while (*text == ' ') text++;
            }
            /* the one the reason line already shows is not repeated */
            if (!(r->reason && line == r->line && strcmp(text, r->reason) == 0)) {
                where(b, r, line);
                ps_buf_adds(b, "divergence: ");
                text_lines(b, text);
            }
            free(d);
        }
        s += n;
        if (*s) s++;
    }
}

void ps_console_case(FILE *f, const ps_result *r, int verbose)
{
    ps_buf b;
    const char *reason = r->reason;
    int bad = ps_outcome_is_bad(r->outcome);
    ps_buf_init(&b);
    ps_buf_printf(&b, "%-7s  ", ps_outcome_name(r->outcome));
    {
        ps_buf name;
        ps_buf_init(&name);
        ps_rep_case_name(&name, r, " #");
        ps_rep_flat(&b, name.data);
        ps_buf_free(&name);
    }
    ps_buf_adds(&b, "  (");
    ps_buf_fixed(&b, r->duration_ms, 0);
    ps_buf_adds(&b, " ms)\n");
    if (bad || ((r->outcome == PS_XFAIL || r->outcome == PS_SKIP || verbose) && reason && reason[0])) {
        if (!reason || !reason[0]) {
            switch (r->outcome) {
            case PS_XPASS: reason = "unexpected pass: a known divergence did not happen"; break;
            case PS_TIMEOUT: reason = "timed out"; break;
            case PS_ERROR: reason = "error"; break;
            default: reason = "failed"; break;
            }
        }
        where(&b, r, r->line);
        text_lines(&b, reason);
    }
    if (r->outcome == PS_XPASS || verbose) divergence_lines(&b, r);
    if (r->notes) { /* advisory differences: shown whatever the outcome */
        const char *s = r->notes;
        while (*s) {
            size_t n = strcspn(s, "\n");
            char *piece = ps_xstrndup(s, n);
            long line = strtol(piece, NULL, 10);
            const char *colon = strchr(piece, ':');
            where(&b, r, (int)line);
            ps_buf_adds(&b, "note: ");
            ps_rep_flat(&b, colon ? colon + 2 : piece);
            ps_buf_addc(&b, '\n');
            free(piece);
            s += n;
            if (*s) s++;
        }
    }
    if (bad || verbose) output_lines(&b, r, verbose ? 1000 : 10);
    if (verbose) ps_rep_trace_lines(&b, ps_result_trace(r), "      ");
    ps_rep_write(f, &b);
}

void ps_console_summary(FILE *f, const ps_run *run)
{
    ps_buf b;
    int c[PS_OUTCOME_COUNT], i, any = 0;
    ps_rep_counts(run, c);
    ps_buf_init(&b);
    ps_buf_printf(&b, "SUMMARY: %d cases:", run->ncases);
    for (i = 0; i < PS_OUTCOME_COUNT; i++)
        ps_buf_printf(&b, "%s %d %s", i ? "," : "", c[i], ps_outcome_name((ps_outcome)i));
    ps_buf_addc(&b, '\n');
    for (i = 0; i < run->ncases; i++) {
        const ps_result *r = &run->cases[i];
        ps_buf name;
        if (!ps_outcome_is_bad(r->outcome)) continue;
        ps_buf_adds(&b, any ? " " : "FAILED: ");
        any = 1;
        ps_buf_init(&name);
        ps_rep_case_name(&name, r, "#");
        ps_rep_flat(&b, name.data);
        ps_buf_free(&name);
    }
    if (any) ps_buf_addc(&b, '\n');
    /* failures grouped under their first cause, so one problem reads as one */
    for (i = 0; i < run->ncases; i++) {
        const ps_result *r = &run->cases[i];
        int k, seen = 0, n = 0;
        if (!r->cause || !ps_outcome_is_bad(r->outcome)) continue;
        for (k = 0; k < i && !seen; k++)
            seen = run->cases[k].cause && ps_outcome_is_bad(run->cases[k].outcome) && !strcmp(run->cases[k].cause, r->cause);
        if (seen) continue;
        for (k = i; k < run->ncases; k++)
            if (run->cases[k].cause && ps_outcome_is_bad(run->cases[k].outcome) && !strcmp(run->cases[k].cause, r->cause)) n++;
        ps_buf_printf(&b, "CAUSE: %d case%s: ", n, n == 1 ? "" : "s");
        ps_rep_flat(&b, r->cause);
        ps_buf_adds(&b, " (");
        for (k = i, any = 0; k < run->ncases; k++)
            if (run->cases[k].cause && ps_outcome_is_bad(run->cases[k].outcome) && !strcmp(run->cases[k].cause, r->cause)) {
                if (any++) ps_buf_addc(&b, ' ');
                ps_rep_flat(&b, run->cases[k].id);
            }
        ps_buf_adds(&b, ")\n");
    }
    ps_buf_adds(&b, "PLATFORM: ");
    ps_rep_flat(&b, run->platform && run->platform[0] ? run->platform : "unknown");
    ps_buf_adds(&b, "\nWALL: ");
    ps_buf_fixed(&b, run->wall_ms, 0);
    ps_buf_printf(&b, " ms\n%d passed, %d failed, %d skipped\n", c[PS_PASS] + c[PS_XFAIL],
                  c[PS_FAIL] + c[PS_XPASS] + c[PS_TIMEOUT] + c[PS_ERROR], c[PS_SKIP]);
    ps_rep_write(f, &b);
}
