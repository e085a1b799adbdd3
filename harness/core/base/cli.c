/* cli.c: see cli.h. */
#include "cli.h"
#include "compare.h"
#include "psutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ps_cli_usage(void)
{
    return
"usage: pipespec [run] [options] [PATH...]   run cases (files or folders; default: scenarios)\n"
"       pipespec list [--json] [options] [PATH...]   show what would run, run nothing\n"
"       pipespec lint [PATH...]                    check case files, run nothing\n"
"       pipespec stress [stress options]           load test (pipespec stress --help)\n"
"       pipespec diff [--markdown F] [--html F] A B  compare two runs (pipespec diff --help)\n"
"       pipespec merge [--out DIR] REPORT...       join shards; platforms into matrix.html\n"
"       pipespec repro CASE [--out FILE] [--style plain|winetest]\n"
"                  write the case as one standalone C program (Win32 and the C library)\n"
"       pipespec reduce CASE [--budget SECONDS] [--out FILE]\n"
"                  shrink a case that diverges here to the smallest that still does\n"
"       pipespec --help | --version\n"
"\n"
"Selection:\n"
"  --select GLOB       run cases whose id or a tag matches GLOB (repeatable)\n"
"  --exclude GLOB      skip cases whose id or a tag matches GLOB (repeatable)\n"
"  --shard K/N         only shard K of N of the selection (balanced, deterministic;\n"
"                      every case in exactly one shard); join them with pipespec merge\n"
"  --durations FILE    balance the shards by the durations in FILE (a report.json of an\n"
"                      earlier run); without it, by an estimate from each case's steps\n"
"Running:\n"
"  --jobs N            cases in parallel (default: from what the cases do, enough that\n"
"                      the others run beside the longest; at least the number of cores)\n"
"  --strict            judge by the Windows expectation alone (known divergences FAIL)\n"
"  --repeat N          run the selection N times\n"
"  --shuffle           random order; --seed N makes it repeatable\n"
"  --until-fail        repeat until a case fails (at most --repeat times, default 1000)\n"
"  --timeout MS        default per-case timeout (default 10000)\n"
"  --timeout-scale X   multiply every timeout and time window's upper bound by X\n"
"  --verbose           print each case's trace\n"
"  --no-progress       no live progress line\n"
"  --cases-per-process N  run up to N cases in turn in one case process, each only\n"
"                      while the one before left it as it found it (default 100;\n"
"                      1: a new process for every case)\n"
"Implementations under test:\n"
"  --server-cmd CMD    start CMD as the server for each case that needs one ({pipe} is\n"
"                      replaced by the case's pipe name); default selection: the server suite\n"
"  --server-pipe NAME  test a server that is already running on \\\\.\\pipe\\NAME\n"
"  --client-cmd CMD    start CMD as the client for each case (default: the client suite)\n"
"  --host HOST         open the client side as \\\\HOST\\pipe\\... (remote tests)\n"
"Reports:\n"
"  --report-dir DIR    write report.json, junit.xml, report.tap and report.html there\n"
"\n"
"Outcomes: PASS FAIL XFAIL (known divergence happened) XPASS (known divergence did not\n"
"happen) SKIP TIMEOUT ERROR.\n"
"Exit status: 0 every case met its expectation (PASS, XFAIL, SKIP); 1 any FAIL, XPASS,\n"
"TIMEOUT or ERROR; 2 usage or scenario errors, nothing ran; 3 the selection matched no case.\n";
}

static int need(int i, int argc, char **argv, char *err, unsigned long errlen)
{
    if (i + 1 >= argc) {
        snprintf(err, errlen, "option %s needs a value", argv[i]);
        return -1;
    }
    return 0;
}

static int to_int(const char *opt, const char *v, long lo, long hi, long *out, char *err,
                  unsigned long errlen)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < lo || n > hi) {
        snprintf(err, errlen, "option %s wants a whole number from %ld to %ld, not '%s'", opt, lo,
                 hi, v);
        return -1;
    }
    *out = n;
    return 0;
}

/* The subcommand: 0 when the rest of the line is another parser's (stress, diff,
 * merge), else the index of the first option. */
static int subcommand(int argc, char **argv, ps_options *o)
{
    if (!strcmp(argv[1], "run")) return 2;
    if (!strcmp(argv[1], "list")) return o->cmd = PS_CMD_LIST, 2;
    if (!strcmp(argv[1], "lint")) return o->cmd = PS_CMD_LINT, 2;
    if (!strcmp(argv[1], "repro")) return o->cmd = PS_CMD_REPRO, 2;
    if (!strcmp(argv[1], "reduce")) return o->cmd = PS_CMD_REDUCE, 2;
    if (!strcmp(argv[1], "stress")) {
        o->cmd = PS_CMD_STRESS;
        o->stress_argc = argc - 2;
        o->stress_argv = argv + 2;
        return 0;
    }
    if (!strcmp(argv[1], "diff") || !strcmp(argv[1], "merge")) {
        o->cmd = PS_CMD_COMPARE;
        o->compare_argc = argc - 1;
        o->compare_argv = argv + 1;
        return 0;
    }
    return 1;
}

/* The numeric options: 1 taken (with its value), 0 not one of them, -1 a bad value. */
static int numeric_option(const char *a, int *i, int argc, char **argv, ps_options *o, char *err,
                          unsigned long errlen)
{
    long n;
    if (!strcmp(a, "--jobs") || !strcmp(a, "-j")) {
        if (need(*i, argc, argv, err, errlen) || to_int(a, argv[*i + 1], 1, 64, &n, err, errlen)) return -1;
        o->jobs = (int)n;
        (*i)++;
    } else if (!strcmp(a, "--repeat")) {
        if (need(*i, argc, argv, err, errlen) || to_int(a, argv[*i + 1], 1, 100000, &n, err, errlen)) return -1;
        o->repeat = (int)n;
        (*i)++;
    } else if (!strcmp(a, "--seed")) {
        if (need(*i, argc, argv, err, errlen) || to_int(a, argv[*i + 1], 1, 2147483647L, &n, err, errlen)) return -1;
        o->seed = (unsigned long)n;
        (*i)++;
    } else if (!strcmp(a, "--timeout")) {
        if (need(*i, argc, argv, err, errlen) || to_int(a, argv[*i + 1], 100, 86400000L, &n, err, errlen)) return -1;
        o->timeout_ms = n;
        (*i)++;
    } else if (!strcmp(a, "--timeout-scale")) {
        char *end;
        double v;
        if (need(*i, argc, argv, err, errlen)) return -1;
        v = strtod(argv[*i + 1], &end);
        if (*end || v < 0.1 || v > 100) {
            snprintf(err, errlen, "option --timeout-scale wants a number from 0.1 to 100, not '%s'", argv[*i + 1]);
            return -1;
        }
        o->timeout_scale = v;
        (*i)++;
    } else
        return 0;
    return 1;
}

int ps_cli_parse(int argc, char **argv, ps_options *o, char *err, unsigned long errlen)
{
    int i = 1, k;
    long n;
    memset(o, 0, sizeof *o);
    o->cmd = PS_CMD_RUN;
    o->repeat = 1;
    o->timeout_scale = 1.0;
    o->timeout_ms = 10000;
    o->progress = -1;
    err[0] = 0;
    if (argc > 1 && (i = subcommand(argc, argv, o)) == 0) return 0;
    if (i < 1) i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            o->cmd = PS_CMD_HELP;
            return 0;
        } else if (!strcmp(a, "--version")) {
            o->cmd = PS_CMD_VERSION;
            return 0;
        } else if (!strcmp(a, "--select") || !strcmp(a, "--exclude")) {
            if (need(i, argc, argv, err, errlen)) return -1;
            if ((a[2] == 's' ? o->nselect : o->nexclude) >= PS_MAX_GLOBS) {
                snprintf(err, errlen, "too many %s options (at most %d)", a, PS_MAX_GLOBS);
                return -1;
            }
            if (a[2] == 's') o->select[o->nselect++] = argv[++i];
            else o->exclude[o->nexclude++] = argv[++i];
        } else if (!strcmp(a, "--shard")) {
            if (need(i, argc, argv, err, errlen)) return -1;
            if (ps_shard_parse(argv[++i], &o->shard_k, &o->shard_n) != 0) {
                snprintf(err, errlen, "option --shard wants K/N with 1 <= K <= N <= 1000, not '%s'", argv[i]);
                return -1;
            }
        } else if (!strcmp(a, "--durations")) {
            if (need(i, argc, argv, err, errlen)) return -1;
            o->durations = argv[++i];
        } else if (!strcmp(a, "--report-dir")) {
            if (need(i, argc, argv, err, errlen)) return -1;
            o->report_dir = argv[++i];
        } else if ((k = numeric_option(a, &i, argc, argv, o, err, errlen)) != 0) {
            if (k < 0) return -1;
        } else if (!strcmp(a, "--out") && (o->cmd == PS_CMD_REPRO || o->cmd == PS_CMD_REDUCE)) {
            if (need(i, argc, argv, err, errlen)) return -1;
            o->out = argv[++i];
        } else if (!strcmp(a, "--style") && o->cmd == PS_CMD_REPRO) {
            if (need(i, argc, argv, err, errlen)) return -1;
            i++;
            if (!strcmp(argv[i], "winetest")) o->winetest = 1;
            else if (strcmp(argv[i], "plain")) {
                snprintf(err, errlen, "option --style wants plain or winetest, not '%s'", argv[i]);
                return -1;
            }
        } else if (!strcmp(a, "--budget") && o->cmd == PS_CMD_REDUCE) {
            if (need(i, argc, argv, err, errlen) || to_int(a, argv[i + 1], 1, 86400, &n, err, errlen)) return -1;
            o->budget_s = n;
            i++;
        } else if (!strcmp(a, "--strict")) o->strict = 1;
        else if (!strcmp(a, "--shuffle")) o->shuffle = 1;
        else if (!strcmp(a, "--until-fail")) o->until_fail = 1;
        else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) o->verbose = 1;
        else if (!strcmp(a, "--json")) o->json = 1;
        else if (!strcmp(a, "--no-progress")) o->progress = 0;
        else if (!strcmp(a, "--progress")) o->progress = 1;
        else if (!strcmp(a, "--server-cmd") || !strcmp(a, "--client-cmd") ||
                 !strcmp(a, "--server-pipe") || !strcmp(a, "--host")) {
            if (need(i, argc, argv, err, errlen)) return -1;
            if (!strcmp(a, "--server-cmd")) o->server_cmd = argv[++i];
            else if (!strcmp(a, "--client-cmd")) o->client_cmd = argv[++i];
            else if (!strcmp(a, "--server-pipe")) o->server_pipe = argv[++i];
            else o->host = argv[++i];
        } else if (!strcmp(a, "--child")) { /* internal: one case in this process */
            if (need(i, argc, argv, err, errlen)) return -1;
            o->cmd = PS_CMD_CHILD;
            o->child_file = argv[++i];
        } else if (!strcmp(a, "--standby")) { /* internal: a case process started ahead */
            o->cmd = PS_CMD_CHILD;
            o->standby = 1;
        } else if (!strcmp(a, "--cases-per-process")) {
            if (need(i, argc, argv, err, errlen) || to_int(a, argv[i + 1], 1, 1000000L, &n, err, errlen)) return -1;
            o->max_cases = (int)n;
            i++;
        } else if (!strcmp(a, "--pipe")) {
            if (need(i, argc, argv, err, errlen)) return -1;
            o->child_pipe = argv[++i];
        } else if (!strcmp(a, "--case-timeout")) {
            if (need(i, argc, argv, err, errlen) || to_int(a, argv[i + 1], 1, 86400000L, &n, err, errlen)) return -1;
            o->child_timeout_ms = n;
            i++;
        } else if (a[0] == '-' && a[1]) {
            snprintf(err, errlen, "unknown option '%s'", a);
            return -1;
        } else {
            if (o->npaths >= PS_MAX_PATHS) {
                snprintf(err, errlen, "too many paths (at most %d)", PS_MAX_PATHS);
                return -1;
            }
            o->paths[o->npaths++] = a;
        }
    }
    if (o->server_pipe && o->server_cmd) {
        snprintf(err, errlen, "--server-cmd and --server-pipe exclude each other");
        return -1;
    }
    if (o->durations && !o->shard_n) {
        snprintf(err, errlen, "--durations balances shards: it needs --shard K/N");
        return -1;
    }
    if ((o->cmd == PS_CMD_REPRO || o->cmd == PS_CMD_REDUCE) && o->npaths != 1) {
        snprintf(err, errlen, "%s wants exactly one case file", o->cmd == PS_CMD_REPRO ? "repro" : "reduce");
        return -1;
    }
    if (o->cmd == PS_CMD_CHILD && !o->standby && !o->child_pipe) {
        snprintf(err, errlen, "--child needs --pipe");
        return -1;
    }
    return 0;
}

int ps_cli_selected(const ps_options *o, const char *id, const char *tags)
{
    int i, sel = o->nselect == 0;
    char *t = ps_xstrdup(tags ? tags : ""), *tok;
    for (i = 0; i < o->nselect && !sel; i++) {
        char *dup = ps_xstrdup(t), *save = dup;
        if (ps_glob(o->select[i], id)) sel = 1;
        for (tok = strtok(dup, " "); tok && !sel; tok = strtok(NULL, " "))
            if (ps_glob(o->select[i], tok)) sel = 1;
        free(save);
    }
    for (i = 0; i < o->nexclude && sel; i++) {
        char *dup = ps_xstrdup(t), *save = dup;
        if (ps_glob(o->exclude[i], id)) sel = 0;
        for (tok = strtok(dup, " "); tok && sel; tok = strtok(NULL, " "))
            if (ps_glob(o->exclude[i], tok)) sel = 0;
        free(save);
    }
    free(t);
    return sel;
}

char **ps_split_cmdline(const char *cmd, int *argc)
{
    char **v = ps_xcalloc(1, sizeof(char *));
    int n = 0;
    const char *p = cmd ? cmd : "";
    for (;;) {
        ps_buf a;
        int inq = 0;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        ps_buf_init(&a);
        while (*p && (inq || (*p != ' ' && *p != '\t'))) {
            if (*p == '\\') {
                size_t bs = 0;
                while (*p == '\\') bs++, p++;
                if (*p == '"') {
                    size_t k;
                    for (k = 0; k < bs / 2; k++) ps_buf_addc(&a, '\\');
                    if (bs % 2) ps_buf_addc(&a, '"'), p++;
                } else {
                    size_t k;
                    for (k = 0; k < bs; k++) ps_buf_addc(&a, '\\');
                }
            } else if (*p == '"') {
                if (inq && p[1] == '"') { /* "" inside quotes: a literal quote */
                    ps_buf_addc(&a, '"');
                    p += 2;
                } else {
                    inq = !inq;
                    p++;
                }
            } else {
                ps_buf_addc(&a, *p++);
            }
        }
        v = ps_xrealloc(v, sizeof(char *) * (size_t)(n + 2));
        v[n++] = ps_buf_steal(&a);
    }
    v[n] = NULL;
    *argc = n;
    return v;
}

void ps_free_argv(char **argv)
{
    int i;
    if (!argv) return;
    for (i = 0; argv[i]; i++) free(argv[i]);
    free(argv);
}

void ps_quote_arg(ps_buf *b, const char *s)
{
    const char *p;
    ps_buf_addc(b, '"');
    for (p = s; *p; p++) {
        int bs = 0;
        while (*p == '\\') bs++, p++;
        if (!*p) { /* backslashes before the closing quote are doubled */
            while (bs--) ps_buf_adds(b, "\\\\");
            break;
        }
        if (*p == '"') {
            while (bs--) ps_buf_adds(b, "\\\\");
            ps_buf_adds(b, "\\\"");
        } else {
            while (bs--) ps_buf_addc(b, '\\');
            ps_buf_addc(b, *p);
        }
    }
    ps_buf_addc(b, '"');
}
