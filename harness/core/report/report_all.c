/* report_all.c: ps_report_all, and the helpers the report writers share.
 *
 * Everything that goes into a report passes through here first so that the four
 * formats agree: UTF-8 is repaired (ps_utf8_repair: invalid bytes become U+FFFD, so
 * JSON and XML parsers never choke on a stray code-page byte from a case), numbers
 * are formatted without printf's locale or %lld (ps_buf_fixed), and a case's trace is
 * read as decoded by trace.c (ps_result_trace; a child killed in the middle of a T
 * line leaves a truncated entry: the decoder keeps the entries before it and the
 * reports say the rest was left out instead of producing a report that does not
 * parse). */
#include "psutil.h"
#include "scenario.h"
#include "report.h"
#include "report_internal.h"
#include "results.h"
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- text */

/* A JSON string (or null) of s, with its UTF-8 repaired. */
void ps_rep_json_str(ps_buf *b, const char *s)
{
    char *u = ps_utf8_repair(s);
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
    u = ps_utf8_repair(s);
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

/* A field's value as written in the trace (strings keep their quotes: "data=a b"
 * would be ambiguous), on one line. */
static void add_field_value(ps_buf *b, const ps_trace_field *f)
{
    ps_buf tmp;
    if (f->json) {
        ps_rep_flat(b, f->json);
        return;
    }
    ps_buf_init(&tmp);
    ps_json_str(&tmp, f->text ? f->text : "");
    ps_rep_flat(b, tmp.data);
    ps_buf_free(&tmp);
}

/* before + text on one line + after, when there is a text. */
static void add_flat(ps_buf *b, const char *before, const char *text, const char *after)
{
    if (!text) return;
    ps_buf_adds(b, before);
    ps_rep_flat(b, text);
    ps_buf_adds(b, after);
}

/* The call (or the op), its return value and its error. */
static void add_call(ps_buf *b, const ps_trace_step *s)
{
    add_flat(b, " ", s->call ? s->call : s->op, "");
    add_flat(b, " -> ", s->ret, "");
    if (s->error_name) {
        add_flat(b, " ", s->error_name, "");
        if (s->has_error) ps_buf_printf(b, " (%lu)", s->error);
    } else if (s->has_error) {
        ps_buf_printf(b, " error %lu", s->error);
    }
}

/* One human-readable line per trace step, each starting with indent and ending with
 * '\n':  "L12 +1.234 ms A: ReadFile(...) -> FALSE ERROR_MORE_DATA (234) {bytes=1024}
 *         expected: ERROR_MORE_DATA bytes=1024 [ok] note: ..."
 * and a last line saying so when the trace was cut off. Returns the number of steps. */
int ps_rep_trace_lines(ps_buf *b, const ps_trace *t, const char *indent)
{
    int i, j;
    for (i = 0; i < t->n; i++) {
        const ps_trace_step *s = &t->steps[i];
        ps_buf_adds(b, indent);
        if (s->has_line) ps_buf_printf(b, "L%d", s->line);
        else ps_buf_adds(b, "L?");
        if (s->has_t_ms) {
            ps_buf_adds(b, s->t_ms < 0 ? " " : " +");
            ps_buf_fixed(b, s->t_ms, 3);
            ps_buf_adds(b, " ms");
        }
        add_flat(b, " ", s->actor, ":"); /* never "L12:": the line number stays a plain token */
        add_call(b, s);
        if (s->nfields) {
            ps_buf_adds(b, " {");
            for (j = 0; j < s->nfields; j++) {
                if (j) ps_buf_addc(b, ' ');
                ps_rep_flat(b, s->fields[j].key);
                ps_buf_addc(b, '=');
                add_field_value(b, &s->fields[j]);
            }
            ps_buf_addc(b, '}');
        }
        add_flat(b, " expected: ", s->expected, "");
        add_flat(b, " [", s->verdict, "]");
        add_flat(b, " note: ", s->note, "");
        ps_buf_addc(b, '\n');
    }
    if (t->salvaged) {
        ps_buf_adds(b, indent);
        ps_buf_adds(b, "(the rest of the trace was not valid JSON and is left out)\n");
    }
    return t->n;
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
