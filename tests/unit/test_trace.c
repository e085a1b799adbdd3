/* test_trace.c: the trace's one encoder and one decoder (trace.h): what the encoder
 * writes decodes to the same steps, field by field, whatever the text holds (tabs,
 * quotes, backslashes, control characters, '<', non-ASCII UTF-8, big numbers, absent
 * members); decoding and encoding again is stable; a cut-off trace keeps the entries
 * before the cut; and the case process's T lines (ps_proto_trace) are this format. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "psutil.h"
#include "results.h"
#include "trace.h"
#include "trace_fixture.h"

static ps_trace_field awkward_fields[] = {
    {"bytes", "1024", NULL},
    {"data", "a\tb \"q\" \\ back\nslash\r\x01\x1f\x7f </script>", NULL},
    {"utf8", "caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80 \xE6\xBC\xA2", NULL},
    {"", "", NULL},
    {"k\"ey\\", "v", NULL},
};

/* Steps built in memory, each with something awkward. */
static ps_trace_step *make_steps(int *n)
{
    static ps_trace_step s[5];
    memset(s, 0, sizeof s);
    /* everything present, awkward text everywhere */
    s[0].has_line = s[0].has_t_ms = s[0].has_dur_ms = s[0].has_error = s[0].has_fields = 1;
    s[0].line = 12;
    s[0].actor = "A\tB";
    s[0].op = "read";
    s[0].call = "ReadFile(\\\\.\\pipe\\x \"q\", buf[2048])\x02";
    s[0].t_ms = 1.25;
    s[0].dur_ms = 0.5;
    s[0].ret = "FALSE";
    s[0].error = 234;
    s[0].error_name = "ERROR_MORE_DATA";
    s[0].fields = awkward_fields;
    s[0].nfields = (int)(sizeof awkward_fields / sizeof awkward_fields[0]);
    s[0].expected = "ERROR_MORE_DATA bytes=1024 <x>";
    s[0].wine = "ok\n(divergence)";
    s[0].verdict = "xfail";
    s[0].note = "line one\nline two\t\xC3\xBC";
    /* big numbers */
    s[1].has_line = s[1].has_t_ms = s[1].has_dur_ms = s[1].has_error = 1;
    s[1].line = 2147483647;
    s[1].t_ms = 123456789012.125;
    s[1].dur_ms = 0;
    s[1].error = 4294967295UL;
    s[1].error_name = "4294967295";
    s[1].verdict = "fail";
    /* only a line: every optional member absent */
    s[2].has_line = 1;
    s[2].line = 0;
    /* nothing at all */
    /* s[3] stays empty */
    /* empty strings, empty fields, a negative time */
    s[4].has_line = s[4].has_t_ms = s[4].has_fields = 1;
    s[4].line = 7;
    s[4].actor = "";
    s[4].op = "";
    s[4].call = "";
    s[4].t_ms = -0.25;
    s[4].expected = "";
    s[4].verdict = "started";
    s[4].note = "";
    *n = 5;
    return s;
}

static void same_str(const char *what, int i, const char *a, const char *b)
{
    if (!a || !b) cr_assert(a == b, "step %d %s: %s vs %s", i, what, a ? a : "NULL", b ? b : "NULL");
    else cr_assert_str_eq(a, b, "step %d %s", i, what);
}

static void same_ms(const char *what, int i, double a, double b)
{
    double d = a * 1000 - b * 1000;
    cr_assert(d < 0.5 && d > -0.5, "step %d %s: %.6f vs %.6f", i, what, a, b);
}

/* The typed members of a and b are the same (times to the encoder's 3 decimals). */
static void same_step(int i, const ps_trace_step *a, const ps_trace_step *b)
{
    int k;
    cr_assert_eq(a->has_line, b->has_line, "step %d has_line", i);
    if (a->has_line) cr_assert_eq(a->line, b->line, "step %d line", i);
    same_str("actor", i, a->actor, b->actor);
    same_str("op", i, a->op, b->op);
    same_str("call", i, a->call, b->call);
    cr_assert_eq(a->has_t_ms, b->has_t_ms, "step %d has_t_ms", i);
    if (a->has_t_ms) same_ms("t_ms", i, a->t_ms, b->t_ms);
    cr_assert_eq(a->has_dur_ms, b->has_dur_ms, "step %d has_dur_ms", i);
    if (a->has_dur_ms) same_ms("dur_ms", i, a->dur_ms, b->dur_ms);
    same_str("ret", i, a->ret, b->ret);
    cr_assert_eq(a->has_error, b->has_error, "step %d has_error", i);
    if (a->has_error) cr_assert_eq(a->error, b->error, "step %d error", i);
    same_str("error_name", i, a->error_name, b->error_name);
    cr_assert_eq(a->has_fields, b->has_fields, "step %d has_fields", i);
    cr_assert_eq(a->nfields, b->nfields, "step %d nfields", i);
    for (k = 0; k < a->nfields; k++) {
        same_str("field key", i, a->fields[k].key, b->fields[k].key);
        same_str("field text", i, a->fields[k].text, b->fields[k].text);
    }
    same_str("expected", i, a->expected, b->expected);
    same_str("wine", i, a->wine, b->wine);
    same_str("verdict", i, a->verdict, b->verdict);
    same_str("note", i, a->note, b->note);
}

/* The steps as a JSON array, each from its typed members. */
static char *encode_steps(const ps_trace_step *s, int n)
{
    ps_buf b;
    int i;
    ps_buf_init(&b);
    ps_buf_addc(&b, '[');
    for (i = 0; i < n; i++) {
        if (i) ps_buf_addc(&b, ',');
        ps_trace_step_encode(&b, &s[i]);
    }
    ps_buf_addc(&b, ']');
    return ps_buf_steal(&b);
}

Test(trace, encode_then_decode_gives_the_same_steps)
{
    int n, i;
    ps_trace_step *s = make_steps(&n);
    char *text = encode_steps(s, n);
    ps_trace *t = ps_trace_decode(text);
    cr_assert_eq(t->salvaged, 0, "%s", text);
    cr_assert_eq(t->n, n);
    for (i = 0; i < n; i++) same_step(i, &s[i], &t->steps[i]);
    /* the source text of each entry is kept: the whole trace encodes to the same text */
    {
        ps_buf b;
        ps_buf_init(&b);
        ps_trace_encode(&b, t);
        cr_assert_str_eq(b.data, text);
        ps_buf_free(&b);
    }
    ps_trace_free(t);
    free(text);
}

Test(trace, decode_encode_decode_is_stable)
{
    int n, i;
    ps_trace_step *s = make_steps(&n);
    char *text = encode_steps(s, n), *again, *third;
    ps_trace *t = ps_trace_decode(text), *t2, *t3;
    again = encode_steps(t->steps, t->n); /* from the decoded members, not their source */
    cr_assert_str_eq(again, text, "encoding the decoded steps changed the text");
    t2 = ps_trace_decode(again);
    cr_assert_eq(t2->n, n);
    for (i = 0; i < n; i++) same_step(i, &t->steps[i], &t2->steps[i]);
    third = encode_steps(t2->steps, t2->n);
    cr_assert_str_eq(third, again);
    /* a trace that was not written by the encoder (numbers spelled otherwise, values of
     * any type, members it does not know) reaches a fixed point after one round */
    t3 = ps_trace_decode("[ {\"line\":1.2e1,\"t_ms\":1.5,\"error\":6,\"x\":[1,{\"y\":null}],"
                         "\"fields\":{\"n\":5,\"s\":\"caf\\u00e9\",\"o\":{\"k\":[true]}},\"verdict\":\"ok\"} ]");
    cr_assert_eq(t3->salvaged, 0);
    cr_assert_eq(t3->n, 1);
    cr_assert_eq(t3->steps[0].line, 12);
    cr_assert_str_eq(t3->steps[0].src, "{\"line\":1.2e1,\"t_ms\":1.5,\"error\":6,\"x\":[1,{\"y\":null}],"
                                       "\"fields\":{\"n\":5,\"s\":\"caf\\u00e9\",\"o\":{\"k\":[true]}},\"verdict\":\"ok\"}");
    cr_assert_str_eq(ps_trace_field_get(&t3->steps[0], "n")->text, "5");
    cr_assert_str_eq(ps_trace_field_get(&t3->steps[0], "s")->text, "caf\xC3\xA9");
    cr_assert_str_eq(ps_trace_field_get(&t3->steps[0], "s")->json, "\"caf\\u00e9\"");
    cr_assert_str_eq(ps_trace_field_get(&t3->steps[0], "o")->text, "{\"k\":[true]}");
    free(again);
    again = encode_steps(t3->steps, t3->n);
    cr_assert_str_eq(again, "[{\"line\":12,\"t_ms\":1.500,\"error\":6,\"fields\":{\"n\":5,\"s\":\"caf\\u00e9\","
                            "\"o\":{\"k\":[true]}},\"verdict\":\"ok\"}]");
    ps_trace_free(t2);
    t2 = ps_trace_decode(again);
    free(third);
    third = encode_steps(t2->steps, t2->n);
    cr_assert_str_eq(third, again);
    ps_trace_free(t);
    ps_trace_free(t2);
    ps_trace_free(t3);
    free(text);
    free(again);
    free(third);
}

Test(trace, a_cut_trace_keeps_the_entries_before_the_cut)
{
    int n, cut, i;
    ps_trace_step *s = make_steps(&n);
    char *text = encode_steps(s, n), *prefix = encode_steps(s, n - 1);
    size_t len = strlen(text), last = strlen(prefix) - 1; /* where the last entry's ',' is */
    /* every cut inside the last entry: the others are kept, the trace flagged */
    for (cut = (int)last; cut < (int)len - 1; cut++) {
        char *part = ps_xstrndup(text, (size_t)cut);
        ps_trace *t = ps_trace_decode(part);
        cr_assert_eq(t->salvaged, 1, "not flagged when cut at %d: %s", cut, part);
        cr_assert_eq(t->n, n - 1, "%d steps when cut at %d: %s", t->n, cut, part);
        for (i = 0; i < n - 1; i++) same_step(i, &s[i], &t->steps[i]);
        ps_trace_free(t);
        free(part);
    }
    /* the whole text with its ']' missing: all entries, flagged */
    {
        char *part = ps_xstrndup(text, len - 1);
        ps_trace *t = ps_trace_decode(part);
        cr_assert_eq(t->salvaged, 1);
        cr_assert_eq(t->n, n);
        ps_trace_free(t);
        free(part);
    }
    free(prefix);
    free(text);
}

Test(trace, odd_texts_are_salvaged_not_refused)
{
    static const struct {
        const char *text;
        int n, salvaged;
    } cases[] = {
        {NULL, 0, 0},           {"[]", 0, 0},          {" [ ] ", 0, 0},     {"", 0, 1},
        {"garbage", 0, 1},      {"{\"line\":1}", 0, 1}, {"[1, 2]", 0, 1},    {"[1, {\"line\":2}]", 1, 1},
        {"[{\"a\":1}] x", 1, 1}, {"[{\"a\":1},]", 1, 1}, {"[{\"a\":01}]", 0, 1}, {"[{}]", 1, 0},
        {"[{\"a\":\"\x01\"}]", 0, 1},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ps_trace *t = ps_trace_decode(cases[i].text);
        cr_assert_eq(t->n, cases[i].n, "%s: %d steps", cases[i].text ? cases[i].text : "NULL", t->n);
        cr_assert_eq(t->salvaged, cases[i].salvaged, "%s", cases[i].text ? cases[i].text : "NULL");
        ps_trace_free(t);
    }
}

Test(trace, members_of_another_type_count_as_absent)
{
    ps_trace *t = ps_trace_decode("[{\"line\":-1,\"actor\":5,\"op\":null,\"call\":[\"x\"],\"t_ms\":\"1\","
                                  "\"error\":4294967296,\"error_name\":false,\"fields\":\"x\",\"verdict\":\"ok\"},"
                                  "{\"line\":1.5,\"error\":2.5,\"dur_ms\":null}]");
    const ps_trace_step *s;
    cr_assert_eq(t->salvaged, 0);
    cr_assert_eq(t->n, 2);
    s = &t->steps[0];
    cr_assert_eq(s->has_line, 0);
    cr_assert_null(s->actor);
    cr_assert_null(s->op);
    cr_assert_null(s->call);
    cr_assert_eq(s->has_t_ms, 0);
    cr_assert_eq(s->has_error, 0);
    cr_assert_null(s->error_name);
    cr_assert_eq(s->has_fields, 0);
    cr_assert_str_eq(s->verdict, "ok");
    s = &t->steps[1];
    cr_assert_eq(s->has_line, 0);
    cr_assert_eq(s->has_error, 0);
    cr_assert_eq(s->has_dur_ms, 0);
    ps_trace_free(t);
}

Test(trace, invalid_utf8_is_repaired_before_decoding)
{
    ps_trace *t = ps_trace_decode("[{\"call\":\"a\xFF\xC3(b\",\"verdict\":\"ok\"}]");
    cr_assert_eq(t->salvaged, 0);
    cr_assert_eq(t->n, 1);
    cr_assert_str_eq(t->steps[0].call, "a\xEF\xBF\xBD\xEF\xBF\xBD(b");
    cr_assert_str_eq(t->steps[0].src, "{\"call\":\"a\xEF\xBF\xBD\xEF\xBF\xBD(b\",\"verdict\":\"ok\"}");
    ps_trace_free(t);
}

Test(trace, the_case_process_writes_this_format)
{
    ps_actual act;
    ps_trace_entry e;
    ps_buf b;
    ps_result r;
    ps_child_reader cr;
    const ps_trace *t;
    fixture_read_entry(&e, &act, "data", "a\tb \"c\" <d>");
    e.verdict = "fail";
    ps_buf_init(&b);
    ps_proto_trace(&b, &e);
    e.timed = 0;
    e.line = 13;
    e.t_ms = NAN; /* was "nan" (not JSON) with printf */
    e.note = "n";
    ps_proto_trace(&b, &e);
    e.timed = 1;
    e.line = 14;
    e.error = 0xDEADBEEFUL; /* no name: its digits */
    e.t_ms = 2;
    e.actual = NULL;
    ps_proto_trace(&b, &e);
    cr_assert_str_eq(b.data,
                     "T\t{\"line\":12,\"actor\":\"A\",\"op\":\"read\",\"call\":\"ReadFile(A, buf[2048])\",\"t_ms\":1.500,"
                     "\"dur_ms\":0.250,\"ret\":\"FALSE\",\"error\":234,\"error_name\":\"ERROR_MORE_DATA\","
                     "\"fields\":{\"bytes\":\"58\",\"data\":\"a\\tb \\\"c\\\" \\u003cd>\"},"
                     "\"expected\":\"ERROR_MORE_DATA bytes=58\",\"verdict\":\"fail\"}\n"
                     "T\t{\"line\":13,\"actor\":\"A\",\"op\":\"read\",\"call\":\"ReadFile(A, buf[2048])\",\"t_ms\":0.000,"
                     "\"expected\":\"ERROR_MORE_DATA bytes=58\",\"verdict\":\"fail\",\"note\":\"n\"}\n"
                     "T\t{\"line\":14,\"actor\":\"A\",\"op\":\"read\",\"call\":\"ReadFile(A, buf[2048])\",\"t_ms\":2.000,"
                     "\"dur_ms\":0.250,\"ret\":\"FALSE\",\"error\":3735928559,\"error_name\":\"3735928559\","
                     "\"fields\":{},\"expected\":\"ERROR_MORE_DATA bytes=58\",\"verdict\":\"fail\",\"note\":\"n\"}\n");
    /* and the runner's reader hands the same steps to the reports */
    memset(&r, 0, sizeof r);
    ps_child_reader_init(&cr, &r);
    ps_child_reader_feed(&cr, b.data, (unsigned long)b.len);
    ps_child_reader_finish(&cr, 0, 0, 1000.0);
    t = ps_result_trace(&r);
    cr_assert_eq(t, ps_result_trace(&r), "decoded more than once");
    cr_assert_eq(t->salvaged, 0);
    cr_assert_eq(t->n, 3);
    cr_assert_eq(t->steps[0].line, 12);
    cr_assert_eq(t->steps[0].error, 234);
    cr_assert_str_eq(t->steps[0].error_name, "ERROR_MORE_DATA");
    cr_assert_str_eq(ps_trace_field_get(&t->steps[0], "bytes")->text, "58");
    cr_assert_str_eq(ps_trace_field_get(&t->steps[0], "data")->text, "a\tb \"c\" <d>");
    cr_assert_eq(t->steps[1].has_error, 0);
    cr_assert_eq(t->steps[1].has_fields, 0);
    cr_assert_str_eq(t->steps[1].note, "n");
    cr_assert_eq(t->steps[2].error, 0xDEADBEEFUL);
    cr_assert_eq(t->steps[2].has_fields, 1);
    cr_assert_eq(t->steps[2].nfields, 0);
    ps_result_free(&r);
    ps_buf_free(&b);
}

Test(trace, a_case_process_killed_mid_line_leaves_a_salvaged_trace)
{
    ps_trace_entry e;
    ps_buf b;
    ps_result r;
    ps_child_reader cr;
    const ps_trace *t;
    memset(&e, 0, sizeof e);
    e.line = 9;
    e.actor = "A";
    e.op = "connect";
    e.call = "ConnectNamedPipe(A)";
    e.verdict = "ok";
    ps_buf_init(&b);
    ps_proto_trace(&b, &e);
    e.line = 10;
    ps_proto_trace(&b, &e);
    memset(&r, 0, sizeof r);
    ps_child_reader_init(&cr, &r);
    ps_child_reader_feed(&cr, b.data, (unsigned long)(b.len - 20)); /* killed mid-line */
    ps_child_reader_finish(&cr, 1, 1, 1000.0);
    t = ps_result_trace(&r);
    cr_assert_eq(r.outcome, PS_TIMEOUT);
    cr_assert_eq(t->salvaged, 1, "%s", r.trace_json);
    cr_assert_eq(t->n, 1);
    cr_assert_eq(t->steps[0].line, 9);
    cr_assert_str_eq(t->steps[0].call, "ConnectNamedPipe(A)");
    ps_result_free(&r);
    ps_buf_free(&b);
}
