/* test_compare.c: the JSON reader (json.h), reading reports back, pipespec diff, merge
 * and matrix.html, and --shard (compare.h). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "json.h"
#include "psutil.h"
#include "report_internal.h"
#include "results.h"
#include "scenario.h"

/* ---------------------------------------------------------------- json */

Test(json, parses_a_document)
{
    const char *t = " {\"a\": [1, -2.5e1, true, null], \"s\": \"x\\u00e9\\ud83d\\ude00\\n\", \"o\": {}} ";
    ps_jv v;
    const ps_jv *a;
    cr_assert_eq(ps_json_parse(t, strlen(t), &v, NULL, NULL), 0);
    cr_assert_eq(v.t, 'o');
    a = ps_jv_get(&v, "a");
    cr_assert_eq(a->t, 'a');
    cr_assert_eq(a->n, 4);
    cr_assert_float_eq(ps_jv_number(&a->kids[1]), -25.0, 1e-9);
    cr_assert_eq(a->kids[2].t, 'b');
    cr_assert_eq(a->kids[3].t, 'n');
    cr_assert_str_eq(ps_jv_str(&v, "s"), "x\xC3\xA9\xF0\x9F\x98\x80\n");
    cr_assert_eq(ps_jv_get(&v, "o")->t, 'o');
    cr_assert_null(ps_jv_get(&v, "missing"));
    cr_assert_null(ps_jv_str(&v, "a"), "a member that is no string has no string");
    cr_assert_eq(ps_jv_number(&v), 0, "an object has no number");
    ps_jv_free(&v);
}

Test(json, reports_where_it_stopped)
{
    static const struct {
        const char *text;
        int line, col;
    } bad[] = {
        {"{\n  \"a\": tru\n}", 2, 8},
        {"[1, 2,]", 1, 7},
        {"{\"a\" 1}", 1, 6},
        {"\"\xC3\xA9\xC3\xA9\" x", 1, 6},
        {"", 1, 1},
        {"[01]", 1, 3},
        {"\"a\tb\"", 1, 3},
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ps_jv v;
        int line = 0, col = 0;
        cr_assert_eq(ps_json_parse(bad[i].text, strlen(bad[i].text), &v, &line, &col), -1, "%s", bad[i].text);
        cr_assert_eq(line, bad[i].line, "%s: line %d", bad[i].text, line);
        cr_assert_eq(col, bad[i].col, "%s: column %d", bad[i].text, col);
    }
}

Test(json, nesting_is_limited)
{
    ps_buf b;
    ps_jv v;
    int i;
    ps_buf_init(&b);
    for (i = 0; i < 200; i++) ps_buf_addc(&b, '[');
    for (i = 0; i < 200; i++) ps_buf_addc(&b, ']');
    cr_assert_eq(ps_json_parse(b.data, b.len, &v, NULL, NULL), -1);
    ps_buf_free(&b);
}

/* ---------------------------------------------------------------- runs to compare */

static const char *const TRACE_A =
    "[{\"line\":7,\"actor\":\"S\",\"op\":\"create\",\"call\":\"CreateNamedPipeW(\\\\\\\\.\\\\pipe\\\\pipespec-00000020-000001-0001)\","
    "\"t_ms\":1.5,\"dur_ms\":0.2,\"ret\":\"handle\",\"error\":0,\"error_name\":\"ERROR_SUCCESS\",\"fields\":{},"
    "\"expected\":\"ok\",\"verdict\":\"ok\"},"
    "{\"line\":9,\"actor\":\"A\",\"op\":\"read\",\"call\":\"ReadFile(A, buf[4])\",\"t_ms\":2.5,\"dur_ms\":0.1,"
    "\"ret\":\"FALSE\",\"error\":234,\"error_name\":\"ERROR_MORE_DATA\",\"fields\":{\"bytes\":\"4\",\"text\":\"abcd\"},"
    "\"expected\":\"ERROR_MORE_DATA bytes=4\",\"verdict\":\"ok\"},"
    "{\"line\":9,\"actor\":\"A\",\"op\":\"read\",\"call\":\"ReadFile(A, buf[4])\",\"t_ms\":3.5,\"dur_ms\":0.1,"
    "\"ret\":\"TRUE\",\"error\":0,\"error_name\":\"ERROR_SUCCESS\",\"fields\":{\"bytes\":\"2\"},"
    "\"expected\":\"ok\",\"verdict\":\"ok\"},"
    "{\"line\":11,\"actor\":\"B\",\"op\":\"wait\",\"call\":\"WaitNamedPipeW(x, 100)\",\"t_ms\":4,\"dur_ms\":101.2,"
    "\"ret\":\"FALSE\",\"error\":121,\"error_name\":\"ERROR_SEM_TIMEOUT\",\"fields\":{},"
    "\"expected\":\"ERROR_SEM_TIMEOUT after 50ms..2000ms\",\"verdict\":\"ok\"},"
    "{\"line\":12,\"actor\":\"S\",\"op\":\"pid\",\"call\":\"GetNamedPipeClientProcessId(S)\",\"t_ms\":5,\"dur_ms\":0.1,"
    "\"ret\":\"TRUE\",\"error\":0,\"error_name\":\"ERROR_SUCCESS\",\"fields\":{\"pid\":\"P\"},"
    "\"expected\":\"ok pid=P\",\"verdict\":\"ok\",\"note\":\"still blocked\"},"
    "{\"line\":0,\"actor\":\"S\",\"op\":\"serve\",\"call\":\"the server under test at the end of the case\","
    "\"t_ms\":70.5,\"ret\":\"still running: ended\",\"verdict\":\"ok\"}]";

static void add_case(ps_run *run, const char *id, int iteration, int index, ps_outcome o, const char *reason,
                     const char *trace)
{
    ps_result *r;
    run->cases = ps_xrealloc(run->cases, sizeof *run->cases * (size_t)(run->ncases + 1));
    r = &run->cases[run->ncases++];
    memset(r, 0, sizeof *r);
    r->id = ps_xstrdup(id);
    r->title = ps_sprintf("title of %s <&>", id);
    r->file = ps_sprintf("scenarios/%s.case", id);
    r->ref = ps_xstrdup("WT test_x; B1");
    r->tags = ps_xstrdup("busy instances");
    r->topic = ps_xstrndup(id, strcspn(id, "."));
    r->iteration = iteration;
    r->index = index;
    r->outcome = o;
    r->duration_ms = 12.5 + index;
    r->reason = ps_xstrdup(reason);
    r->line = reason ? 9 : 0;
    r->trace_json = ps_xstrdup(trace ? trace : "[]");
    r->divergences = o == PS_XFAIL ? ps_xstrdup("9: known") : NULL;
}

static void make_run(ps_run *run, const char *platform, const char *machine)
{
    memset(run, 0, sizeof *run);
    run->platform = ps_xstrdup(platform);
    run->pinfo.os = ps_xstrdup("Wine");
    run->pinfo.version = ps_xstrdup("8.0");
    run->pinfo.build = ps_xstrdup("wine-8.0 (Debian 8.0~repack-4)");
    run->pinfo.host = ps_xstrdup("Linux 6.1.0");
    run->pinfo.arch = ps_xstrdup("x86_64");
    run->pinfo.machine = ps_xstrdup(machine);
    run->harness_version = ps_xstrdup("0.1.0");
    run->started = ps_xstrdup("2026-01-02T03:04:05Z");
    run->wall_ms = 1000;
    run->jobs = 2;
    run->selected = 3;
    add_case(run, "busy.one", 1, 0, PS_PASS, NULL, TRACE_A);
    add_case(run, "busy.two", 1, 1, PS_XFAIL, "line 9: known divergence", TRACE_A);
    add_case(run, "busy.skip", 1, 2, PS_SKIP, "needs a second machine", NULL);
    ps_run_count(run);
}

static char *json_of(const ps_run *run)
{
    ps_buf b;
    ps_buf_init(&b);
    ps_rep_json_build(&b, run);
    return ps_buf_steal(&b);
}

/* A copy of run through report.json and back. */
static void reread(const ps_run *run, ps_run *out)
{
    char *j = json_of(run), err[512];
    cr_assert_eq(ps_report_parse(j, strlen(j), "r.json", out, err, sizeof err), 0, "%s", err);
    free(j);
}

static char *replace(const char *s, const char *from, const char *to)
{
    const char *p = strstr(s, from);
    cr_assert_not_null(p, "'%s' not in the text", from);
    return ps_sprintf("%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
}

/* ---------------------------------------------------------------- reading reports */

Test(report_read, round_trip_is_exact)
{
    ps_run a, b;
    char *ja, *jb;
    make_run(&a, "Wine 8.0 on Linux, x86_64", "vm1");
    a.shard_k = 2;
    a.shard_n = 3;
    reread(&a, &b);
    ja = json_of(&a);
    jb = json_of(&b);
    cr_assert_str_eq(ja, jb, "written, read and written again, a report must not change");
    cr_assert_str_eq(b.pinfo.machine, "vm1");
    cr_assert_str_eq(b.pinfo.build, "wine-8.0 (Debian 8.0~repack-4)");
    cr_assert_null(b.pinfo.edition);
    cr_assert_eq(b.shard_k, 2);
    cr_assert_eq(b.shard_n, 3);
    cr_assert_eq(b.selected, 3);
    cr_assert_eq(b.ncases, 3);
    cr_assert_eq(b.cases[1].outcome, PS_XFAIL);
    cr_assert_eq(b.cases[2].index, 2);
    cr_assert_str_eq(b.cases[0].tags, "busy instances");
    cr_assert_eq(b.counts[PS_SKIP], 1);
    free(ja);
    free(jb);
    ps_run_free(&a);
    ps_run_free(&b);
}

Test(report_read, bad_input_is_named)
{
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"{\"report_version\": 1,\n \"cases\": [}", "r.json:2:12: not valid JSON"},
        {"[1, 2]", "r.json: not a pipespec report"},
        {"{\"report_version\": 2, \"cases\": []}", "r.json: report_version 2, expected 1"},
        {"{\"report_version\": 1, \"cases\": {}}", "r.json: \"cases\" is not an array"},
        {"{\"report_version\": 1, \"cases\": [{\"id\": \"x.y\"}]}", "r.json: case 1 (\"x.y\") has no \"outcome\""},
        {"{\"report_version\": 1, \"cases\": [{\"id\": \"x.y\", \"outcome\": \"GOOD\"}]}",
         "r.json: case 1 (\"x.y\"): \"outcome\" is \"GOOD\", expected PASS"},
        {"{\"report_version\": 1, \"cases\": [{\"outcome\": \"PASS\"}]}", "r.json: case 1 has no \"id\""},
        {"{\"report_version\": 1, \"cases\": [{\"id\": \"a\", \"outcome\": \"PASS\", \"trace\": [1]}]}",
         "r.json: case 1 (\"a\"): trace entry 1 is not an object"},
        {"{\"report_version\": 1, \"cases\": [{\"id\": \"a\", \"outcome\": \"PASS\"}, {\"id\": \"b\", \"outcome\": \"PASS\"},"
         " {\"id\": \"a\", \"outcome\": \"FAIL\", \"iteration\": 1}]}",
         "r.json: case 3 (\"a\", iteration 1) is there twice (also case 1)"},
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ps_run r;
        char err[512];
        cr_assert_eq(ps_report_parse(bad[i].text, strlen(bad[i].text), "r.json", &r, err, sizeof err), -1, "%s",
                     bad[i].text);
        cr_assert(!strncmp(err, bad[i].msg, strlen(bad[i].msg)), "for %s\n got: %s\nwant: %s", bad[i].text, err,
                  bad[i].msg);
    }
}

Test(report_read, a_missing_file)
{
    ps_run r;
    char err[512];
    cr_assert_eq(ps_report_load("/nonexistent/pipespec/report.json", &r, err, sizeof err), -1);
    cr_assert(strstr(err, "/nonexistent/pipespec/report.json: cannot read") != NULL, "%s", err);
    /* a folder without a report.json: cannot read, not "not valid JSON" */
    cr_assert_eq(ps_report_load("/", &r, err, sizeof err), -1);
    cr_assert(strstr(err, "/: cannot read") != NULL, "%s", err);
}

/* ---------------------------------------------------------------- diff */

/* Replaces case k's trace in run with the trace where from is replaced by to. */
static void doctor_trace(ps_run *run, int k, const char *from, const char *to)
{
    ps_result_set_trace(&run->cases[k], replace(run->cases[k].trace_json, from, to));
}

static int count_kind(const ps_diff *d, ps_diff_kind kind)
{
    int i, n = 0;
    for (i = 0; i < d->n; i++) n += d->items[i].kind == kind;
    return n;
}

Test(diff, a_run_agrees_with_itself)
{
    ps_run a, b;
    ps_diff d;
    make_run(&a, "Wine 8.0", "vm1");
    reread(&a, &b);
    ps_diff_runs(&a, &b, &d);
    cr_assert_eq(d.n, 0);
    cr_assert_eq(d.cases_both, 3);
    ps_diff_free(&d);
    ps_run_free(&a);
    ps_run_free(&b);
}

Test(diff, noise_is_not_a_difference)
{
    ps_run a, b;
    ps_diff d;
    make_run(&a, "Wine 8.0", "vm1");
    make_run(&b, "Windows 10 Pro build 19045.3803, x86_64", "win10");
    free(b.started);
    b.started = ps_xstrdup("2027-05-06T07:08:09Z");
    b.wall_ms = 99999;
    b.cases[0].duration_ms = 4321;
    free(b.cases[1].reason);
    b.cases[1].reason = ps_xstrdup("line 9: known divergence (took 7 ms)");
    doctor_trace(&b, 0, "pipespec-00000020-000001-0001", "pipespec-0000beef-000042-0003");
    doctor_trace(&b, 0, "\"t_ms\":2.5,\"dur_ms\":0.1", "\"t_ms\":25.75,\"dur_ms\":3.25");
    doctor_trace(&b, 0, "\"dur_ms\":101.2", "\"dur_ms\":1999.9"); /* still inside 50..2000: verdict ok */
    doctor_trace(&b, 0, "\"note\":\"still blocked\"", "\"note\":\"something else\"");
    doctor_trace(&b, 0, "ReadFile(A, buf[4])", "ReadFile(A, buf[0x4])");
    doctor_trace(&b, 0, "\"ret\":\"still running: ended\"", "\"ret\":\"exited\",\"fields\":{\"code\":\"0x00000000\"}");
    ps_diff_runs(&a, &b, &d);
    cr_assert_eq(d.n, 0, "%d difference(s), the first: %s %s", d.n, d.n ? d.items[0].what : "",
                 d.n ? d.items[0].case_name : "");
    ps_diff_free(&d);
    ps_run_free(&a);
    ps_run_free(&b);
}

/* A race the case declares (ok|ERROR_PIPE_CONNECTED) or a field it accepts either way
 * (bytes=0|10): two runs that both met the expectation do not differ there; once the
 * verdict changes, they do. (Seen between a Wine 8.0 and a Wine 10.0 run: a connect
 * that won the race in one and lost it in the other.) */
Test(diff, what_the_case_accepts_either_way_is_not_a_difference)
{
    ps_run a, b;
    ps_diff d;
    make_run(&a, "Wine 8.0", "vm1");
    doctor_trace(&a, 0, "\"expected\":\"ok\",\"verdict\":\"ok\"},{\"line\":9",
                 "\"expected\":\"ok|ERROR_PIPE_CONNECTED\",\"verdict\":\"ok\"},{\"line\":9");
    doctor_trace(&a, 0, "\"expected\":\"ERROR_MORE_DATA bytes=4\"", "\"expected\":\"ERROR_MORE_DATA bytes=4|5\"");
    reread(&a, &b);
    doctor_trace(&b, 0, "\"ret\":\"handle\",\"error\":0,\"error_name\":\"ERROR_SUCCESS\"",
                 "\"ret\":\"FALSE\",\"error\":535,\"error_name\":\"ERROR_PIPE_CONNECTED\"");
    doctor_trace(&b, 0, "\"fields\":{\"bytes\":\"4\",", "\"fields\":{\"bytes\":\"5\",");
    ps_diff_runs(&a, &b, &d);
    cr_assert_eq(d.n, 0, "%d difference(s), the first: %s", d.n, d.n ? d.items[0].what : "");
    ps_diff_free(&d);
    /* the same error, but now the step failed in B: a difference */
    doctor_trace(&b, 0, "\"expected\":\"ok|ERROR_PIPE_CONNECTED\",\"verdict\":\"ok\"",
                 "\"expected\":\"ok|ERROR_PIPE_CONNECTED\",\"verdict\":\"fail\"");
    ps_diff_runs(&a, &b, &d);
    cr_assert_geq(d.n, 2, "verdict and error differ");
    ps_diff_free(&d);
    ps_run_free(&a);
    ps_run_free(&b);
}

Test(diff, a_crash_at_the_end_of_a_case_is_a_difference)
{
    ps_run a, b;
    ps_diff d;
    make_run(&a, "Wine 8.0", "vm1");
    reread(&a, &b);
    doctor_trace(&b, 0, "\"ret\":\"still running: ended\",\"verdict\":\"ok\"",
                 "\"ret\":\"exited\",\"fields\":{\"code\":\"0xC0000005\"},\"verdict\":\"fail\"");
    ps_diff_runs(&a, &b, &d);
    cr_assert_eq(d.n, 1, "got %d", d.n);
    cr_assert_str_eq(d.items[0].step, "L0 S serve");
    cr_assert_str_eq(d.items[0].what, "verdict");
    ps_diff_free(&d);
    ps_run_free(&a);
    ps_run_free(&b);
}

Test(diff, finds_each_kind_of_change)
{
    ps_run a, b;
    ps_diff d;
    int i;
    make_run(&a, "Wine 8.0", "vm1");
    reread(&a, &b);
    b.cases[2].outcome = PS_PASS;                                                        /* outcome */
    doctor_trace(&b, 0, "\"error\":234,\"error_name\":\"ERROR_MORE_DATA\"",
                 "\"error\":0,\"error_name\":\"ERROR_SUCCESS\"");                          /* error */
    doctor_trace(&b, 0, "\"bytes\":\"2\"", "\"bytes\":\"3\"");                         /* second read */
    doctor_trace(&b, 1, "\"dur_ms\":101.2,\"ret\":\"FALSE\",\"error\":121,\"error_name\":\"ERROR_SEM_TIMEOUT\",\"fields\":{},"
                        "\"expected\":\"ERROR_SEM_TIMEOUT after 50ms..2000ms\",\"verdict\":\"ok\"",
                 "\"dur_ms\":1.2,\"ret\":\"FALSE\",\"error\":121,\"error_name\":\"ERROR_SEM_TIMEOUT\",\"fields\":{},"
                 "\"expected\":\"ERROR_SEM_TIMEOUT after 50ms..2000ms\",\"verdict\":\"fail\"");   /* window */
    ps_diff_runs(&a, &b, &d);
    cr_assert_eq(d.n, 4, "got %d differences", d.n);
    cr_assert_eq(count_kind(&d, PS_DIFF_OUTCOME), 1);
    for (i = 0; i < d.n; i++) {
        const ps_diff_item *it = &d.items[i];
        if (!strcmp(it->what, "error")) {
            cr_assert_str_eq(it->case_name, "busy.one");
            cr_assert_str_eq(it->step, "L9 A read");
            cr_assert_str_eq(it->a, "ERROR_MORE_DATA (234)");
            cr_assert_str_eq(it->b, "ERROR_SUCCESS (0)");
            cr_assert_str_eq(it->context, "expected: ERROR_MORE_DATA bytes=4");
        } else if (!strcmp(it->what, "fields.bytes")) {
            cr_assert_str_eq(it->step, "L9 A read (#2)", "the second run of a step pairs with the second");
            cr_assert_str_eq(it->a, "2");
            cr_assert_str_eq(it->b, "3");
        } else if (!strcmp(it->what, "verdict")) {
            cr_assert_str_eq(it->case_name, "busy.two");
            cr_assert_str_eq(it->a, "ok");
            cr_assert_str_eq(it->b, "fail");
            /* the times with the 3 decimals every report shows (the case process writes them so) */
            cr_assert(strstr(it->context, "took 101.200 ms / 1.200 ms") != NULL, "%s", it->context);
        } else {
            cr_assert_str_eq(it->what, "outcome");
            cr_assert_str_eq(it->case_name, "busy.skip");
            cr_assert_str_eq(it->a, "SKIP");
            cr_assert_str_eq(it->b, "PASS");
        }
    }
    ps_diff_free(&d);
    ps_run_free(&a);
    ps_run_free(&b);
}

Test(diff, cases_and_steps_only_on_one_side)
{
    ps_run a, b;
    ps_diff d;
    make_run(&a, "Wine 8.0", "vm1");
    reread(&a, &b);
    add_case(&b, "busy.new", 1, 3, PS_PASS, NULL, NULL);
    add_case(&a, "busy.one", 2, 0, PS_FAIL, "line 9: boom", NULL); /* iteration 2 only in A */
    doctor_trace(&b, 0, "\"line\":12,\"actor\":\"S\"", "\"line\":13,\"actor\":\"S\"");
    ps_diff_runs(&a, &b, &d);
    cr_assert_eq(d.n, 4, "got %d", d.n);
    cr_assert_eq(count_kind(&d, PS_DIFF_ONLY_A), 2);
    cr_assert_eq(count_kind(&d, PS_DIFF_ONLY_B), 2);
    cr_assert_str_eq(d.items[0].step, "L12 S pid");
    cr_assert_str_eq(d.items[1].step, "L13 S pid");
    cr_assert_str_eq(d.items[2].case_name, "busy.one #2");
    cr_assert_str_eq(d.items[3].case_name, "busy.new");
    cr_assert_eq(d.cases_both, 3);
    ps_diff_free(&d);
    ps_run_free(&a);
    ps_run_free(&b);
}

Test(diff, renderings)
{
    ps_run a, b;
    ps_diff d;
    ps_buf con, md, html;
    make_run(&a, "Wine 8.0", "vm1");
    reread(&a, &b);
    b.cases[2].outcome = PS_FAIL;
    free(b.cases[2].reason);
    b.cases[2].reason = ps_xstrdup("a <b> | c");
    ps_diff_runs(&a, &b, &d);
    cr_assert_eq(d.n, 1);
    ps_buf_init(&con);
    ps_buf_init(&md);
    ps_buf_init(&html);
    ps_diff_console(&con, &d, &a, &b, "a.json", "b.json");
    ps_diff_markdown(&md, &d, &a, &b, "a.json", "b.json");
    ps_diff_html(&html, &d, &a, &b, "a.json", "b.json");
    cr_assert(strstr(con.data, "A: a.json (Wine 8.0, machine vm1, 2026-01-02T03:04:05Z)") != NULL, "%s", con.data);
    cr_assert(strstr(con.data, "busy.skip  -     outcome  SKIP  FAIL") != NULL, "%s", con.data);
    cr_assert(strstr(con.data, "1 difference(s) in 1 case(s)") != NULL, "%s", con.data);
    cr_assert(strstr(md.data, "| busy.skip | - | outcome | SKIP | FAIL | A: needs a second machine \\| B: a \\<b\\> \\| c |") != NULL,
              "%s", md.data);
    cr_assert(strstr(html.data, "<td>SKIP</td><td>FAIL</td><td class=\"ctx\">A: needs a second machine | B: a &lt;b&gt; | c</td>") != NULL,
              "%s", html.data);
    cr_assert(strstr(html.data, "data-differences=\"1\"") != NULL);
    ps_diff_free(&d);
    ps_diff_runs(&a, &a, &d);
    ps_buf_free(&con);
    ps_buf_init(&con);
    ps_diff_console(&con, &d, &a, &a, "a.json", "a.json");
    cr_assert(strstr(con.data, "The two runs agree: 3 case(s) in both") != NULL, "%s", con.data);
    ps_diff_free(&d);
    ps_buf_free(&con);
    ps_buf_free(&md);
    ps_buf_free(&html);
    ps_run_free(&a);
    ps_run_free(&b);
}

/* ---------------------------------------------------------------- shards */

Test(shard, parse)
{
    int k, n;
    cr_assert_eq(ps_shard_parse("1/2", &k, &n), 0);
    cr_assert_eq(k, 1);
    cr_assert_eq(n, 2);
    cr_assert_eq(ps_shard_parse("7/7", &k, &n), 0);
    cr_assert_eq(ps_shard_parse("0/2", &k, &n), -1);
    cr_assert_eq(ps_shard_parse("3/2", &k, &n), -1);
    cr_assert_eq(ps_shard_parse("1/0", &k, &n), -1);
    cr_assert_eq(ps_shard_parse("1/2x", &k, &n), -1);
    cr_assert_eq(ps_shard_parse("/2", &k, &n), -1);
    cr_assert_eq(ps_shard_parse("1", &k, &n), -1);
    cr_assert_eq(ps_shard_parse("1/1001", &k, &n), -1);
}

Test(shard, every_case_in_one_balanced_shard)
{
    enum { N = 60 };
    const char *ids[N];
    char names[N][16];
    double w[N], wmax = 0;
    int shard[N], perm[N], shard2[N], i, s, nshards;
    unsigned long seed = 12345;
    for (i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "c.%02d", i);
        ids[i] = names[i];
        seed = seed * 1103515245UL + 12345UL;
        w[i] = (double)((seed >> 8) % 5000) / 10.0;
        if (i % 7 == 0) w[i] = 40; /* ties */
        if (w[i] > wmax) wmax = w[i];
    }
    for (nshards = 1; nshards <= 7; nshards++) {
        double load[8] = {0}, lo = 1e18, hi = 0;
        ps_shard_assign(ids, w, N, nshards, shard);
        for (i = 0; i < N; i++) {
            cr_assert(shard[i] >= 1 && shard[i] <= nshards);
            load[shard[i]] += w[i];
        }
        for (s = 1; s <= nshards; s++) {
            if (load[s] < lo) lo = load[s];
            if (load[s] > hi) hi = load[s];
        }
        cr_assert(hi - lo <= wmax, "%d shards: loads %.1f..%.1f differ by more than the longest case", nshards, lo, hi);
        /* the same cases in another order land in the same shards */
        {
            const char *ids2[N];
            double w2[N];
            for (i = 0; i < N; i++) perm[i] = (i * 37 + 11) % N;
            for (i = 0; i < N; i++) {
                ids2[i] = ids[perm[i]];
                w2[i] = w[perm[i]];
            }
            ps_shard_assign(ids2, w2, N, nshards, shard2);
            for (i = 0; i < N; i++) cr_assert_eq(shard2[i], shard[perm[i]], "not deterministic: %s", ids2[i]);
        }
    }
}

static ps_case *parse_case(const char *text)
{
    ps_diag d = {0};
    ps_case *c = ps_parse_case("t.case", text, &d);
    cr_assert_not_null(c, "%s", d.count ? d.msgs[0] : "");
    ps_diag_free(&d);
    return c;
}

Test(shard, estimate_from_the_steps)
{
    ps_case *c = parse_case("case t.x\ntitle x\nref docs\n\nserver S create\nclient A open\n"
                            "sleep 100ms\nclient B wait timeout=100 -> ERROR_SEM_TIMEOUT after 50ms..2000ms\n");
    cr_assert_float_eq(ps_shard_estimate_ms(c), 50.0 + 4 * 2.0 + 100 + 50, 1e-9);
    ps_case_free(c);
}

Test(shard, select_keeps_order_and_positions)
{
    ps_case *c[5];
    const ps_case *sel[5];
    int idx[5], i, k, m, seen[5] = {0};
    ps_run dur;
    char *j, err[256];
    for (i = 0; i < 5; i++) {
        char *t = ps_sprintf("case t.c%d\ntitle x\nref docs\n\nserver S create\n", i);
        c[i] = parse_case(t);
        free(t);
    }
    /* recorded durations: t.c0 is long; everything else estimates to 52 ms */
    j = ps_xstrdup("{\"report_version\": 1, \"cases\": [{\"id\": \"t.c0\", \"outcome\": \"PASS\", \"duration_ms\": 500},"
                   "{\"id\": \"t.c3\", \"outcome\": \"SKIP\", \"duration_ms\": 90000}]}");
    cr_assert_eq(ps_report_parse(j, strlen(j), "d.json", &dur, err, sizeof err), 0, "%s", err);
    for (k = 1; k <= 2; k++) {
        for (i = 0; i < 5; i++) sel[i] = c[i];
        m = ps_shard_select(sel, 5, k, 2, &dur, idx);
        if (k == 1) cr_assert_eq(m, 1, "the 500 ms case alone outweighs four of 52 ms");
        for (i = 0; i < m; i++) {
            cr_assert_eq(sel[i], c[idx[i]], "index names the case's place in the whole selection");
            if (i) cr_assert(idx[i] > idx[i - 1], "a shard keeps the selection's order");
            seen[idx[i]]++;
        }
    }
    for (i = 0; i < 5; i++) cr_assert_eq(seen[i], 1, "case %d in %d shards", i, seen[i]);
    for (i = 0; i < 5; i++) ps_case_free(c[i]);
    ps_run_free(&dur);
    free(j);
}

/* ---------------------------------------------------------------- merge */

/* run split into two shards: cases with an even index, and the rest. */
static void split(const ps_run *run, ps_run *s1, ps_run *s2)
{
    int i;
    reread(run, s1);
    reread(run, s2);
    for (i = run->ncases - 1; i >= 0; i--) {
        ps_run *drop = run->cases[i].index % 2 ? s1 : s2;
        ps_result_free(&drop->cases[i]);
        memmove(&drop->cases[i], &drop->cases[i + 1], sizeof drop->cases[0] * (size_t)(drop->ncases - i - 1));
        drop->ncases--;
    }
    s1->shard_k = 1;
    s2->shard_k = 2;
    s1->shard_n = s2->shard_n = 2;
}

Test(merge, shards_join_into_the_whole_run)
{
    ps_run whole, s1, s2, m;
    ps_run *parts[2];
    char err[512];
    ps_diff d;
    make_run(&whole, "Wine 8.0", "vm1");
    split(&whole, &s1, &s2);
    cr_assert_eq(s1.ncases, 2);
    cr_assert_eq(s2.ncases, 1);
    s2.wall_ms = 3000;
    parts[0] = &s2; /* any order */
    parts[1] = &s1;
    cr_assert_eq(ps_merge_runs(parts, 2, &m, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(err, "");
    cr_assert_eq(m.ncases, 3);
    cr_assert_str_eq(m.cases[0].id, "busy.one");
    cr_assert_str_eq(m.cases[1].id, "busy.two");
    cr_assert_str_eq(m.cases[2].id, "busy.skip");
    cr_assert_eq(m.counts[PS_XFAIL], 1);
    cr_assert_eq(m.shard_n, 0, "the merged run is whole");
    cr_assert_float_eq(m.wall_ms, 3000, 1e-9);
    cr_assert_str_eq(m.pinfo.machine, "vm1");
    ps_diff_runs(&whole, &m, &d);
    cr_assert_eq(d.n, 0);
    ps_diff_free(&d);
    ps_run_free(&m);
    /* one shard missing: merged, with a warning */
    cr_assert_eq(ps_merge_runs(parts, 1, &m, err, sizeof err), 0);
    cr_assert(strstr(err, "warning: 1 report(s) of 2 shards, holding 1 of the 3 selected cases") != NULL, "%s", err);
    ps_run_free(&m);
    ps_run_free(&s1);
    ps_run_free(&s2);
    ps_run_free(&whole);
}

Test(merge, refuses_what_does_not_join)
{
    ps_run whole, s1, s2, m;
    ps_run *parts[2];
    char err[512];
    make_run(&whole, "Wine 8.0", "vm1");
    split(&whole, &s1, &s2);
    parts[0] = &s1;
    parts[1] = &s1;
    cr_assert_eq(ps_merge_runs(parts, 2, &m, err, sizeof err), -1);
    cr_assert(strstr(err, "reports 1 and 2 are the same shard (1/2)") != NULL, "%s", err);
    s2.shard_n = 3;
    parts[1] = &s2;
    cr_assert_eq(ps_merge_runs(parts, 2, &m, err, sizeof err), -1);
    cr_assert(strstr(err, "split differently") != NULL, "%s", err);
    s2.shard_n = 2;
    free(s2.platform);
    s2.platform = ps_xstrdup("Wine 9.0");
    cr_assert_eq(ps_merge_runs(parts, 2, &m, err, sizeof err), -1);
    cr_assert(strstr(err, "different platforms") != NULL, "%s", err);
    free(s2.platform);
    s2.platform = ps_xstrdup("Wine 8.0");
    add_case(&s2, "busy.one", 1, 0, PS_PASS, NULL, NULL);
    cr_assert_eq(ps_merge_runs(parts, 2, &m, err, sizeof err), -1);
    cr_assert(strstr(err, "case \"busy.one\" (iteration 1) is in two of the reports") != NULL, "%s", err);
    ps_run_free(&s1);
    ps_run_free(&s2);
    ps_run_free(&whole);
}

static int have_tool(const char *cmd) { return system(cmd) == 0; }

Test(merge, matrix_has_a_column_per_platform)
{
    ps_run a, b;
    ps_run *cols[2];
    ps_buf h;
    make_run(&a, "Wine 8.0 on Linux, x86_64", "vm1");
    make_run(&b, "Windows 10 Pro 22H2 build 19045.3803, x86_64", "win10");
    free(b.pinfo.edition);
    b.pinfo.edition = ps_xstrdup("Windows 10 Pro 22H2 (Professional)");
    b.cases[1].outcome = PS_PASS;
    add_case(&b, "busy.only-windows", 1, 3, PS_FAIL, "expected <ok> & got \"x\"", NULL);
    cols[0] = &a;
    cols[1] = &b;
    ps_buf_init(&h);
    ps_matrix_html(&h, cols, 2);
    cr_assert(strstr(h.data, "data-platforms=\"2\" data-cases=\"4\"") != NULL);
    cr_assert(strstr(h.data, "<th class=\"platform\" id=\"platform-2\">Windows 10 Pro 22H2 build 19045.3803, x86_64"
                             "<br/><small>Windows 10 Pro 22H2 (Professional)</small><br/><small>machine win10</small>") != NULL,
              "%s", h.data);
    cr_assert(strstr(h.data, "<td class=\"none\">not run</td><td class=\"o-FAIL\"><b>FAIL</b><div class=\"msg\">line 9: "
                             "expected &lt;ok&gt; &amp; got &quot;x&quot;</div></td>") != NULL, "%s", h.data);
    cr_assert(strstr(h.data, "<tr class=\"differs\"><th class=\"case\" scope=\"row\" title=\"title of busy.two &lt;&amp;&gt;\">busy.two</th>") != NULL,
              "%s", h.data);
    cr_assert(strstr(h.data, "<tr><th class=\"case\" scope=\"row\" title=\"title of busy.one &lt;&amp;&gt;\">busy.one</th>") != NULL);
    cr_assert(strstr(h.data, "src=") == NULL && strstr(h.data, "href=") == NULL, "self-contained");
    if (have_tool("xmllint --version >/dev/null 2>&1")) {
        char dir[] = "/tmp/pipespec-matrix-XXXXXX", *path, *cmd;
        cr_assert_not_null(mkdtemp(dir));
        path = ps_sprintf("%s/matrix.html", dir);
        cr_assert_eq(ps_write_file(path, h.data, h.len), 0);
        cmd = ps_sprintf("xmllint --noout '%s' && xmllint --html --noout '%s'", path, path);
        cr_assert_eq(system(cmd), 0, "matrix.html is not well-formed");
        remove(path);
        remove(dir);
        free(cmd);
        free(path);
    }
    ps_buf_free(&h);
    ps_run_free(&a);
    ps_run_free(&b);
}

/* ---------------------------------------------------------------- command line */

Test(compare_cli, options)
{
    ps_options o;
    char err[256];
    char *a1[] = {"pipespec", "run", "--shard", "2/3", "--durations", "old/report.json", "scenarios"};
    char *a2[] = {"pipespec", "run", "--shard", "4/3"};
    char *a3[] = {"pipespec", "run", "--durations", "x.json"};
    char *a4[] = {"pipespec", "diff", "--markdown", "m.md", "a", "b"};
    cr_assert_eq(ps_cli_parse(7, a1, &o, err, sizeof err), 0, "%s", err);
    cr_assert_eq(o.shard_k, 2);
    cr_assert_eq(o.shard_n, 3);
    cr_assert_str_eq(o.durations, "old/report.json");
    cr_assert_eq(ps_cli_parse(4, a2, &o, err, sizeof err), -1);
    cr_assert(strstr(err, "--shard wants K/N") != NULL, "%s", err);
    cr_assert_eq(ps_cli_parse(4, a3, &o, err, sizeof err), -1);
    cr_assert(strstr(err, "needs --shard") != NULL, "%s", err);
    cr_assert_eq(ps_cli_parse(6, a4, &o, err, sizeof err), 0);
    cr_assert_eq(o.cmd, PS_CMD_COMPARE);
    cr_assert_eq(o.compare_argc, 5);
    cr_assert_str_eq(o.compare_argv[0], "diff");
}

static int fake_mkdir(const char *path)
{
    (void)path;
    return 0;
}

Test(compare_cli, exit_status, .init = cr_redirect_stdout)
{
    char dir[] = "/tmp/pipespec-cmp-XXXXXX", *pa, *pb, *pbad, *j;
    ps_run a, b;
    char *d_same[4], *d_diff[4], *d_bad[4], *d_one[2], *d_opt[4];
    cr_redirect_stderr();
    cr_assert_not_null(mkdtemp(dir));
    make_run(&a, "Wine 8.0", "vm1");
    reread(&a, &b);
    b.cases[0].outcome = PS_FAIL;
    pa = ps_sprintf("%s/a.json", dir);
    pb = ps_sprintf("%s/b.json", dir);
    pbad = ps_sprintf("%s/bad.json", dir);
    j = json_of(&a);
    ps_write_file(pa, j, strlen(j));
    free(j);
    j = json_of(&b);
    ps_write_file(pb, j, strlen(j));
    free(j);
    ps_write_file(pbad, "{\"report_version\": 1,", 21);
    d_same[0] = d_diff[0] = d_bad[0] = d_one[0] = d_opt[0] = "diff";
    d_same[1] = pa, d_same[2] = pa;
    d_diff[1] = pa, d_diff[2] = pb;
    d_bad[1] = pa, d_bad[2] = pbad;
    d_one[1] = pa;
    d_opt[1] = "--bogus", d_opt[2] = pa, d_opt[3] = pb;
    cr_assert_eq(ps_compare_main(3, d_same, fake_mkdir), 0);
    cr_assert_eq(ps_compare_main(3, d_diff, fake_mkdir), 1);
    cr_assert_eq(ps_compare_main(3, d_bad, fake_mkdir), 2);
    cr_assert_eq(ps_compare_main(2, d_one, fake_mkdir), 2);
    cr_assert_eq(ps_compare_main(4, d_opt, fake_mkdir), 2);
    remove(pa);
    remove(pb);
    remove(pbad);
    remove(dir);
    free(pa);
    free(pb);
    free(pbad);
    ps_run_free(&a);
    ps_run_free(&b);
}
