/* reduce.c: `pipespec reduce CASE`: placeholder replaced below. */
#include "runner.h"
int ps_reduce_main(const ps_options *o)
{
    (void)o;
    return 2;
}
