/* stress.c: pipespec stress (see docs/STRESS.md). */
#include "platform.h"
#include "runner.h"
#include <stdio.h>

int ps_stress_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "pipespec stress: not built yet\n");
    return 2;
}
