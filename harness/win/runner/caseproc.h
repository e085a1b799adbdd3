/* caseproc.h: the runner's case processes (caseproc.c). Each worker owns one
 * ps_caseprocs: a case process that runs its cases in turn while each case leaves it
 * clean (harness/win/case/case_serve.c decides, and says so after each verdict), and
 * a new one started ahead whenever the last one ended. Each case process runs in a job
 * object, so it and whatever it started die with it. */
#ifndef CASEPROC_H
#define CASEPROC_H
#include "platform.h"
#include "cli.h"
#include "results.h"

/* One case process. */
typedef struct {
    int ok;
    DWORD err;
    char what[40]; /* the call that failed to start it */
    HANDLE process, job, out_rd, in_wr;
    DWORD pid;
} ps_caseproc;

typedef struct ps_outlink ps_outlink; /* what the output reader thread feeds (caseproc.c) */

typedef struct {
    const ps_options *o;
    const char *exe;      /* this program, started as the case process */
    int max_cases;        /* --cases-per-process */
    ps_caseproc live;     /* between cases: ready for the next one */
    int live_cases;       /* cases it has run */
    HANDLE reader;        /* the live process's output reader thread */
    ps_outlink *link;
    ps_caseproc next;     /* started ahead, for when live ends */
    HANDLE spawner;       /* the thread starting `next`, or NULL */
} ps_caseprocs;

void ps_caseprocs_init(ps_caseprocs *p, const ps_options *o, const char *exe);
/* Runs case file `file` with pipe name `pipe` and timeout tmo (ms) and fills r's
 * outcome, reason, trace, duration and case_process. */
void ps_caseprocs_run(ps_caseprocs *p, const char *file, const char *pipe, long tmo, ps_result *r);
void ps_caseprocs_close(ps_caseprocs *p);
#endif
