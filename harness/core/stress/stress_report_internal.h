/* stress_report_internal.h: helpers shared by stress_report.c (summary, JSON) and
 * stress_report_html.c (stress.html); not for other callers. */
#ifndef STRESS_REPORT_INTERNAL_H
#define STRESS_REPORT_INTERNAL_H
#include "stress_stats.h"
#include <stddef.h>
#include <stdint.h>

/* Small math for the plots, without libm (the core links no math library). */
double sr_floor(double x);
double sr_ceil(double x);
double sr_fabs(double x);
double sr_log2(double x); /* x > 0 */
double sr_pow2(double y);
double sr_pow10i(int k);

/* The latency percentiles reported everywhere: names and values (4 of each). */
extern const char *const sr_perc_names[];
extern const double sr_percs[];

double sr_us(uint64_t ns);                          /* nanoseconds to microseconds */
const char *sr_state_name(ps_check_state s);        /* "PASS", "FAIL", "N/A" */
void sr_human_bytes(char *buf, size_t n, double v); /* "2.2 MiB"; "n/a" when negative */
#endif
