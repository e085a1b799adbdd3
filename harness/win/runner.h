/* runner.h: the parent side: finds, parses, selects and runs cases in isolated case
 * processes, then reports. */
#ifndef RUNNER_H
#define RUNNER_H
#include "cli.h"
int ps_runner_main(const ps_options *o);
#endif
