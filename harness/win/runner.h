/* runner.h: the parent side: finds, parses, selects and runs cases in isolated case
 * processes, then reports. */
#ifndef RUNNER_H
#define RUNNER_H
#include "cli.h"
int ps_runner_main(const ps_options *o);
int ps_stress_main(int argc, char **argv); /* stress.c */
int ps_io_helper_main(int argc, char **argv); /* case_iocp.c: a case's helper process */
#endif
