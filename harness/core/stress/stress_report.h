/* stress_report.h: the outputs of `pipespec stress`: the closing summary (stable,
 * greppable lines), stress.json and stress.html (self-contained, plots as inline SVG
 * drawn here, no script). Portable (no Win32). Formats: docs/STRESS.md. */
#ifndef PS_STRESS_REPORT_H
#define PS_STRESS_REPORT_H
#include "psutil.h"
#include "stress_stats.h"
#include <stdio.h>

/* Derived figures of a round. */
double ps_round_rps(const ps_round *r);         /* verified requests per second */
double ps_round_bytes_per_s(const ps_round *r); /* bytes out + in per second */
/* Harness private bytes per held connection ((connected - before) / held), or -1. */
double ps_round_mem_per_conn(const ps_round *r);

/* The summary: "STRESS: PASS|FAIL ..." first, "RESULT: ..." last. */
void ps_stress_summary(FILE *f, const ps_stress_run *run);
/* stress.json (one object; appends to b). */
void ps_stress_json(ps_buf *b, const ps_stress_run *run);
/* stress.html (appends to b). */
void ps_stress_html(ps_buf *b, const ps_stress_run *run);
/* Writes dir/stress.json and dir/stress.html (dir must exist). Returns 0, or -1 with
 * the file that failed in *failed (static). */
int ps_stress_write_reports(const char *dir, const ps_stress_run *run, const char **failed);

/* One line of live progress (no newline): "  3.2 s  4012 req/s  12034 done  0 errors". */
void ps_stress_progress_text(char *buf, size_t n, double elapsed_s, double rps, uint64_t done,
                             uint64_t errors, uint64_t busy);
#endif
