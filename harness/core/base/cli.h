/* cli.h: pipespec's command line, parsed portably so it can be unit-tested. */
#ifndef CLI_H
#define CLI_H
#include "psutil.h"

typedef enum { PS_CMD_RUN, PS_CMD_LIST, PS_CMD_LINT, PS_CMD_STRESS, PS_CMD_HELP,
               PS_CMD_VERSION, PS_CMD_CHILD, PS_CMD_COMPARE, PS_CMD_REPRO, PS_CMD_REDUCE } ps_command;

#define PS_MAX_PATHS 256
#define PS_MAX_GLOBS 64
typedef struct {
    ps_command cmd;
    const char *paths[PS_MAX_PATHS];
    int npaths;
    const char *select[PS_MAX_GLOBS];
    int nselect;
    const char *exclude[PS_MAX_GLOBS];
    int nexclude;
    const char *report_dir;
    int jobs;              /* 0 = number of cores */
    int strict;
    int repeat;            /* >= 1 */
    int shuffle;
    unsigned long seed;    /* 0 = pick one (and print it) */
    int until_fail;
    double timeout_scale;  /* >= 0.1 */
    long timeout_ms;       /* default case timeout; a case's own 'timeout' wins */
    int verbose;
    int json;              /* list --json */
    int progress;          /* -1 auto, 0 off, 1 on */
    const char *server_cmd, *client_cmd, *server_pipe, *host;
    /* repro / reduce: the case is paths[0] */
    const char *out;       /* --out FILE (default: stdout for repro, CASE.reduced.case) */
    int winetest;          /* repro --style winetest */
    long budget_s;         /* reduce --budget SECONDS (default 300) */
    /* child (internal) */
    const char *child_file, *child_pipe;
    int standby;           /* --standby: read "FILE\tPIPE\tTIMEOUT" lines from stdin, run them */
    int max_cases;         /* --cases-per-process N (0: the default) */
    long child_timeout_ms;
    int shard_k, shard_n;  /* --shard K/N (run, list); 0/0 = the whole selection */
    const char *durations; /* --durations FILE: a report.json whose durations balance the shards */
    /* diff, merge: the arguments from the subcommand on, for ps_compare_main (compare.h) */
    int compare_argc;
    char **compare_argv;
    /* stress: raw remaining arguments handed to the stress parser */
    int stress_argc;
    char **stress_argv;
} ps_options;

/* Parses argv (argv[0] is the program). Returns 0 on success; on a usage error
 * returns -1 with a one-line message in err. */
int ps_cli_parse(int argc, char **argv, ps_options *o, char *err, unsigned long errlen);
const char *ps_cli_usage(void);

/* Splits a Windows command line (UTF-8) into arguments by the rules of
 * CommandLineToArgvW / the C runtime: blanks separate, "..." groups, 2n backslashes
 * before a quote are n backslashes, 2n+1 are n and a literal quote, other backslashes
 * are literal. Returns a malloc'ed NULL-terminated array (free with ps_free_argv). */
char **ps_split_cmdline(const char *cmd, int *argc);
void ps_free_argv(char **argv);
/* Appends s to b as one argument that ps_split_cmdline (and CommandLineToArgvW) reads
 * back unchanged: quoted, with quotes and the backslashes before them escaped. */
void ps_quote_arg(ps_buf *b, const char *s);

/* Is this case selected? id and its space-separated tags against --select/--exclude
 * globs (a glob matches the id or any tag). */
int ps_cli_selected(const ps_options *o, const char *id, const char *tags);
#endif
