/* report_junit.c: junit.xml for Jenkins, GitHub test reporters and the like
 * (schema: docs/junit.xsd).
 *
 *   <testsuites name="pipespec" tests= failures= errors= skipped= time=>
 *     <testsuite name="pipespec" ... timestamp=>   (one suite for the whole run)
 *       <properties> platform, harness_version, started, strict, jobs </properties>
 *       <testcase name="id[ #N]" classname="pipespec.TOPIC" time="s" file= line=>
 *         FAIL, XPASS, TIMEOUT: <failure message= type=OUTCOME>reason, divergences, trace</failure>
 *         ERROR:                <error message= type="ERROR">...</error>
 *         SKIP:                 <skipped message=/>
 *         XFAIL:                passes; <system-out> holds the known divergence
 */
#include "psutil.h"
#include "report.h"
#include "report_internal.h"
#include "results.h"
#include <stdlib.h>
#include <string.h>

/* What the failure/error/skipped message says when the case gave no reason. */
static const char *default_reason(ps_outcome o)
{
    switch (o) {
    case PS_FAIL: return "failed";
    case PS_XPASS: return "unexpected pass: a known divergence did not happen";
    case PS_TIMEOUT: return "timed out";
    case PS_ERROR: return "error";
    case PS_SKIP: return "skipped";
    case PS_XFAIL: return "known divergence";
    default: return "";
    }
}

static void attr(ps_buf *b, const char *name, const char *value)
{
    ps_buf_printf(b, " %s=\"", name);
    ps_rep_xml(b, value, 1);
    ps_buf_addc(b, '"');
}

static void attr_seconds(ps_buf *b, const char *name, double ms)
{
    ps_buf_printf(b, " %s=\"", name);
    ps_buf_fixed(b, ms > 0 ? ms / 1000.0 : 0, 3);
    ps_buf_addc(b, '"');
}

static void property(ps_buf *b, const char *name, const char *value)
{
    ps_buf_adds(b, "      <property");
    attr(b, "name", name);
    attr(b, "value", value ? value : "");
    ps_buf_adds(b, "/>\n");
}

/* "2024-05-01T12:34:56" from started when it has that shape (the JUnit timestamp
 * has no zone), else NULL. */
static char *timestamp(const char *started)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    int i;
    if (!started || strlen(started) < sizeof shape - 1) return NULL;
    for (i = 0; shape[i]; i++) {
        if (shape[i] == 'd' ? !(started[i] >= '0' && started[i] <= '9') : started[i] != shape[i])
            return NULL;
    }
    return ps_xstrndup(started, sizeof shape - 1);
}

/* The text of a failure/error element: where, why, divergences, then the trace. */
static void details(ps_buf *b, const ps_result *r)
{
    ps_buf t;
    ps_buf_init(&t);
    ps_buf_printf(&t, "%s at %s", ps_outcome_name(r->outcome), r->file && r->file[0] ? r->file : "?");
    if (r->line > 0) ps_buf_printf(&t, ":%d", r->line);
    ps_buf_adds(&t, ": ");
    ps_buf_adds(&t, r->reason ? r->reason : default_reason(r->outcome));
    ps_buf_addc(&t, '\n');
    if (r->divergences && r->divergences[0]) {
        const char *s = r->divergences;
        ps_buf_adds(&t, "divergences:\n");
        while (*s) {
            size_t n = strcspn(s, "\n");
            if (n) {
                ps_buf_adds(&t, "  ");
                ps_buf_add(&t, s, n);
                ps_buf_addc(&t, '\n');
            }
            s += n;
            if (*s) s++;
        }
    }
    ps_buf_adds(&t, "trace:\n");
    if (ps_rep_trace_lines(&t, ps_result_trace(r), "  ") == 0) ps_buf_adds(&t, "  (no steps recorded)\n");
    ps_rep_xml(b, t.data, 0);
    ps_buf_free(&t);
}

/* "output of C (exit 216):\n<text>" for each program the case started; NULL if none. */
static char *outputs_text(const ps_result *r)
{
    ps_buf t;
    int i;
    if (!r->noutputs && !r->notes) return NULL;
    ps_buf_init(&t);
    if (r->notes) {
        ps_buf_adds(&t, "notes (advisory differences):\n");
        ps_buf_adds(&t, r->notes);
    }
    for (i = 0; i < r->noutputs; i++) {
        ps_buf_printf(&t, "output of %s (exit %s):\n", r->outputs[i].actor, r->outputs[i].exit);
        ps_buf_adds(&t, r->outputs[i].text);
        if (t.len && t.data[t.len - 1] != '\n') ps_buf_addc(&t, '\n');
    }
    return ps_buf_steal(&t);
}

static void system_out(ps_buf *b, const char *text)
{
    if (!text) return;
    ps_buf_adds(b, "      <system-out>");
    ps_rep_xml(b, text, 0);
    ps_buf_adds(b, "</system-out>\n");
}

static void testcase(ps_buf *b, const ps_result *r)
{
    char *outs = outputs_text(r);
    ps_buf name;
    char *topic = ps_rep_topic(r), *cls;
    const char *reason = r->reason ? r->reason : default_reason(r->outcome);
    ps_buf_init(&name);
    ps_rep_case_name(&name, r, " #");
    cls = ps_sprintf("pipespec.%s", topic);
    ps_buf_adds(b, "    <testcase");
    attr(b, "name", name.data);
    attr(b, "classname", cls);
    attr_seconds(b, "time", r->duration_ms);
    if (r->file && r->file[0]) attr(b, "file", r->file);
    if (r->line > 0) ps_buf_printf(b, " line=\"%d\"", r->line);
    switch (r->outcome) {
    case PS_PASS:
        if (!outs) {
            ps_buf_adds(b, "/>\n");
            break;
        }
        ps_buf_adds(b, ">\n");
        system_out(b, outs);
        ps_buf_adds(b, "    </testcase>\n");
        break;
    case PS_SKIP:
        ps_buf_adds(b, ">\n      <skipped");
        attr(b, "message", reason);
        ps_buf_adds(b, "/>\n");
        system_out(b, outs);
        ps_buf_adds(b, "    </testcase>\n");
        break;
    case PS_XFAIL:
        ps_buf_adds(b, ">\n      <system-out>");
        {
            ps_buf t;
            ps_buf_init(&t);
            ps_buf_adds(&t, "XFAIL (known divergence on this platform): ");
            ps_buf_adds(&t, reason);
            ps_buf_addc(&t, '\n');
            if (r->divergences) ps_buf_adds(&t, r->divergences);
            if (outs) ps_buf_adds(&t, outs);
            ps_rep_xml(b, t.data, 0);
            ps_buf_free(&t);
        }
        ps_buf_adds(b, "</system-out>\n    </testcase>\n");
        break;
    default: { /* FAIL, XPASS, TIMEOUT, ERROR (and anything unknown) */
        const char *el = r->outcome == PS_ERROR ? "error" : "failure";
        ps_buf_printf(b, ">\n      <%s", el);
        attr(b, "message", reason);
        attr(b, "type", ps_outcome_name(r->outcome));
        ps_buf_addc(b, '>');
        details(b, r);
        ps_buf_printf(b, "</%s>\n", el);
        system_out(b, outs);
        ps_buf_adds(b, "    </testcase>\n");
        break;
    }
    }
    free(cls);
    free(topic);
    free(outs);
    ps_buf_free(&name);
}

int ps_report_junit(FILE *f, const ps_run *run)
{
    ps_buf b;
    int c[PS_OUTCOME_COUNT], i, failures, errors, skipped;
    char *ts = timestamp(run->started), *jobs = ps_sprintf("%d", run->jobs);
    ps_rep_counts(run, c);
    failures = c[PS_FAIL] + c[PS_XPASS] + c[PS_TIMEOUT];
    errors = c[PS_ERROR];
    skipped = c[PS_SKIP];
    ps_buf_init(&b);
    ps_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    ps_buf_printf(&b, "<testsuites name=\"pipespec\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\"",
                  run->ncases, failures, errors, skipped);
    attr_seconds(&b, "time", run->wall_ms);
    ps_buf_adds(&b, ">\n");
    ps_buf_printf(&b, "  <testsuite name=\"pipespec\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\"",
                  run->ncases, failures, errors, skipped);
    attr_seconds(&b, "time", run->wall_ms);
    if (ts) attr(&b, "timestamp", ts);
    ps_buf_adds(&b, ">\n    <properties>\n");
    property(&b, "platform", run->platform);
    property(&b, "harness_version", run->harness_version);
    property(&b, "started", run->started);
    property(&b, "strict", run->strict ? "true" : "false");
    property(&b, "jobs", jobs);
    ps_buf_adds(&b, "    </properties>\n");
    for (i = 0; i < run->ncases; i++) testcase(&b, &run->cases[i]);
    ps_buf_adds(&b, "  </testsuite>\n</testsuites>\n");
    free(ts);
    free(jobs);
    return ps_rep_write(f, &b);
}
