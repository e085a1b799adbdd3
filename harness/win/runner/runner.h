/* runner.h: the parent side: finds, parses, selects and runs cases in isolated case
 * processes, then reports. */
#ifndef RUNNER_H
#define RUNNER_H
#include "cli.h"
#include "results.h"
#include "scenario.h"
int ps_runner_main(const ps_options *o);
int ps_io_helper_main(int argc, char **argv); /* case_iocp.c: a case's helper process */
/* One case in its own case process, as `run` runs it (runner.c). */
void ps_run_one(const ps_options *o, const ps_case *c, int index, ps_result *r);
int ps_repro_main(const ps_options *o); /* repro_cli.c */
int ps_reduce_main(const ps_options *o); /* reduce.c */
#endif
