/* Command line, selection, the child protocol reader, error names, the DACL lint. */
#include <criterion/criterion.h>
#include <string.h>
#include "acl.h"
#include "cli.h"
#include "errors.h"
#include "psutil.h"
#include "results.h"

static int parse(ps_options *o, char *err, int argc, ...)
{
    char *argv[32];
    va_list ap;
    int i;
    va_start(ap, argc);
    argv[0] = "pipespec";
    for (i = 1; i <= argc; i++) argv[i] = va_arg(ap, char *);
    va_end(ap);
    return ps_cli_parse(argc + 1, argv, o, err, 256);
}

Test(cli, defaults_and_options)
{
    ps_options o;
    char err[256];
    cr_assert_eq(parse(&o, err, 0), 0);
    cr_assert_eq(o.cmd, PS_CMD_RUN);
    cr_assert_eq(o.repeat, 1);
    cr_assert_eq(o.timeout_ms, 10000);
    cr_assert_eq(parse(&o, err, 12, "run", "--jobs", "3", "--select", "busy.*", "--strict",
                       "--repeat", "10", "--report-dir", "out", "a.case", "dir"), 0);
    cr_assert_eq(o.jobs, 3);
    cr_assert_eq(o.repeat, 10);
    cr_assert(o.strict);
    cr_assert_str_eq(o.select[0], "busy.*");
    cr_assert_str_eq(o.report_dir, "out");
    cr_assert_eq(o.npaths, 2);
    cr_assert_eq(parse(&o, err, 2, "list", "--json"), 0);
    cr_assert_eq(o.cmd, PS_CMD_LIST);
    cr_assert(o.json);
    cr_assert_eq(parse(&o, err, 3, "stress", "--clients", "4"), 0);
    cr_assert_eq(o.cmd, PS_CMD_STRESS);
    cr_assert_eq(o.stress_argc, 2);
}

Test(cli, usage_errors)
{
    ps_options o;
    char err[256];
    cr_assert_eq(parse(&o, err, 1, "--bogus"), -1);
    cr_assert_str_eq(err, "unknown option '--bogus'");
    cr_assert_eq(parse(&o, err, 2, "--jobs", "0"), -1);
    cr_assert_str_eq(err, "option --jobs wants a whole number from 1 to 64, not '0'");
    cr_assert_eq(parse(&o, err, 1, "--select"), -1);
    cr_assert_str_eq(err, "option --select needs a value");
    cr_assert_eq(parse(&o, err, 2, "--timeout-scale", "x"), -1);
    cr_assert_eq(parse(&o, err, 4, "--server-cmd", "a", "--server-pipe", "b"), -1);
    cr_assert_str_eq(err, "--server-cmd and --server-pipe exclude each other");
    cr_assert_not_null(strstr(ps_cli_usage(), "Exit status: 0"));
}

Test(cli, selection)
{
    ps_options o;
    char err[256];
    parse(&o, err, 4, "--select", "busy.*", "--exclude", "*slow*");
    cr_assert(ps_cli_selected(&o, "busy.wait", "busy timing"));
    cr_assert_not(ps_cli_selected(&o, "names.x", "names"));
    cr_assert_not(ps_cli_selected(&o, "busy.slow-wait", "busy"));
    cr_assert_not(ps_cli_selected(&o, "busy.wait", "busy slow"));
    parse(&o, err, 2, "--select", "timing");
    cr_assert(ps_cli_selected(&o, "names.x", "names timing"));
    parse(&o, err, 0);
    cr_assert(ps_cli_selected(&o, "anything", NULL));
}

Test(util, glob)
{
    cr_assert(ps_glob("busy.*", "busy.wait"));
    cr_assert(ps_glob("*wait*", "busy.wait-timeout"));
    cr_assert(ps_glob("a?c", "abc"));
    cr_assert_not(ps_glob("a?c", "abbc"));
    cr_assert_not(ps_glob("busy.*", "names.busy"));
    cr_assert(ps_glob("*", ""));
}

Test(errors, names_and_numbers)
{
    unsigned long c;
    char buf[64];
    cr_assert_str_eq(ps_error_name(231), "ERROR_PIPE_BUSY");
    cr_assert_null(ps_error_name(99999));
    cr_assert_eq(ps_error_parse("ERROR_MORE_DATA", &c), 0);
    cr_assert_eq(c, 234);
    cr_assert_eq(ps_error_parse("ok", &c), 0);
    cr_assert_eq(c, 0);
    cr_assert_eq(ps_error_parse("0xe7", &c), 0);
    cr_assert_eq(c, 231);
    cr_assert_eq(ps_error_parse("ERROR_NOPE", &c), -1);
    cr_assert_str_eq(ps_error_format(109, buf, sizeof buf), "ERROR_BROKEN_PIPE (109)");
    cr_assert_str_eq(ps_error_format(4242, buf, sizeof buf), "error 4242");
}

Test(child_reader, verdict_trace_and_chunking)
{
    ps_result r;
    ps_child_reader cr;
    const char *out = "S\t5\tclient A open\nT\t{\"line\":5}\nD\t7\tknown Wine divergence: x\n"
                      "T\t{\"line\":7}\nR\tXFAIL\t7\tline 7: known\n";
    size_t i;
    memset(&r, 0, sizeof r);
    ps_child_reader_init(&cr, &r);
    for (i = 0; i < strlen(out); i += 3) /* any chunking */
        ps_child_reader_feed(&cr, out + i, (unsigned long)(strlen(out) - i < 3 ? strlen(out) - i : 3));
    ps_child_reader_finish(&cr, 0, 0, 1000);
    cr_assert_eq(r.outcome, PS_XFAIL);
    cr_assert_eq(r.line, 7);
    cr_assert_str_eq(r.reason, "line 7: known");
    cr_assert_str_eq(r.trace_json, "[{\"line\":5},{\"line\":7}]");
    cr_assert_str_eq(r.divergences, "7: known Wine divergence: x\n");
    ps_result_free(&r);
}

Test(child_reader, timeout_names_the_step)
{
    ps_result r;
    ps_child_reader cr;
    const char *out = "S\t6\tserver S connect\r\n";
    memset(&r, 0, sizeof r);
    ps_child_reader_init(&cr, &r);
    ps_child_reader_feed(&cr, out, (unsigned long)strlen(out));
    ps_child_reader_finish(&cr, 1, 0, 1500);
    cr_assert_eq(r.outcome, PS_TIMEOUT);
    cr_assert_eq(r.line, 6);
    cr_assert_str_eq(r.reason, "case did not finish within 1500 ms; hung on line 6: server S connect");
    ps_result_free(&r);
}

Test(child_reader, crash_without_verdict)
{
    ps_result r;
    ps_child_reader cr;
    memset(&r, 0, sizeof r);
    ps_child_reader_init(&cr, &r);
    ps_child_reader_feed(&cr, "S\t9\tdebug crash\n", 15);
    ps_child_reader_finish(&cr, 0, 0xC0000005UL, 1000);
    cr_assert_eq(r.outcome, PS_ERROR);
    cr_assert_str_eq(r.reason, "case process crashed with exception 0xC0000005 during: debug crash");
    cr_assert_str_eq(r.trace_json, "[]");
    ps_result_free(&r);
    memset(&r, 0, sizeof r);
    ps_child_reader_init(&cr, &r);
    ps_child_reader_finish(&cr, 0, 3, 1000);
    cr_assert_str_eq(r.reason, "case process exited with code 3 and no verdict");
    ps_result_free(&r);
}

Test(outcomes, exit_status)
{
    ps_run run;
    ps_result cases[3];
    memset(&run, 0, sizeof run);
    memset(cases, 0, sizeof cases);
    run.cases = cases;
    run.ncases = 3;
    cases[0].outcome = PS_PASS;
    cases[1].outcome = PS_XFAIL;
    cases[2].outcome = PS_SKIP;
    cr_assert_eq(ps_run_exit_status(&run), 0);
    cases[2].outcome = PS_XPASS;
    cr_assert_eq(ps_run_exit_status(&run), 1);
    cases[2].outcome = PS_TIMEOUT;
    cr_assert_eq(ps_run_exit_status(&run), 1);
    ps_run_count(&run);
    cr_assert_eq(run.counts[PS_TIMEOUT], 1);
    cr_assert_eq(run.counts[PS_PASS], 1);
}

Test(acl, sample_dacl)
{
    /* D:(A;OICI;GRGW;;;AU)(A;OICI;GA;;;BA) */
    ps_ace aces[] = {{0, 0x80000000UL | 0x40000000UL, "S-1-5-11"}, {0, 0x10000000UL, "S-1-5-32-544"}};
    cr_assert(ps_dacl_grants(1, aces, 2, ps_identity_sids("authenticated"), ps_rights_mask("readwrite")));
    /* generic write includes FILE_CREATE_PIPE_INSTANCE (FILE_APPEND_DATA): the sample's latent defect */
    cr_assert(ps_dacl_grants(1, aces, 2, ps_identity_sids("authenticated"), ps_rights_mask("create_instance")));
    cr_assert_not(ps_dacl_grants(1, aces, 2, ps_identity_sids("authenticated"), ps_rights_mask("all")));
    cr_assert(ps_dacl_grants(1, aces, 2, ps_identity_sids("administrators"), ps_rights_mask("all")));
    cr_assert_not(ps_dacl_grants(1, aces, 2, ps_identity_sids("everyone"), ps_rights_mask("read")));
    cr_assert_not(ps_dacl_grants(1, aces, 2, ps_identity_sids("anonymous"), ps_rights_mask("read")));
}

Test(acl, deny_order_null_and_empty)
{
    ps_ace deny_first[] = {{1, PS_FILE_GENERIC_WRITE, "S-1-1-0"}, {0, 0x10000000UL, "S-1-1-0"}};
    ps_ace allow_first[] = {{0, 0x10000000UL, "S-1-1-0"}, {1, PS_FILE_GENERIC_WRITE, "S-1-1-0"}};
    const char *const *ev = ps_identity_sids("everyone");
    cr_assert_not(ps_dacl_grants(1, deny_first, 2, ev, ps_rights_mask("write")));
    cr_assert(ps_dacl_grants(1, deny_first, 2, ev, 0x1UL)); /* FILE_READ_DATA alone */
    cr_assert(ps_dacl_grants(1, allow_first, 2, ev, ps_rights_mask("write"))); /* order matters */
    cr_assert(ps_dacl_grants(0, NULL, 0, ev, ps_rights_mask("all")));          /* NULL DACL */
    cr_assert_not(ps_dacl_grants(1, NULL, 0, ev, ps_rights_mask("read")));     /* empty DACL */
    cr_assert_null(ps_identity_sids("martians"));
}

Test(cli, split_cmdline_windows_rules)
{
    int n;
    char **v = ps_split_cmdline("\"C:\\Program Files\\x.exe\" a  \"b c\" d\\\\\"e f\" g\\h \\\\\\\"q \"\"", &n);
    cr_assert_eq(n, 7);
    cr_assert_str_eq(v[0], "C:\\Program Files\\x.exe");
    cr_assert_str_eq(v[1], "a");
    cr_assert_str_eq(v[2], "b c");
    cr_assert_str_eq(v[3], "d\\e f");
    cr_assert_str_eq(v[4], "g\\h");
    cr_assert_str_eq(v[5], "\\\"q");
    cr_assert_str_eq(v[6], ""); /* "" is an empty argument */
    cr_assert_null(v[7]);
    ps_free_argv(v);
    v = ps_split_cmdline("   ", &n);
    cr_assert_eq(n, 0);
    ps_free_argv(v);
}

Test(cli, quote_arg_round_trips)
{
    const char *args[] = {"plain", "with space", "quote\"inside", "trailing\\", "back\\\\slash\\\"q",
                          "C:\\Program Files\\x.exe", "", "\\\\server\\pipe\\{pipe}"};
    size_t i;
    ps_buf b;
    char **v;
    int n;
    ps_buf_init(&b);
    for (i = 0; i < sizeof args / sizeof args[0]; i++) {
        if (i) ps_buf_addc(&b, ' ');
        ps_quote_arg(&b, args[i]);
    }
    v = ps_split_cmdline(b.data, &n);
    cr_assert_eq(n, (int)(sizeof args / sizeof args[0]), "%s", b.data);
    for (i = 0; i < sizeof args / sizeof args[0]; i++) cr_assert_str_eq(v[i], args[i]);
    ps_free_argv(v);
    ps_buf_free(&b);
}
