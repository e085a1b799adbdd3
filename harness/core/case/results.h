/* results.h: the outcome of a run, as the report writers see it. Portable.
 *
 * Each case runs in a child process, which speaks a line protocol on its stdout
 * (proto.h has its grammar); ps_child_reader below folds those lines into a ps_result,
 * whose trace trace.h decodes (ps_result_trace). */
#ifndef RESULTS_H
#define RESULTS_H
#include "trace.h"
#include <stdio.h>

typedef enum {
    PS_PASS,
    PS_FAIL,
    PS_XFAIL,   /* a known divergence on this platform happened as recorded */
    PS_XPASS,   /* a known divergence did not happen: reported, counts as a failure */
    PS_SKIP,    /* cannot be decided here; reason says why */
    PS_TIMEOUT, /* the case hung and was killed; reason names the step */
    PS_ERROR,   /* harness or scenario fault, or the case process crashed */
    PS_OUTCOME_COUNT
} ps_outcome;

const char *ps_outcome_name(ps_outcome o); /* "PASS", "FAIL", ... */
int ps_outcome_parse(const char *s, ps_outcome *o); /* 0 ok, -1 unknown */
/* 1 when this outcome makes the run's exit status 1 (FAIL, XPASS, TIMEOUT, ERROR). */
int ps_outcome_is_bad(ps_outcome o);

typedef struct {
    char *id;          /* "busy.wait-timeout" */
    char *title;       /* one line */
    char *file;        /* path as given */
    char *ref;         /* source of the expected behaviour */
    char *tags;        /* space separated */
    char *topic;       /* first component of the id ("busy") */
    int iteration;     /* 1..N with --repeat */
    ps_outcome outcome;
    double duration_ms;
    char *reason;      /* failure message, skip reason, divergence note; may be NULL */
    int line;          /* line of the step that decided a FAIL/TIMEOUT/XFAIL, 0 if none */
    char *trace_json;  /* the trace as the case process wrote it: a JSON array of entries
                        * (trace.h); never NULL ("[]"). May be cut off: read it with
                        * ps_result_trace, not by hand */
    ps_trace *trace;   /* trace_json decoded, on first use by ps_result_trace; NULL until
                        * then. Freed with the result; replace trace_json with
                        * ps_result_set_trace, which drops it */
    char *divergences; /* newline separated "line: text" of XFAIL/XPASS steps; may be NULL */
    char *notes;       /* newline separated "line: text" of advisory differences; may be NULL */
    char *cause;       /* what a FAIL means for the program under test (a step's `else`); may be NULL */
    int noutputs;      /* what the programs the case started printed (bounded) */
    struct ps_output { char *actor, *exit, *text; } *outputs;
    int index;         /* position in the whole selection (before --shard), from 0 */
    struct {
        unsigned long pid; /* the case process that ran it (0: none) */
        int seq;           /* 1: its first case; n: the nth it ran */
        char *retired;     /* why that process ended after this case, or NULL (it ran the next) */
    } case_process;
} ps_result;

/* The result's trace, decoded from trace_json once and kept in r->trace (the result
 * is const to the reports that call this, but its decoded trace is a cache: the first
 * call stores it). Never NULL. */
const ps_trace *ps_result_trace(const ps_result *r);
/* Replaces r->trace_json with json (taken over, malloc'ed; NULL: "[]") and drops the
 * decoded trace. */
void ps_result_set_trace(ps_result *r, char *json);

/* The platform in full (harness/win/platform.c fills it; each field may be NULL). */
typedef struct {
    char *os;       /* "Wine" or "Windows" */
    char *version;  /* Wine: "8.0"; Windows: "10.0.19045.3803" (major.minor.build.UBR) */
    char *build;    /* Wine: its build id "wine-8.0 (Debian 8.0~repack-4)"; Windows: "19045.3803" */
    char *edition;  /* Windows: "Windows 10 Pro 22H2 (Professional)"; Wine: the Windows it
                     * presents itself as */
    char *host;     /* Wine: the host system ("Linux 6.1.0-18-amd64"); Windows: NULL */
    char *arch;     /* the machine's architecture ("x86_64", "x86", "arm64") and, when it
                     * differs, the harness's ("x86 on x86_64") */
    char *machine;  /* the computer's name */
} ps_platform_info;

typedef struct {
    char *platform;        /* one line, every detail: "Wine 8.0 (wine-8.0 ...) on Linux 6.1.0, x86_64" */
    ps_platform_info pinfo;
    int shard_k, shard_n;  /* --shard K/N, or 0/0 for a whole run */
    int selected;          /* size of the whole selection, before --shard (0: unknown) */
    char *harness_version; /* PIPESPEC_VERSION */
    char *started;         /* ISO 8601 UTC */
    double wall_ms;
    int strict;
    int jobs;
    ps_result *cases;
    int ncases;
    int counts[PS_OUTCOME_COUNT];
} ps_run;

void ps_run_count(ps_run *run);  /* recomputes counts[] from cases */
int ps_run_exit_status(const ps_run *run); /* 0 or 1, per the rules in --help */
void ps_result_free(ps_result *r);
void ps_run_free(ps_run *run);
void ps_platform_info_free(ps_platform_info *pi);

/* ---- The case-process protocol (proto.h has its grammar and its one encoder): the
 * reader folds a case process's lines into a ps_result. */
typedef struct {
    ps_result *r;
    int have_verdict;
    int last_started_line;
    char *last_started_text;
    char *partial; /* an incomplete line held between feeds */
    int ended;     /* the E line came: the case process is done with the case */
    int reusable;  /* ... and said it is clean (E reuse) */
    char *retire;  /* ... or why it ends (E retire), malloc'ed */
    void *trace;   /* internal ps_buf */
    void *divs;    /* internal ps_buf */
} ps_child_reader;

/* A SKIP with no reason is a harness fault: it becomes ERROR "harness: ...". */
void ps_result_check_reason(ps_result *r);
void ps_child_reader_init(ps_child_reader *cr, ps_result *r);
/* Feed raw bytes from the child's stdout (any chunking). */
void ps_child_reader_feed(ps_child_reader *cr, const char *data, unsigned long n);
/* Finish: status = how the process ended. timed_out: it was killed after the case
 * timeout; exit_code: its exit code (an exception code such as 0xC0000005 on a crash).
 * Sets r->outcome/reason when the child gave no verdict, and r->trace_json. */
void ps_child_reader_finish(ps_child_reader *cr, int timed_out, unsigned long exit_code,
                            double timeout_ms);
#endif
