/* Parser: valid input, and every kind of error message with its line and column. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "scenario.h"
#include "expect.h"

static const char *HEAD = "case t.x\ntitle T\nref R\n";

static ps_case *parse(const char *body, ps_diag *d)
{
    static char text[8192];
    snprintf(text, sizeof text, "%s%s", HEAD, body);
    memset(d, 0, sizeof *d);
    return ps_parse_case("f.case", text, d);
}

/* Parses body, expects exactly one error, and checks it equals want. */
static void expect_error(const char *body, const char *want)
{
    ps_diag d;
    ps_case *c = parse(body, &d);
    cr_assert_null(c, "expected a parse error for: %s", body);
    cr_assert_geq(d.count, 1);
    cr_assert_str_eq(d.msgs[0], want);
    ps_diag_free(&d);
}

Test(parser, full_case)
{
    ps_diag d;
    ps_case *c = parse("tags busy timing\ncovers 2 4\ntimeout 3s\nrequires !windows\n"
                       "server S create instances=1 type=message read=message # comment\n"
                       "server S connect &\n"
                       "client A open -> ok\n"
                       "await S\n"
                       "client B wait timeout=200 -> ERROR_SEM_TIMEOUT|121 after 150ms..2s\n"
                       "client A write text=\"Default request from client\"\n"
                       "server S read size=2048 -> ok bytes=56 text=\"Default request from client\" wine: ERROR_MORE_DATA bytes=1..55 \"why not\"\n",
                       &d);
    cr_assert_not_null(c, "%s", d.count ? d.msgs[0] : "");
    cr_assert_str_eq(c->id, "t.x");
    cr_assert_str_eq(c->tags, "busy timing");
    cr_assert_eq(c->ncovers, 2);
    cr_assert_eq(c->covers[1], 4);
    cr_assert_eq(c->timeout_ms, 3000);
    cr_assert_str_eq(c->requires, "!windows");
    cr_assert_eq(c->nsteps, 7);
    cr_assert_eq(c->steps[0].role, PS_ROLE_SERVER);
    cr_assert_str_eq(ps_arg_get(&c->steps[0], "type"), "message");
    cr_assert_eq(c->steps[1].background, 1);
    cr_assert_eq(c->steps[3].role, PS_ROLE_NONE);
    cr_assert_str_eq(c->steps[3].op, "await");
    cr_assert_eq(c->steps[4].expect.nalts, 2);
    cr_assert_eq(c->steps[4].expect.alts[0], 121);
    cr_assert_eq(c->steps[4].expect.has_time, 1);
    cr_assert_eq(c->steps[4].expect.t_min_ms, 150);
    cr_assert_eq(c->steps[4].expect.t_max_ms, 2000);
    cr_assert_str_eq(ps_arg_get(&c->steps[5], "text"), "Default request from client");
    cr_assert_eq(c->steps[6].expect.nfields, 2);
    cr_assert_str_eq(c->steps[6].expect.fields[1].value, "Default request from client");
    cr_assert(c->steps[6].wine.present);
    cr_assert_eq(c->steps[6].wine.alts[0], 234);
    cr_assert_str_eq(c->steps[6].wine.reason, "why not");
    cr_assert_eq(c->steps[6].line, 14);
    ps_case_free(c);
}

Test(parser, escaped_quotes_and_hash_inside_values)
{
    ps_diag d;
    ps_case *c = parse("server S create name=\"\\\\.\\pipe\\{pipe}a<>*?|\\\"/b#c\"\n", &d);
    cr_assert_not_null(c, "%s", d.count ? d.msgs[0] : "");
    cr_assert_str_eq(ps_arg_get(&c->steps[0], "name"), "\\\\.\\pipe\\{pipe}a<>*?|\"/b#c");
    ps_case_free(c);
}

Test(parser, missing_headers)
{
    ps_diag d;
    memset(&d, 0, sizeof d);
    cr_assert_null(ps_parse_case("g.case", "server S create\n", &d));
    cr_assert_eq(d.count, 3);
    cr_assert_str_eq(d.msgs[0], "g.case:1:1: error: found no 'case ID' line, expected one at the top");
    cr_assert_str_eq(d.msgs[1], "g.case:1:1: error: found no 'title' line, expected a one-line title");
    cr_assert_str_eq(d.msgs[2], "g.case:1:1: error: found no 'ref' line, expected the source of the expected behaviour");
    ps_diag_free(&d);
}

Test(parser, no_steps)
{
    expect_error("", "f.case:1:1: error: found no steps, expected at least one");
}

Test(parser, errors_name_line_and_column)
{
    expect_error("server S create instances=x\n",
                 "f.case:4:17: error: found 'x' for instances, expected a number (decimal, or 0x... hex) up to 4294967295 or unlimited");
    expect_error("client A opne\n",
                 "f.case:4:10: error: found 'opne', expected an operation (see docs/LANGUAGE.md)");
    expect_error("client A read size=1 -> ERROR_FOO\n",
                 "f.case:4:25: error: found 'ERROR_FOO', expected ok, fail, an error name such as ERROR_PIPE_BUSY, or a number");
    expect_error("client A read sise=1\n",
                 "f.case:4:15: error: found unknown argument 'sise' for read, expected one of: size, overlapped");
    expect_error("client A read size=lots\n",
                 "f.case:4:15: error: found 'lots' for size, expected a size in bytes (decimal: 1024, 64k, 1m) up to 4294967295");
    expect_error("client A create\n",
                 "f.case:4:10: error: found 'create' for a client, expected an operation that a client can do");
    expect_error("server S create type=stream\n",
                 "f.case:4:17: error: found 'stream' for type, expected one of byte|message");
    expect_error("server S create first=maybe\n",
                 "f.case:4:17: error: found 'maybe' for first, expected 1 or 0");
    expect_error("client A wait timeout=soon\n",
                 "f.case:4:15: error: found 'soon' for timeout, expected milliseconds (200, 200ms, 5s) or default|forever");
}

Test(parser, expectation_errors)
{
    expect_error("client A open ->\n",
                 "f.case:4:15: error: found the end of the line, expected a result after '->' (ok, ERROR_NAME, a number, or fail)");
    expect_error("client A read -> ok bites=3\n",
                 "f.case:4:21: error: found unknown result field 'bites' for read, expected one of: bytes text");
    expect_error("client A wait -> ok after 5..1\n",
                 "f.case:4:27: error: found '5..1', expected a time window such as 200ms..600ms");
    expect_error("client A open -> ok wine: ERROR_ACCESS_DENIED\n",
                 "f.case:4:46: error: found the end of the line, expected the divergence's reason as a \"quoted string\"");
    expect_error("client A open wine: ok \"x\"\n",
                 "f.case:4:15: error: found 'wine:' without a Windows expectation, expected '-> RESULT' before it");
    expect_error("client A open -> ok stray\n",
                 "f.case:4:21: error: found 'stray', expected a field check key=value or 'after LO..HI'");
}

Test(parser, structure_errors)
{
    expect_error("server S create\ntitle again\n",
                 "f.case:5:1: error: found header 'title' after the first step, expected headers at the top");
    expect_error("server 9S create\n",
                 "f.case:4:8: error: found an invalid name, expected an actor name (a letter, then letters, digits or _)");
    expect_error("server S\n",
                 "f.case:4:9: error: found the end of the line, expected an operation after 'server S'");
    expect_error("server S create\nclient S open\n",
                 "f.case:5:8: error: found actor 'S' as a client, expected a server as earlier in the case");
    expect_error("server S create\nawait S\n",
                 "f.case:5:7: error: found 'S', expected an actor with a background step ('&') earlier in the case");
    expect_error("sleep soon\n", "f.case:4:7: error: found soon, expected a duration (100ms, 2s)");
    expect_error("debug explode\n", "f.case:4:7: error: found explode, expected crash, hang or leak");
    expect_error("server S create name=\"abc\n",
                 "f.case:4:22: error: found an unterminated string, expected a closing '\"'");
    expect_error("server S create name={pipes}\n",
                 "f.case:4:17: error: found unknown variable '{pipes}', expected one of {pipe} {computer} {host} {bin} {srcdir} {reference_server} {reference_client} {server_cmd} {client_cmd} {clients}");
    expect_error("frobnicate\n",
                 "f.case:4:1: error: found 'frobnicate', expected a header (case, title, ref, tags, covers, requires, timeout), an actor step (server|client|proc NAME OP ...) or a statement (sleep, await, pending, debug)");
    expect_error("server S create\nserver S write size=1 & &\n",
                 "f.case:5:25: error: found '&', expected the end of the step");
}

Test(parser, header_errors)
{
    ps_diag d;
    memset(&d, 0, sizeof d);
    cr_assert_null(ps_parse_case("h.case", "case bad id!\ntitle x\nref y\ncovers 0 x\nrequires moon\ntimeout -1\nserver S create\n", &d));
    cr_assert_eq(d.count, 5);
    cr_assert_str_eq(d.msgs[0], "h.case:1:10: error: found 'id!' after the case id, expected the end of the line");
    cr_assert_str_eq(d.msgs[1], "h.case:4:8: error: found '0', expected a BEHAVIOUR.md row number");
    cr_assert_str_eq(d.msgs[2], "h.case:4:10: error: found 'x', expected a BEHAVIOUR.md row number");
    cr_assert_str_eq(d.msgs[3], "h.case:5:10: error: found requirement 'moon', expected one of redirector, windows, wine, admin, second-machine, server-cmd, client-cmd, server-pipe, host (or !NAME)");
    cr_assert_str_eq(d.msgs[4], "h.case:6:9: error: found '-1', expected a case timeout such as 10s");
    ps_diag_free(&d);
    cr_assert_null(ps_parse_case("h.case", "case\ntitle x\nref y\nserver S create\n", &d));
    cr_assert_str_eq(d.msgs[0], "h.case:1:5: error: found the end of the line, expected a value for 'case'");
    ps_diag_free(&d);
}

Test(parser, all_errors_are_reported)
{
    ps_diag d;
    ps_case *c = parse("server S create instances=x\nclient A opne\nclient B read size=q\n", &d);
    cr_assert_null(c);
    cr_assert_eq(d.count, 3);
    ps_diag_free(&d);
}

Test(parser, sizes_and_durations)
{
    unsigned long long n;
    long ms;
    cr_assert_eq(ps_parse_size("64k", &n), 0);
    cr_assert_eq(n, 65536);
    cr_assert_eq(ps_parse_size("1m", &n), 0);
    cr_assert_eq(n, 1048576);
    cr_assert_eq(ps_parse_size("0x400", &n), -1); /* sizes are decimal only */
    cr_assert_eq(ps_parse_size("k", &n), -1);
    cr_assert_eq(ps_parse_size("12q", &n), -1);
    cr_assert_eq(ps_parse_ms("1.5s", &ms), 0);
    cr_assert_eq(ms, 1500);
    cr_assert_eq(ps_parse_ms("200ms", &ms), 0);
    cr_assert_eq(ms, 200);
    cr_assert_eq(ps_parse_ms("200", &ms), 0);
    cr_assert_eq(ps_parse_ms("2h", &ms), -1);
}

Test(parser, title_and_ref_are_free_text)
{
    ps_diag d;
    ps_case *c;
    memset(&d, 0, sizeof d);
    c = ps_parse_case("t.case", "case a.b\ntitle An \"odd title, with a quote\nref  WT test_x; docs \"ReadFile\n"
                                "server S create\n", &d);
    cr_assert_not_null(c, "%s", d.count ? d.msgs[0] : "");
    cr_assert_str_eq(c->title, "An \"odd title, with a quote");
    cr_assert_str_eq(c->ref, "WT test_x; docs \"ReadFile");
    ps_case_free(c);
}

Test(parser, remaining_error_messages)
{
    expect_error("await 9\n", "f.case:4:7: error: found 9, expected an actor name");
    expect_error("server S create\nserver S create stray\n",
                 "f.case:5:17: error: found 'stray', expected an argument key=value, '&' or '->'");
    expect_error("case t.y\nserver S create\n", "f.case:4:1: error: found a second 'case' line, expected one per file");
    expect_error("server S create name={pipe\n",
                 "f.case:4:17: error: found '{' without '}' in \"{pipe\", expected {variable}");
    expect_error("client A read -> ok bytes=1 bytes=2 bytes=3 bytes=4 bytes=5 bytes=6 bytes=7 bytes=8 bytes=9 bytes=10 bytes=11 bytes=12 bytes=13 bytes=14 bytes=15 bytes=16 bytes=17\n",
                 "f.case:4:156: error: found more than 16 field checks, expected fewer");
    expect_error("server S disconnect -> ok x=1\n",
                 "f.case:4:27: error: found unknown result field 'x' for disconnect, expected no fields");
    expect_error("server S disconnect now=1\n",
                 "f.case:4:21: error: found unknown argument 'now' for disconnect, expected no arguments");
    expect_error("sleep 10ms &\n", "f.case:4:12: error: found '&' on a statement, expected it only on actor steps");
    expect_error("server S create\ntimeout 5s\n",
                 "f.case:5:1: error: found header 'timeout' after the first step, expected headers at the top");
}

Test(parser, id_and_timeout_errors)
{
    ps_diag d;
    memset(&d, 0, sizeof d);
    cr_assert_null(ps_parse_case("i.case", "case 9bad!\ntitle x\nref y\ntimeout soon\nserver S create\n", &d));
    cr_assert_eq(d.count, 2);
    cr_assert_str_eq(d.msgs[0], "i.case:1:6: error: found '9bad!', expected a case id of letters, digits, '.', '-' and '_' (topic.name)");
    cr_assert_str_eq(d.msgs[1], "i.case:4:9: error: found 'soon', expected a case timeout such as 10s");
    ps_diag_free(&d);
}

Test(parser, after_at_the_end_of_the_line)
{
    /* found by tests/fuzz/fuzz_parser: "after" as the last word read past the tokens */
    expect_error("client A wait -> ERROR_SEM_TIMEOUT after\n",
                 "f.case:4:36: error: found '', expected a time window such as 200ms..600ms");
}

/* Issue 9, item 3: sizes are decimal, k/m suffixed, checked for overflow and for the
 * DWORD range every Win32 size has; the old parser read 010 as 8, saturated or wrapped
 * on overflow and let 4294967296 through (then cut to a 0-byte read). */
Test(parser, sizes_are_decimal_and_bounded)
{
    unsigned long long n;
    long ms;
    cr_assert_eq(ps_parse_size("010", &n), 0);
    cr_assert_eq(n, 10);
    cr_assert_eq(ps_parse_size("4294967295", &n), 0);
    cr_assert_eq(n, 4294967295ULL);
    cr_assert_eq(ps_parse_size("4294967296", &n), -1);
    cr_assert_eq(ps_parse_size("18446744073709551616", &n), -1);
    cr_assert_eq(ps_parse_size("99999999999999999999m", &n), -1);
    cr_assert_eq(ps_parse_size("4194304k", &n), -1); /* 4 GiB */
    cr_assert_eq(ps_parse_size("4194303k", &n), 0);
    cr_assert_eq(ps_parse_size("-1", &n), -1);
    cr_assert_eq(ps_parse_size("+1", &n), -1);
    cr_assert_eq(ps_parse_size("", &n), -1);
    cr_assert_eq(ps_parse_uint("0x10", &n), 0);
    cr_assert_eq(n, 16);
    cr_assert_eq(ps_parse_uint("010", &n), 0);
    cr_assert_eq(n, 10);
    cr_assert_eq(ps_parse_uint("0x", &n), -1);
    cr_assert_eq(ps_parse_uint("0x100000000", &n), -1);
    cr_assert_eq(ps_parse_ms("0x10", &ms), -1);
    cr_assert_eq(ps_parse_ms("1e3", &ms), -1);
    cr_assert_eq(ps_parse_ms(".5s", &ms), 0);
    cr_assert_eq(ms, 500);
    cr_assert_eq(ps_parse_ms("99999999999", &ms), -1);
    expect_error("client A read size=4294967296\n",
                 "f.case:4:15: error: found '4294967296' for size, expected a size in bytes (decimal: 1024, 64k, 1m) up to 4294967295");
    expect_error("client A read size=010k0\n",
                 "f.case:4:15: error: found '010k0' for size, expected a size in bytes (decimal: 1024, 64k, 1m) up to 4294967295");
}

Test(parser, at_most_64_actors)
{
    char body[4096];
    int i, n = 0;
    for (i = 0; i < 65; i++) n += snprintf(body + n, sizeof body - (size_t)n, "server S%d create\n", i);
    expect_error(body, "f.case:68:8: error: found actor 'S64', the 65th of the case, expected at most 64 actors");
    n = 0;
    for (i = 0; i < 64; i++) n += snprintf(body + n, sizeof body - (size_t)n, "server S%d create\n", i);
    {
        ps_diag d;
        ps_case *c = parse(body, &d);
        cr_assert_not_null(c, "%s", d.count ? d.msgs[0] : "");
        ps_case_free(c);
    }
}

Test(parser, more_than_8_alternatives_is_an_error)
{
    expect_error("client A open -> ok|1|2|3|4|5|6|7|8\n",
                 "f.case:4:18: error: found more than 8 results in 'ok|1|2|3|4|5|6|7|8', expected at most 8 alternatives");
}

/* Issue 9, item 1: a background step that is never awaited would never be judged. */
Test(parser, background_steps_must_be_awaited)
{
    expect_error("server S create\nserver S connect &\nclient A open\n",
                 "f.case:5:1: error: found a background step on 'S' that is never awaited, expected 'await S' later in the case (a step never judged proves nothing)");
    expect_error("server S create\nserver S connect &\nserver S read\nawait S\n",
                 "f.case:6:8: error: found a step on 'S' while its background step of line 5 runs, expected 'await S' first");
    {
        ps_diag d;
        ps_case *c = parse("server S create\nserver S connect &\npending S\nserver S cancel\nawait S\n", &d);
        cr_assert_not_null(c, "%s", d.count ? d.msgs[0] : "");
        ps_case_free(c);
    }
}

/* Issue 12: cancelio and apc run from the script thread, so they reach a blocked actor;
 * the other new ops do not. */
Test(parser, script_thread_ops_on_busy_actor)
{
    ps_diag d;
    ps_case *c = parse("server S create\nserver S connect &\npending S\nserver S apc\nserver S cancelio nth=1\nawait S\n", &d);
    cr_assert_not_null(c, "%s", d.count ? d.msgs[0] : "");
    ps_case_free(c);
    expect_error("server S create\nserver S connect &\nserver S sleepex\nawait S\n",
                 "f.case:6:8: error: found a step on 'S' while its background step of line 5 runs, expected 'await S' first");
    expect_error("server S create\nserver S dequeue -> ok bites=1\n",
                 "f.case:5:24: error: found unknown result field 'bites' for dequeue, expected one of: key bytes call line");
}

/* Issue 9, item 4: a divergence names the Wine versions it applies to. */
Test(parser, wine_versions)
{
    ps_diag d;
    ps_case *c = parse("server S create\n"
                       "server S cancel -> ERROR_NOT_FOUND wine <10.0: ok \"nothing to cancel\"\n"
                       "server S cancel -> ERROR_NOT_FOUND wine>=9.0,<10.0: ok \"x\"\n"
                       "server S cancel -> ERROR_NOT_FOUND wine: ok \"y\"\n", &d);
    cr_assert_not_null(c, "%s", d.count ? d.msgs[0] : "");
    cr_assert_str_eq(c->steps[1].wine_when, "<10.0");
    cr_assert_str_eq(c->steps[1].wine.reason, "nothing to cancel");
    cr_assert_str_eq(c->steps[2].wine_when, ">=9.0,<10.0");
    cr_assert_null(c->steps[3].wine_when);
    cr_assert_eq(ps_wine_applies(&c->steps[1], "8.0"), 1);
    cr_assert_eq(ps_wine_applies(&c->steps[1], "9.22"), 1);
    cr_assert_eq(ps_wine_applies(&c->steps[1], "10.0"), 0);
    cr_assert_eq(ps_wine_applies(&c->steps[1], "10.0-rc1"), 0);
    cr_assert_eq(ps_wine_applies(&c->steps[1], NULL), 0);
    cr_assert_eq(ps_wine_applies(&c->steps[2], "8.0"), 0);
    cr_assert_eq(ps_wine_applies(&c->steps[2], "9.5"), 1);
    cr_assert_eq(ps_wine_applies(&c->steps[3], "10.0"), 1);
    ps_case_free(c);
    expect_error("server S create\nserver S cancel -> ERROR_NOT_FOUND wine <ten: ok \"x\"\n",
                 "f.case:5:41: error: found '<ten:', expected Wine versions such as <10.0, >=9.0 or >=9.0,<10.0 before ':'");
    cr_assert_eq(ps_version_cond("<10.0", "8.0"), 1);
    cr_assert_eq(ps_version_cond("<=10.0", "10.0"), 1);
    cr_assert_eq(ps_version_cond(">10.0", "10.0"), 0);
    cr_assert_eq(ps_version_cond("=8.0", "8.0"), 1);
    expect_error("server S create\nserver S cancel -> ERROR_NOT_FOUND wine: ok \"Wine 8.0 returns TRUE\"\n",
                 "f.case:5:45: error: found a Wine version in the divergence's reason, expected the versions in the condition (wine <10.0:) and none in the text");
    cr_assert_eq(ps_version_cond("8.0", "8.0"), -1);
    cr_assert_eq(ps_version_cond("<10.0,", NULL), -1);
}

/* A divergence per range of Wine versions: one clause each, after the first naming its
 * versions; the judge uses the one that applies. */
Test(parser, one_divergence_per_range_of_versions)
{
    ps_diag d;
    ps_actual a;
    char msg[512];
    ps_case *c = parse("server S create\n"
                       "server S cancel -> ERROR_NOT_FOUND wine <10.0: ok \"old\" wine >=10.0: ERROR_INVALID_HANDLE \"new\"\n", &d);
    cr_assert_not_null(c, "%s", d.count ? d.msgs[0] : "");
    cr_assert_eq(c->steps[1].nmore, 1);
    cr_assert_str_eq(c->steps[1].more_when[0], ">=10.0");
    cr_assert_str_eq(ps_wine_for(&c->steps[1], "8.0")->reason, "old");
    cr_assert_str_eq(ps_wine_for(&c->steps[1], "10.0")->reason, "new");
    memset(&a, 0, sizeof a);
    a.error = 6; /* ERROR_INVALID_HANDLE */
    cr_assert_eq(ps_judge_wine(&c->steps[1], ps_wine_for(&c->steps[1], "10.0"), &a, 0, 1.0, msg, sizeof msg), PS_V_XFAIL);
    cr_assert_eq(ps_judge_wine(&c->steps[1], ps_wine_for(&c->steps[1], "8.0"), &a, 0, 1.0, msg, sizeof msg), PS_V_FAIL);
    ps_case_free(c);
    expect_error("server S create\nserver S cancel -> ERROR_NOT_FOUND wine: ok \"a\" wine: fail \"b\"\n",
                 "f.case:5:49: error: found another 'wine' clause, expected at most 4, each after the first naming its versions (wine <10.0: ... wine >=10.0: ...)");
}
