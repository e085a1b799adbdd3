/* test_reports.c: the report writers (report.h) on a run holding one case of every
 * outcome, with awkward text: quotes, '<', '&', newlines, non-ASCII UTF-8, invalid
 * UTF-8, a raw "</script>" in a trace and a trace cut off in the middle.
 *
 * Outside tools, each skipped (not failed) when missing:
 *   python3 tests/tools/validate_json.py  report.json against docs/report.schema.json
 *   xmllint --schema docs/junit.xsd       junit.xml
 *   node tests/tools/check_html.js        report.html, its script run against a small DOM */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "psutil.h"
#include "report.h"
#include "results.h"

#ifndef PIPESPEC_SOURCE_DIR
#define PIPESPEC_SOURCE_DIR "."
#endif

/* ---------------------------------------------------------------- the run */

static const char *const REASON_FAIL =
    "expected \"ERROR_MORE_DATA\" <got ERROR_SUCCESS> & 'bytes'=0\nsecond line: Gr\xC3\xBC\xC3\x9F" "e \xE2\x9C\x93";

static const char *const TRACE_FAIL =
    "[{\"line\":14,\"actor\":\"A\",\"op\":\"write\",\"call\":\"WriteFile(A, \\\"hello\\\", 5)\","
    "\"t_ms\":0.25,\"dur_ms\":0.01,\"ret\":\"TRUE\",\"error\":0,\"error_name\":\"ERROR_SUCCESS\","
    "\"fields\":{\"written\":5},\"expected\":\"ok written=5\",\"verdict\":\"ok\"},"
    "{\"line\":15,\"actor\":\"B\",\"op\":\"read\",\"call\":\"ReadFile(B, buf[2]) </script><!--\","
    "\"t_ms\":0.5,\"dur_ms\":0.02,\"ret\":\"FALSE\",\"error\":234,\"error_name\":\"ERROR_MORE_DATA\","
    "\"fields\":{\"bytes\":2,\"data\":\"he\"},\"expected\":\"ERROR_SUCCESS bytes=5\","
    "\"verdict\":\"fail\",\"note\":\"caf\\u00e9 \\ud83d\\ude00\"}]";

static const char *const TRACE_OK =
    "[{\"line\":3,\"actor\":\"server\",\"op\":\"create\",\"call\":\"CreateNamedPipe(\\\\\\\\.\\\\pipe\\\\x)\","
    "\"t_ms\":0.1,\"ret\":\"0x1c\",\"error\":0,\"verdict\":\"ok\"},"
    "{\"line\":4,\"actor\":\"A\",\"op\":\"wait\",\"call\":\"WaitNamedPipe(x, 10)\",\"t_ms\":0.2,"
    "\"ret\":\"FALSE\",\"error\":121,\"error_name\":\"ERROR_SEM_TIMEOUT\",\"verdict\":\"ok\"}]";

/* Cut off in the middle of its second entry, as when a hung case is killed. */
static const char *const TRACE_CUT =
    "[{\"line\":9,\"actor\":\"A\",\"op\":\"connect\",\"call\":\"ConnectNamedPipe(A)\",\"t_ms\":0.1,"
    "\"verdict\":\"started\"},{\"line\":10,\"act";

static void add_case(ps_run *run, const char *id, const char *title, const char *file, const char *ref,
                     const char *tags, const char *topic, int iteration, ps_outcome o, double ms,
                     const char *reason, int line, const char *trace, const char *divs)
{
    ps_result *r;
    run->cases = ps_xrealloc(run->cases, sizeof *run->cases * (size_t)(run->ncases + 1));
    r = &run->cases[run->ncases++];
    memset(r, 0, sizeof *r);
    r->id = ps_xstrdup(id);
    r->title = ps_xstrdup(title);
    r->file = ps_xstrdup(file);
    r->ref = ps_xstrdup(ref);
    r->tags = ps_xstrdup(tags);
    r->topic = ps_xstrdup(topic);
    r->iteration = iteration;
    r->outcome = o;
    r->duration_ms = ms;
    r->reason = ps_xstrdup(reason);
    r->line = line;
    r->trace_json = ps_xstrdup(trace ? trace : "[]");
    r->divergences = ps_xstrdup(divs);
}

/* 8 cases: PASS x2 (the second is iteration 2), and one each of the others. */
static void make_run(ps_run *run)
{
    memset(run, 0, sizeof *run);
    run->platform = ps_xstrdup("Wine 8.0 (Debian 8.0~repack-4)");
    run->harness_version = ps_xstrdup("0.1.0");
    run->started = ps_xstrdup("2024-05-01T12:34:56Z");
    run->wall_ms = 1234.4;
    run->strict = 1;
    run->jobs = 2;
    add_case(run, "busy.wait-timeout", "WaitNamedPipe times out", "scenarios/busy.pipespec",
             "MSDN WaitNamedPipe", "busy  wait timeout", "busy", 1, PS_PASS, 12.3, NULL, 0, TRACE_OK, NULL);
    add_case(run, "msg.more-data", "Short read of a message <5 bytes> & more", "scenarios/msg.pipespec",
             "MSDN ReadFile", "msg read", "msg", 1, PS_FAIL, 3.5, REASON_FAIL, 15, TRACE_FAIL, NULL);
    add_case(run, "msg.zero-length", "Zero-length message", "scenarios/msg.pipespec", "MSDN ReadFile",
             "msg wine", "msg", 1, PS_XFAIL, 2, "Wine drops zero-length messages", 21, "[]",
             "21: Wine reports 0 bytes\n");
    add_case(run, "state.disconnect", "Disconnect while reading", "scenarios/state.pipespec", "MSDN",
             "state", "state", 1, PS_XPASS, 4, NULL, 30, "[]",
             "30: known Wine bug did not happen\n31: and \"neither\" did <this>\n");
    add_case(run, "remote.unc", "Pipes over UNC paths", "scenarios/remote.pipespec", "MSDN",
             "remote", "remote", 1, PS_SKIP, 0, "needs a second machine # not here", 0, "[]", NULL);
    add_case(run, "busy.hang", "A hang", "scenarios/busy.pipespec", "MSDN", "busy slow", "busy", 1, PS_TIMEOUT,
             5000.6, "case did not finish within 5000 ms; hung on line 9: connect A", 9, TRACE_CUT, NULL);
    /* NULLs where the model allows them, and invalid UTF-8 in the reason. */
    add_case(run, "crash.av", NULL, "scenarios/crash.pipespec", NULL, NULL, NULL, 1, PS_ERROR, 1,
             "case process crashed with exception 0xC0000005 \xFF\xFE<bad>", 0, "[]", NULL);
    add_case(run, "busy.wait-timeout", "WaitNamedPipe times out", "scenarios/busy.pipespec",
             "MSDN WaitNamedPipe", "busy wait timeout", "busy", 2, PS_PASS, 11.6, NULL, 0, TRACE_OK, NULL);
    ps_run_count(run);
}

/* ---------------------------------------------------------------- helpers */

/* What a writer (or the console) produces, via a temporary FILE. */
static char *render(int (*fn)(FILE *, const ps_run *), const ps_run *run)
{
    FILE *f = tmpfile();
    ps_buf b;
    char chunk[4096];
    size_t n;
    cr_assert_not_null(f);
    cr_assert_eq(fn(f, run), 0, "the writer reported an I/O error");
    rewind(f);
    ps_buf_init(&b);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) ps_buf_add(&b, chunk, n);
    fclose(f);
    return ps_buf_steal(&b);
}

static char *console_case(const ps_result *r, int verbose)
{
    FILE *f = tmpfile();
    ps_buf b;
    char chunk[4096];
    size_t n;
    cr_assert_not_null(f);
    ps_console_case(f, r, verbose);
    rewind(f);
    ps_buf_init(&b);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) ps_buf_add(&b, chunk, n);
    fclose(f);
    return ps_buf_steal(&b);
}

static char *console_summary(const ps_run *run)
{
    FILE *f = tmpfile();
    ps_buf b;
    char chunk[4096];
    size_t n;
    cr_assert_not_null(f);
    ps_console_summary(f, run);
    rewind(f);
    ps_buf_init(&b);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) ps_buf_add(&b, chunk, n);
    fclose(f);
    return ps_buf_steal(&b);
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    size_t l = strlen(needle);
    for (hay = strstr(hay, needle); hay; hay = strstr(hay + l, needle)) n++;
    return n;
}

/* Number of lines of text that start with prefix. */
static int lines_starting(const char *text, const char *prefix)
{
    int n = 0;
    size_t l = strlen(prefix);
    const char *p = text;
    while (*p) {
        if (strncmp(p, prefix, l) == 0) n++;
        p = strchr(p, '\n');
        if (!p) break;
        p++;
    }
    return n;
}

/* A fresh scratch directory for one test (C11 has no mkdtemp: a unique-enough name
 * and mkdir through the shell, which the outside tools need anyway). */
static char *scratch_dir(const char *test)
{
    static unsigned long counter;
    const char *tmp = getenv("TMPDIR");
    char *dir, *cmd;
    unsigned long salt = (unsigned long)time(NULL) ^ ((unsigned long)clock() << 8) ^ (unsigned long)rand();
    dir = ps_sprintf("%s/pipespec-reports-%s-%lx-%lu", tmp && tmp[0] ? tmp : "/tmp", test, salt, ++counter);
    cmd = ps_sprintf("rm -rf '%s' && mkdir -p '%s'", dir, dir);
    cr_assert_eq(system(cmd), 0, "cannot create %s", dir);
    free(cmd);
    return dir;
}

static void remove_dir(char *dir)
{
    char *cmd = ps_sprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0) cr_log_warn("could not remove %s", dir);
    free(cmd);
    free(dir);
}

static char *write_file(const char *dir, const char *name, const char *text)
{
    char *path = ps_sprintf("%s/%s", dir, name);
    cr_assert_eq(ps_write_file(path, text, strlen(text)), 0, "cannot write %s", path);
    return path;
}

static int have_tool(const char *probe) { return system(probe) == 0; }

/* Runs cmd with its output in dir/out.txt; returns the system() status and the output. */
static int run_tool(const char *dir, const char *cmd, char **out)
{
    char *full = ps_sprintf("%s > '%s/out.txt' 2>&1", cmd, dir);
    char *path = ps_sprintf("%s/out.txt", dir);
    int rc = system(full);
    *out = ps_read_file(path, NULL);
    if (!*out) *out = ps_xstrdup("");
    free(full);
    free(path);
    return rc;
}

/* ---- a strict JSON syntax checker (RFC 8259), so the JSON tests need no tool */

static const char *js_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

static const char *js_value(const char *p, int depth);

static const char *js_string(const char *p)
{
    if (*p++ != '"') return NULL;
    for (;;) {
        unsigned char c = (unsigned char)*p++;
        if (c == '"') return p;
        if (c < 0x20) return NULL;
        if (c == '\\') {
            c = (unsigned char)*p++;
            if (c == 'u') {
                int i;
                for (i = 0; i < 4; i++, p++)
                    if (!strchr("0123456789abcdefABCDEF", *p) || !*p) return NULL;
            } else if (!c || !strchr("\"\\/bfnrt", c)) {
                return NULL;
            }
        }
    }
}

static const char *js_digits(const char *p)
{
    const char *s = p;
    while (*p >= '0' && *p <= '9') p++;
    return p > s ? p : NULL;
}

static const char *js_number(const char *p)
{
    if (*p == '-') p++;
    if (*p == '0') p++;
    else if (!(p = js_digits(p))) return NULL;
    if (*p == '.' && !(p = js_digits(p + 1))) return NULL;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(p = js_digits(p))) return NULL;
    }
    return p;
}

static const char *js_value(const char *p, int depth)
{
    if (depth > 100) return NULL;
    p = js_ws(p);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        int obj = *p == '{';
        p = js_ws(p + 1);
        if (*p == close) return p + 1;
        for (;;) {
            p = js_ws(p);
            if (obj) {
                if (!(p = js_string(p))) return NULL;
                p = js_ws(p);
                if (*p++ != ':') return NULL;
            }
            if (!(p = js_value(p, depth + 1))) return NULL;
            p = js_ws(p);
            if (*p == ',') {
                p++;
                continue;
            }
            return *p == close ? p + 1 : NULL;
        }
    }
    if (*p == '"') return js_string(p);
    if (strncmp(p, "true", 4) == 0) return p + 4;
    if (strncmp(p, "false", 5) == 0) return p + 5;
    if (strncmp(p, "null", 4) == 0) return p + 4;
    return js_number(p);
}

static int json_valid(const char *text)
{
    const char *end = js_value(text, 0);
    return end && *js_ws(end) == 0;
}

/* Valid UTF-8 throughout (no overlongs, surrogates or bytes past U+10FFFF). */
static int utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n, i;
        unsigned cp;
        if (*p < 0x80) {
            p++;
            continue;
        }
        if (*p >= 0xC2 && *p <= 0xDF) n = 1, cp = *p & 0x1Fu;
        else if (*p >= 0xE0 && *p <= 0xEF) n = 2, cp = *p & 0x0Fu;
        else if (*p >= 0xF0 && *p <= 0xF4) n = 3, cp = *p & 0x07u;
        else return 0;
        for (i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (p[i] & 0x3Fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += n + 1;
    }
    return 1;
}

/* ---------------------------------------------------------------- report.json */

Test(reports, json_is_valid_and_has_the_fields)
{
    ps_run run;
    char *j;
    make_run(&run);
    j = render(ps_report_json, &run);
    cr_assert(json_valid(j), "report.json is not valid JSON:\n%s", j);
    cr_assert(utf8_valid(j), "report.json is not valid UTF-8");
    cr_assert_not_null(strstr(j, "\"platform\": \"Wine 8.0 (Debian 8.0~repack-4)\""));
    cr_assert_not_null(strstr(j, "\"harness_version\": \"0.1.0\""));
    cr_assert_not_null(strstr(j, "\"started\": \"2024-05-01T12:34:56Z\""));
    cr_assert_not_null(strstr(j, "\"wall_ms\": 1234.400"));
    cr_assert_not_null(strstr(j, "\"strict\": true"));
    cr_assert_not_null(strstr(j, "\"jobs\": 2"));
    cr_assert_not_null(strstr(j, "\"summary\": {\"PASS\": 2, \"FAIL\": 1, \"XFAIL\": 1, \"XPASS\": 1, "
                                 "\"SKIP\": 1, \"TIMEOUT\": 1, \"ERROR\": 1, \"total\": 8}"));
    cr_assert_not_null(strstr(j, "\"exit_status\": 1"));
    cr_assert_eq(count_of(j, "{\"id\": "), 8);
    /* Per-case fields, escaped. */
    cr_assert_not_null(strstr(j, "\"tags\": [\"busy\", \"wait\", \"timeout\"]"), "tags split on spaces");
    cr_assert_not_null(strstr(j, "\"reason\": \"expected \\\"ERROR_MORE_DATA\\\" \\u003cgot ERROR_SUCCESS> & "
                                 "'bytes'=0\\nsecond line: Gr\xC3\xBC\xC3\x9F" "e \xE2\x9C\x93\""));
    cr_assert_not_null(strstr(j, "\"iteration\": 2"));
    cr_assert_not_null(strstr(j, "\"outcome\": \"XPASS\""));
    cr_assert_not_null(strstr(j, "\"duration_ms\": 5000.600"));
    cr_assert_not_null(strstr(j, "\"reason\": null"));
    cr_assert_not_null(strstr(j, "\"line\": 15"));
    cr_assert_not_null(
        strstr(j, "\"divergences\": [\"30: known Wine bug did not happen\", \"31: and \\\"neither\\\" did \\u003cthis>\"]"));
    cr_assert_not_null(strstr(j, "\"divergences\": []"));
    /* NULL title/ref/tags/topic: empty strings, topic from the id; invalid UTF-8 repaired. */
    cr_assert_not_null(strstr(j, "{\"id\": \"crash.av\", \"title\": \"\", \"file\": \"scenarios/crash.pipespec\", "
                                 "\"ref\": \"\", \"tags\": [], \"topic\": \"crash\""));
    cr_assert_not_null(strstr(j, "0xC0000005 \xEF\xBF\xBD\xEF\xBF\xBD\\u003cbad>\""));
    /* The trace, verbatim. */
    cr_assert_not_null(strstr(j, TRACE_FAIL), "the trace is not embedded verbatim");
    cr_assert_not_null(strstr(j, TRACE_OK));
    free(j);
    ps_run_free(&run);
}

Test(reports, json_keeps_what_parses_of_a_cut_trace)
{
    ps_run run;
    char *j;
    make_run(&run);
    j = render(ps_report_json, &run);
    cr_assert(json_valid(j));
    /* The TIMEOUT case: its first entry kept, the raw text beside it. */
    cr_assert_not_null(strstr(j, "\"trace\": [{\"line\":9,\"actor\":\"A\",\"op\":\"connect\",\"call\":"
                                 "\"ConnectNamedPipe(A)\",\"t_ms\":0.1,\"verdict\":\"started\"}]}"));
    cr_assert_not_null(strstr(j, "\"trace_raw\": \"[{\\\"line\\\":9,"));
    cr_assert_eq(count_of(j, "\"trace_raw\""), 1, "only the cut trace has trace_raw");
    free(j);
    ps_run_free(&run);
}

Test(reports, json_of_odd_traces)
{
    static const char *const bad[] = {
        "", "garbage", "{\"line\":1}", "[1, 2]", "[{\"a\":1}] trailing", "[{\"a\":\"\x01\"}]",
        "[{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        "[{\"a\":\"\\ud800\"}, {\"b\":\"\\x\"}]", "[{\"a\":01}]", "[{\"a\":1,}]",
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ps_run run;
        char *j;
        memset(&run, 0, sizeof run);
        add_case(&run, "odd.trace", "t", "f", "r", "", "odd", 1, PS_ERROR, 1, "r", 0, bad[i], NULL);
        j = render(ps_report_json, &run);
        cr_assert(json_valid(j), "report.json invalid for trace %s:\n%s", bad[i], j);
        cr_assert(utf8_valid(j));
        cr_assert_not_null(strstr(j, "\"trace_raw\""), "trace %s was not flagged", bad[i]);
        free(j);
        ps_run_free(&run);
    }
}

Test(reports, json_of_an_empty_run)
{
    ps_run run;
    char *j;
    memset(&run, 0, sizeof run);
    j = render(ps_report_json, &run);
    cr_assert(json_valid(j), "%s", j);
    cr_assert_not_null(strstr(j, "\"cases\": []"));
    cr_assert_not_null(strstr(j, "\"platform\": \"\""));
    cr_assert_not_null(strstr(j, "\"total\": 0"));
    free(j);
}

Test(reports, json_matches_the_schema)
{
    ps_run run;
    char *dir, *j, *path, *bad, *badpath, *cmd, *out;
    char *p;
    int rc;
    if (!have_tool("python3 -c 'import json' >/dev/null 2>&1")) cr_skip_test("python3 is not installed");
    make_run(&run);
    dir = scratch_dir("schema");
    j = render(ps_report_json, &run);
    path = write_file(dir, "report.json", j);
    cmd = ps_sprintf("python3 '%s/tests/tools/validate_json.py' '%s/docs/report.schema.json' '%s'",
                     PIPESPEC_SOURCE_DIR, PIPESPEC_SOURCE_DIR, path);
    rc = run_tool(dir, cmd, &out);
    cr_assert_eq(rc, 0, "report.json does not match docs/report.schema.json:\n%s", out);
    free(out);
    free(cmd);

    /* The validator really checks: a report without "outcome" in its first case, and one
     * with an unknown verdict in a trace, fail. */
    bad = ps_xstrdup(j);
    p = strstr(bad, "\"outcome\"");
    cr_assert_not_null(p);
    memcpy(p, "\"outcame\"", 9);
    badpath = write_file(dir, "bad.json", bad);
    cmd = ps_sprintf("python3 '%s/tests/tools/validate_json.py' '%s/docs/report.schema.json' '%s'",
                     PIPESPEC_SOURCE_DIR, PIPESPEC_SOURCE_DIR, badpath);
    rc = run_tool(dir, cmd, &out);
    cr_assert_neq(rc, 0, "the validator accepted a case without an outcome");
    cr_assert_not_null(strstr(out, "/cases/0: missing required property 'outcome'"), "%s", out);
    free(out);
    free(bad);
    bad = ps_xstrdup(j);
    p = strstr(bad, "\"verdict\":\"fail\"");
    cr_assert_not_null(p);
    memcpy(p, "\"verdict\":\"FAIL\"", 16);
    cr_assert_eq(ps_write_file(badpath, bad, strlen(bad)), 0);
    rc = run_tool(dir, cmd, &out);
    cr_assert_neq(rc, 0, "the validator accepted an unknown verdict");
    cr_assert_not_null(strstr(out, "/cases/1/trace/1/verdict: \"FAIL\" is not one of"), "%s", out);
    free(out);
    free(cmd);

    free(bad);
    free(badpath);
    free(path);
    free(j);
    remove_dir(dir);
    ps_run_free(&run);
}

/* ---------------------------------------------------------------- junit.xml */

Test(reports, junit_is_valid_against_the_xsd)
{
    ps_run run;
    char *dir, *x, *path, *cmd, *out;
    int rc;
    if (!have_tool("xmllint --version >/dev/null 2>&1")) cr_skip_test("xmllint is not installed");
    make_run(&run);
    dir = scratch_dir("junit");
    x = render(ps_report_junit, &run);
    cr_assert(utf8_valid(x), "junit.xml is not valid UTF-8");
    path = write_file(dir, "junit.xml", x);
    cmd = ps_sprintf("xmllint --noout --schema '%s/docs/junit.xsd' '%s'", PIPESPEC_SOURCE_DIR, path);
    rc = run_tool(dir, cmd, &out);
    cr_assert_eq(rc, 0, "junit.xml does not validate:\n%s\n%s", out, x);
    free(out);
    free(cmd);
    free(path);
    free(x);
    /* An empty run too. */
    ps_run_free(&run);
    memset(&run, 0, sizeof run);
    x = render(ps_report_junit, &run);
    path = write_file(dir, "empty.xml", x);
    cmd = ps_sprintf("xmllint --noout --schema '%s/docs/junit.xsd' '%s'", PIPESPEC_SOURCE_DIR, path);
    rc = run_tool(dir, cmd, &out);
    cr_assert_eq(rc, 0, "an empty junit.xml does not validate:\n%s\n%s", out, x);
    free(out);
    free(cmd);
    free(path);
    free(x);
    remove_dir(dir);
}

Test(reports, junit_maps_the_outcomes)
{
    ps_run run;
    char *x;
    make_run(&run);
    x = render(ps_report_junit, &run);
    cr_assert_not_null(strstr(x, "<testsuites name=\"pipespec\" tests=\"8\" failures=\"3\" errors=\"1\" "
                                 "skipped=\"1\" time=\"1.234\">"), "%s", x);
    cr_assert_not_null(strstr(x, "<testsuite name=\"pipespec\" tests=\"8\" failures=\"3\" errors=\"1\" "
                                 "skipped=\"1\" time=\"1.234\" timestamp=\"2024-05-01T12:34:56\">"));
    cr_assert_not_null(strstr(x, "<property name=\"platform\" value=\"Wine 8.0 (Debian 8.0~repack-4)\"/>"));
    cr_assert_eq(count_of(x, "<testcase "), 8);
    cr_assert_not_null(strstr(x, "<testcase name=\"busy.wait-timeout\" classname=\"pipespec.busy\" "
                                 "time=\"0.012\" file=\"scenarios/busy.pipespec\"/>"));
    cr_assert_not_null(strstr(x, "<testcase name=\"busy.wait-timeout #2\" classname=\"pipespec.busy\" "
                                 "time=\"0.012\""));
    /* FAIL: message with the reason (escaped, newline kept), body with the trace. */
    cr_assert_not_null(strstr(x, "<failure message=\"expected &quot;ERROR_MORE_DATA&quot; &lt;got ERROR_SUCCESS&gt; "
                                 "&amp; &#39;bytes&#39;=0&#10;second line: Gr\xC3\xBC\xC3\x9F" "e \xE2\x9C\x93\" "
                                 "type=\"FAIL\">FAIL at scenarios/msg.pipespec:15: "));
    cr_assert_not_null(strstr(x, "  L15 +0.500 ms B: ReadFile(B, buf[2]) &lt;/script&gt;&lt;!-- -&gt; FALSE "
                                 "ERROR_MORE_DATA (234) {bytes=2 data=&quot;he&quot;} expected: ERROR_SUCCESS bytes=5 "
                                 "[fail] note: caf\xC3\xA9 \xF0\x9F\x98\x80\n"), "%s", x);
    cr_assert_eq(count_of(x, "<failure "), 3);
    cr_assert_not_null(strstr(x, "type=\"XPASS\""));
    cr_assert_not_null(strstr(x, "type=\"TIMEOUT\""));
    cr_assert_not_null(strstr(x, "(the rest of the trace was not valid JSON and is left out)"));
    cr_assert_not_null(strstr(x, "<error message=\"case process crashed with exception 0xC0000005 "
                                 "\xEF\xBF\xBD\xEF\xBF\xBD&lt;bad&gt;\" type=\"ERROR\">"));
    cr_assert_not_null(strstr(x, "<skipped message=\"needs a second machine # not here\"/>"));
    cr_assert_not_null(strstr(x, "<system-out>XFAIL (known divergence on this platform): Wine drops zero-length "
                                 "messages\n21: Wine reports 0 bytes\n</system-out>"));
    cr_assert_not_null(strstr(x, "classname=\"pipespec.crash\""), "topic from the id when unset");
    free(x);
    ps_run_free(&run);
}

/* ---------------------------------------------------------------- report.tap */

Test(reports, tap_plan_directives_and_counts)
{
    ps_run run;
    char *t;
    make_run(&run);
    t = render(ps_report_tap, &run);
    cr_assert_eq(strncmp(t, "TAP version 14\n", 15), 0, "%s", t);
    cr_assert_not_null(strstr(t, "\n1..8\n"));
    cr_assert_eq(lines_starting(t, "ok "), 4, "%s", t);
    cr_assert_eq(lines_starting(t, "not ok "), 4, "%s", t);
    cr_assert_not_null(strstr(t, "\nok 1 - busy.wait-timeout\n"));
    cr_assert_not_null(strstr(t, "\nnot ok 2 - msg.more-data\n  ---\n  message: \"expected \\\"ERROR_MORE_DATA\\\" "
                                 "<got ERROR_SUCCESS> & 'bytes'=0\\nsecond line: Gr\xC3\xBC\xC3\x9F" "e \xE2\x9C\x93\"\n"
                                 "  outcome: FAIL\n  file: \"scenarios/msg.pipespec\"\n  line: 15\n"), "%s", t);
    cr_assert_not_null(strstr(t, "\nok 3 - msg.zero-length # TODO known divergence: Wine drops zero-length messages\n"));
    cr_assert_not_null(strstr(t, "\nnot ok 4 - state.disconnect\n  ---\n  message: \"unexpected pass: a known "
                                 "divergence did not happen\"\n  outcome: XPASS\n"));
    cr_assert_null(strstr(t, "not ok 4 - state.disconnect # TODO"), "XPASS must not be a TODO");
    cr_assert_not_null(strstr(t, "  divergences:\n    - line: 30\n      text: \"known Wine bug did not happen\"\n"
                                 "    - line: 31\n      text: \"and \\\"neither\\\" did <this>\"\n"), "%s", t);
    cr_assert_not_null(strstr(t, "\nok 5 - remote.unc # SKIP needs a second machine # not here\n"));
    cr_assert_not_null(strstr(t, "\nnot ok 6 - busy.hang\n  ---\n"));
    cr_assert_not_null(strstr(t, "  outcome: TIMEOUT\n"));
    cr_assert_not_null(strstr(t, "\nnot ok 7 - crash.av\n  ---\n"));
    cr_assert_not_null(strstr(t, "  outcome: ERROR\n"));
    cr_assert_not_null(strstr(t, "\nok 8 - busy.wait-timeout \\#2\n"), "the iteration's '#' is escaped");
    cr_assert_eq(count_of(t, "\n  ---\n"), 4);
    cr_assert_eq(count_of(t, "\n  ...\n"), 4);
    cr_assert(utf8_valid(t));
    free(t);
    ps_run_free(&run);
}

Test(reports, tap_escapes_and_empty_run)
{
    ps_run run;
    char *t;
    memset(&run, 0, sizeof run);
    t = render(ps_report_tap, &run);
    cr_assert_not_null(strstr(t, "TAP version 14\n"));
    cr_assert_not_null(strstr(t, "\n1..0\n"));
    free(t);
    add_case(&run, "odd#id\\x", "t", "f", "r", "", "odd", 1, PS_SKIP, 1, "two\nlines", 0, "[]", NULL);
    add_case(&run, "odd.ctl", "t", "f", "r", "", "odd", 1, PS_FAIL, 1, "del\x7f c1\xC2\x85 bom\xEF\xBB\xBF", 0,
             "[]", NULL);
    t = render(ps_report_tap, &run);
    cr_assert_not_null(strstr(t, "\nok 1 - odd\\#id\\\\x # SKIP two lines\n"), "%s", t);
    cr_assert_not_null(strstr(t, "  message: \"del\\x7F c1\\u0085 bom\\uFEFF\"\n"), "%s", t);
    free(t);
    ps_run_free(&run);
}

/* ---------------------------------------------------------------- report.html */

Test(reports, html_has_counts_and_escaped_data)
{
    ps_run run;
    char *h, *start, *end, *island;
    make_run(&run);
    h = render(ps_report_html, &run);
    cr_assert(utf8_valid(h));
    cr_assert_eq(strncmp(h, "<!DOCTYPE html>", 15), 0);
    cr_assert_not_null(strstr(h, "id=\"count-PASS\">2<"), "static counts");
    cr_assert_not_null(strstr(h, "id=\"count-FAIL\">1<"));
    cr_assert_not_null(strstr(h, "id=\"count-XFAIL\">1<"));
    cr_assert_not_null(strstr(h, "id=\"count-XPASS\">1<"));
    cr_assert_not_null(strstr(h, "id=\"count-SKIP\">1<"));
    cr_assert_not_null(strstr(h, "id=\"count-TIMEOUT\">1<"));
    cr_assert_not_null(strstr(h, "id=\"count-ERROR\">1<"));
    cr_assert_not_null(strstr(h, "id=\"count-total\">8<"));
    cr_assert_not_null(strstr(h, "Wine 8.0 (Debian 8.0~repack-4)"));
    cr_assert_not_null(strstr(h, "pipespec 0.1.0"));
    cr_assert_eq(count_of(h, "<tr class=\"case "), 8);
    /* The static table escapes. */
    cr_assert_not_null(strstr(h, "Short read of a message &lt;5 bytes&gt; &amp; more"));
    cr_assert_not_null(strstr(h, "expected &quot;ERROR_MORE_DATA&quot; &lt;got ERROR_SUCCESS&gt; &amp; "
                                 "&#39;bytes&#39;=0 \xE2\x80\xA6"));
    /* Self-contained. */
    cr_assert_null(strstr(h, "src="));
    cr_assert_null(strstr(h, "href="));
    cr_assert_null(strstr(h, "http://"));
    cr_assert_null(strstr(h, "https://"));
    cr_assert_null(strstr(h, "@import"));
    /* The data island: one, it ends at the first "</script>" after it, no '<' inside,
     * valid JSON, the raw "</script>" of the trace escaped. */
    start = strstr(h, "<script type=\"application/json\" id=\"data\">");
    cr_assert_not_null(start);
    cr_assert_eq(count_of(h, "<script type=\"application/json\""), 1);
    start += strlen("<script type=\"application/json\" id=\"data\">");
    end = strstr(start, "</script>");
    cr_assert_not_null(end);
    island = ps_xstrndup(start, (size_t)(end - start));
    cr_assert_null(strchr(island, '<'), "a '<' in the data island");
    cr_assert(json_valid(island), "the data island is not valid JSON");
    cr_assert_not_null(strstr(island, "ReadFile(B, buf[2]) \\u003c/script>\\u003c!--"));
    cr_assert_not_null(strstr(island, "\"summary\": {\"PASS\": 2, \"FAIL\": 1"));
    cr_assert_eq(count_of(h, "<script"), 2, "the data island and the inline script only");
    free(island);
    free(h);
    ps_run_free(&run);
}

Test(reports, html_script_runs_against_a_dom)
{
    ps_run run;
    char *dir, *h, *path, *cmd, *out;
    int rc;
    if (!have_tool("node --version >/dev/null 2>&1")) cr_skip_test("node is not installed");
    make_run(&run);
    dir = scratch_dir("html");
    h = render(ps_report_html, &run);
    path = write_file(dir, "report.html", h);
    cmd = ps_sprintf("node '%s/tests/tools/check_html.js' '%s'", PIPESPEC_SOURCE_DIR, path);
    rc = run_tool(dir, cmd, &out);
    cr_assert_eq(rc, 0, "check_html.js:\n%s", out);
    free(out);
    free(cmd);
    free(path);
    free(h);
    ps_run_free(&run);
    /* An empty run. */
    memset(&run, 0, sizeof run);
    h = render(ps_report_html, &run);
    path = write_file(dir, "empty.html", h);
    cmd = ps_sprintf("node '%s/tests/tools/check_html.js' '%s'", PIPESPEC_SOURCE_DIR, path);
    rc = run_tool(dir, cmd, &out);
    cr_assert_eq(rc, 0, "check_html.js on an empty run:\n%s", out);
    cr_assert_not_null(strstr(h, "id=\"count-total\">0<"));
    free(out);
    free(cmd);
    free(path);
    free(h);
    remove_dir(dir);
}

/* ---------------------------------------------------------------- console */

Test(reports, console_case_lines)
{
    ps_run run;
    char *s;
    make_run(&run);
    s = console_case(&run.cases[0], 0);
    cr_assert_str_eq(s, "PASS     busy.wait-timeout  (12 ms)\n");
    free(s);
    s = console_case(&run.cases[7], 0);
    cr_assert_str_eq(s, "PASS     busy.wait-timeout #2  (12 ms)\n");
    free(s);
    s = console_case(&run.cases[1], 0);
    cr_assert_str_eq(s, "FAIL     msg.more-data  (4 ms)\n"
                        "  scenarios/msg.pipespec:15: expected \"ERROR_MORE_DATA\" <got ERROR_SUCCESS> & 'bytes'=0\n"
                        "    second line: Gr\xC3\xBC\xC3\x9F" "e \xE2\x9C\x93\n");
    free(s);
    s = console_case(&run.cases[2], 0);
    cr_assert_str_eq(s, "XFAIL    msg.zero-length  (2 ms)\n"
                        "  scenarios/msg.pipespec:21: Wine drops zero-length messages\n");
    free(s);
    s = console_case(&run.cases[3], 0);
    cr_assert_str_eq(s, "XPASS    state.disconnect  (4 ms)\n"
                        "  scenarios/state.pipespec:30: unexpected pass: a known divergence did not happen\n"
                        "  scenarios/state.pipespec:30: divergence: known Wine bug did not happen\n"
                        "  scenarios/state.pipespec:31: divergence: and \"neither\" did <this>\n");
    free(s);
    s = console_case(&run.cases[4], 0);
    cr_assert_str_eq(s, "SKIP     remote.unc  (0 ms)\n  scenarios/remote.pipespec: needs a second machine # not here\n");
    free(s);
    s = console_case(&run.cases[5], 0);
    cr_assert_str_eq(s, "TIMEOUT  busy.hang  (5001 ms)\n"
                        "  scenarios/busy.pipespec:9: case did not finish within 5000 ms; hung on line 9: connect A\n");
    free(s);
    s = console_case(&run.cases[6], 0);
    cr_assert_str_eq(s, "ERROR    crash.av  (1 ms)\n"
                        "  scenarios/crash.pipespec: case process crashed with exception 0xC0000005 \xFF\xFE<bad>\n");
    free(s);
    ps_run_free(&run);
}

Test(reports, console_verbose_prints_the_trace)
{
    ps_run run;
    char *s;
    make_run(&run);
    s = console_case(&run.cases[1], 1);
    cr_assert_not_null(strstr(s, "\n      L14 +0.250 ms A: WriteFile(A, \"hello\", 5) -> TRUE ERROR_SUCCESS (0) "
                                 "{written=5} expected: ok written=5 [ok]\n"), "%s", s);
    cr_assert_not_null(strstr(s, "\n      L15 +0.500 ms B: ReadFile(B, buf[2]) </script><!-- -> FALSE ERROR_MORE_DATA "
                                 "(234) {bytes=2 data=\"he\"} expected: ERROR_SUCCESS bytes=5 [fail] note: "
                                 "caf\xC3\xA9 \xF0\x9F\x98\x80\n"), "%s", s);
    free(s);
    s = console_case(&run.cases[4], 1);
    cr_assert_str_eq(s, "SKIP     remote.unc  (0 ms)\n  scenarios/remote.pipespec: needs a second machine # not here\n");
    free(s);
    s = console_case(&run.cases[2], 1);
    cr_assert_str_eq(s, "XFAIL    msg.zero-length  (2 ms)\n"
                        "  scenarios/msg.pipespec:21: Wine drops zero-length messages\n"
                        "  scenarios/msg.pipespec:21: divergence: Wine reports 0 bytes\n");
    free(s);
    s = console_case(&run.cases[5], 1);
    cr_assert_not_null(strstr(s, "      L9 +0.100 ms A: ConnectNamedPipe(A) [started]\n"
                                 "      (the rest of the trace was not valid JSON and is left out)\n"), "%s", s);
    free(s);
    ps_run_free(&run);
}

Test(reports, trace_lines_of_sparse_entries)
{
    ps_run run;
    char *s;
    memset(&run, 0, sizeof run);
    add_case(&run, "t.sparse", "t", "f.pipespec", "r", "", "t", 1, PS_FAIL, 1, "x", 7,
             "[{\"line\":7,\"op\":\"sleep\",\"t_ms\":1.5e1,\"error\":null,\"error_name\":\"WAIT_TIMEOUT\","
             "\"call\":null,\"verdict\":\"ok\"},"
             "{\"line\":8,\"actor\":\"A\",\"call\":\"CloseHandle(A)\",\"t_ms\":-2.5E-1,\"error\":6,"
             "\"fields\":{\"s\":\"a b\",\"n\":[1,2],\"o\":{\"k\":null}},\"verdict\":\"fail\",\"note\":\"two\\nlines\"},"
             "{\"t_ms\":0}]",
             NULL);
    s = console_case(&run.cases[0], 1);
    cr_assert_str_eq(s, "FAIL     t.sparse  (1 ms)\n"
                        "  f.pipespec:7: x\n"
                        "      L7 +15.000 ms sleep WAIT_TIMEOUT [ok]\n"
                        "      L8 -0.250 ms A: CloseHandle(A) error 6 {s=\"a b\" n=[1,2] o={\"k\":null}} [fail] note: two lines\n"
                        "      L? +0.000 ms\n");
    free(s);
    ps_run_free(&run);
}

Test(reports, console_summary_lines)
{
    ps_run run;
    char *s;
    make_run(&run);
    s = console_summary(&run);
    cr_assert_str_eq(s, "SUMMARY: 8 cases: 2 PASS, 1 FAIL, 1 XFAIL, 1 XPASS, 1 SKIP, 1 TIMEOUT, 1 ERROR\n"
                        "FAILED: msg.more-data state.disconnect busy.hang crash.av\n"
                        "PLATFORM: Wine 8.0 (Debian 8.0~repack-4)\n"
                        "WALL: 1234 ms\n"
                        "3 passed, 4 failed, 1 skipped\n");
    free(s);
    ps_run_free(&run);

    /* No failures: no FAILED line. Repeated failing case: id#N. */
    memset(&run, 0, sizeof run);
    run.platform = ps_xstrdup("Windows 10.0 build 19045");
    run.wall_ms = 0.4;
    add_case(&run, "a.b", "t", "f", "r", "", "a", 1, PS_PASS, 1, NULL, 0, "[]", NULL);
    add_case(&run, "a.c", "t", "f", "r", "", "a", 1, PS_SKIP, 1, "why", 0, "[]", NULL);
    s = console_summary(&run);
    cr_assert_str_eq(s, "SUMMARY: 2 cases: 1 PASS, 0 FAIL, 0 XFAIL, 0 XPASS, 1 SKIP, 0 TIMEOUT, 0 ERROR\n"
                        "PLATFORM: Windows 10.0 build 19045\n"
                        "WALL: 0 ms\n"
                        "1 passed, 0 failed, 1 skipped\n");
    free(s);
    add_case(&run, "a.b", "t", "f", "r", "", "a", 3, PS_FAIL, 1, "x", 0, "[]", NULL);
    s = console_summary(&run);
    cr_assert_not_null(strstr(s, "\nFAILED: a.b#3\n"), "%s", s);
    cr_assert_not_null(strstr(s, "\n1 passed, 1 failed, 1 skipped\n"), "%s", s);
    free(s);
    ps_run_free(&run);

    /* An empty run. */
    memset(&run, 0, sizeof run);
    s = console_summary(&run);
    cr_assert_str_eq(s, "SUMMARY: 0 cases: 0 PASS, 0 FAIL, 0 XFAIL, 0 XPASS, 0 SKIP, 0 TIMEOUT, 0 ERROR\n"
                        "PLATFORM: unknown\n"
                        "WALL: 0 ms\n"
                        "0 passed, 0 failed, 0 skipped\n");
    free(s);
}

/* ---------------------------------------------------------------- ps_report_all, errors */

Test(reports, report_all_writes_the_four_files)
{
    ps_run run;
    char *dir, *missing;
    const char *failed = "unset";
    static const char *const names[] = {"report.json", "junit.xml", "report.tap", "report.html"};
    size_t i;
    make_run(&run);
    dir = scratch_dir("all");
    cr_assert_eq(ps_report_all(dir, &run, &failed), 0);
    cr_assert_null(failed);
    for (i = 0; i < 4; i++) {
        char *path = ps_sprintf("%s/%s", dir, names[i]);
        size_t len = 0;
        char *text = ps_read_file(path, &len);
        cr_assert_not_null(text, "%s was not written", path);
        cr_assert_gt(len, 100);
        free(text);
        free(path);
    }
    {   /* identical to what the single writers produce */
        char *path = ps_sprintf("%s/report.json", dir);
        char *text = ps_read_file(path, NULL), *j = render(ps_report_json, &run);
        cr_assert_str_eq(text, j);
        free(j);
        free(text);
        free(path);
    }
    missing = ps_sprintf("%s/no/such/dir", dir);
    cr_assert_eq(ps_report_all(missing, &run, &failed), -1);
    cr_assert_str_eq(failed, "report.json");
    free(missing);
    remove_dir(dir);
    ps_run_free(&run);
}

Test(reports, writers_report_io_errors)
{
    ps_run run;
    char *dir, *path;
    FILE *f;
    int (*const writers[])(FILE *, const ps_run *) = {ps_report_json, ps_report_junit, ps_report_tap,
                                                       ps_report_html};
    size_t i;
    make_run(&run);
    dir = scratch_dir("io");
    path = write_file(dir, "ro.txt", "x");
    for (i = 0; i < sizeof writers / sizeof writers[0]; i++) {
        f = fopen(path, "rb"); /* a stream that cannot be written */
        cr_assert_not_null(f);
        cr_assert_eq(writers[i](f, &run), -1, "writer %zu did not report the error", i);
        fclose(f);
    }
    free(path);
    remove_dir(dir);
    ps_run_free(&run);
}
