/* compare.h: reading reports back, and what is built on that: pipespec diff (two runs
 * compared step by step), pipespec merge (shards joined, platforms side by side in
 * matrix.html) and --shard K/N (a balanced share of the selection). Portable: the same
 * code runs in pipespec.exe and in the native pipespec_compare. See docs/COMPARE.md. */
#ifndef COMPARE_H
#define COMPARE_H
#include "psutil.h"
#include "results.h"
#include "scenario.h"
#include <stdio.h>

/* ---- reading report.json (report_read.c) */

/* Reads report.json text into run (which the caller frees with ps_run_free). name is
 * the file's name for messages. 0, or -1 with a one-line message in err
 * ("NAME:3:14: not valid JSON", "NAME: case 4 (\"busy.x\"): \"outcome\" is ..."). */
int ps_report_parse(const char *text, size_t len, const char *name, ps_run *run, char *err,
                    size_t errlen);
/* Reads path, or path/report.json when path is a folder holding one (not *.json). */
int ps_report_load(const char *path, ps_run *run, char *err, size_t errlen);
/* The run's platform for a heading: "platform, machine NAME" (malloc'ed). */
char *ps_run_label(const ps_run *run);

/* ---- diff (diff.c) */

typedef enum {
    PS_DIFF_OUTCOME,   /* the case's outcome changed */
    PS_DIFF_STEP,      /* a step's observed result changed */
    PS_DIFF_ONLY_A,    /* the case, or a step, is only in A */
    PS_DIFF_ONLY_B
} ps_diff_kind;

typedef struct {
    ps_diff_kind kind;
    char *case_name;   /* "busy.wait" or "busy.wait #2" */
    char *step;        /* "L12 A read" or NULL for the whole case */
    char *what;        /* "outcome", "error", "ret", "fields.bytes", "verdict", "case", "step" */
    char *a, *b;       /* the two values (NULL: absent) */
    char *context;     /* the expectation or the reasons, for the reader; may be NULL */
} ps_diff_item;

typedef struct {
    ps_diff_item *items;
    int n;
    int cases_a, cases_b, cases_both;
} ps_diff;

/* Compares run b against run a. Cases pair by id and iteration, steps by line, actor,
 * op and how many times that step ran before. Noise is left out: durations, times,
 * timestamps, pipe names, handles, process ids and call texts are never compared;
 * a time window is compared through the step's verdict. */
void ps_diff_runs(const ps_run *a, const ps_run *b, ps_diff *d);
void ps_diff_free(ps_diff *d);
/* The three renderings; name_a/name_b label the two sides (file names). */
void ps_diff_console(ps_buf *out, const ps_diff *d, const ps_run *a, const ps_run *b,
                     const char *name_a, const char *name_b);
void ps_diff_markdown(ps_buf *out, const ps_diff *d, const ps_run *a, const ps_run *b,
                      const char *name_a, const char *name_b);
void ps_diff_html(ps_buf *out, const ps_diff *d, const ps_run *a, const ps_run *b,
                  const char *name_a, const char *name_b);

/* ---- merge (merge.c) */

/* Joins runs of one platform (shards) into out: cases in the order of their "index"
 * (then iteration), counts recomputed, wall_ms the longest shard's. 0, or -1 with a
 * message in err (a case in two shards, runs of different platforms). */
int ps_merge_runs(ps_run *const *runs, int n, ps_run *out, char *err, size_t errlen);
/* matrix.html: cases down, platforms across, each cell the outcome and its message.
 * Self-contained (no script, no outside resource). */
void ps_matrix_html(ps_buf *out, ps_run *const *platforms, int n);

/* ---- shards (shard.c) */

/* Assigns n cases to nshards shards, balanced by weight (greedy, longest first; ties
 * by id, then the lower shard): shard_of[i] in 1..nshards. Deterministic for the same
 * ids and weights, whatever their order. */
void ps_shard_assign(const char *const *ids, const double *weights, int n, int nshards,
                     int *shard_of);
/* Parses "K/N" (1 <= K <= N <= 1000). 0, or -1. */
int ps_shard_parse(const char *s, int *k, int *n);
/* What a case is expected to take when no run recorded it: 50 ms (the case process's
 * start), 2 ms per step, every sleep, and the lower bound of every time window
 * ("after 200ms..600ms" adds 200). */
double ps_shard_estimate_ms(const ps_case *c);
/* The default number of workers for these cases on this many cores (see shard.c). */
int ps_auto_jobs(const ps_case *const *sel, int n, int cores);
/* Keeps in sel[0..n) (the selection, in order) the cases of shard k of nshards, in
 * order, and returns how many. Weights: each case's mean duration_ms in durations (a
 * report.json of an earlier run, SKIPs left out; NULL for none), else the estimate.
 * index[j] receives the position in the whole selection of the j-th kept case. */
int ps_shard_select(const ps_case **sel, int n, int k, int nshards, const ps_run *durations,
                    int *index);

/* ---- the subcommands (compare_cli.c), shared by pipespec.exe and pipespec_compare.
 * argv[0] is "diff" or "merge". mkdir_fn creates a directory (0, or -1 unless it
 * exists already). Returns the exit status: diff 0 agree, 1 differ, 2 bad input;
 * merge 0 written, 2 bad input, 1 cannot write. */
int ps_compare_main(int argc, char **argv, int (*mkdir_fn)(const char *path));
const char *ps_compare_usage(void);
#endif
