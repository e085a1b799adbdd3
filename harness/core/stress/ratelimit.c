/* ratelimit.c: see ratelimit.h. */
#include "ratelimit.h"

void ps_rl_init(ps_ratelimit *rl, double rate, double burst, double start_ms)
{
    if (rate <= 0) rate = 1;
    if (burst < 1) burst = 1;
    rl->interval_ms = 1000.0 / rate;
    rl->tau_ms = (burst - 1) * rl->interval_ms;
    rl->tat_ms = start_ms;
    rl->granted = 0;
}

double ps_rl_reserve(ps_ratelimit *rl, double now_ms)
{
    double due = rl->tat_ms;
    if (due < now_ms - rl->tau_ms) due = now_ms - rl->tau_ms;
    rl->tat_ms = due + rl->interval_ms;
    rl->granted++;
    return due;
}
