/* ratelimit.h: a pacing rate limiter (GCRA, the "virtual scheduling" form of a token
 * bucket) for a fixed number of requests per second.
 *
 * Each reservation gets a due time: the i-th one is due at start + i/rate, so the rate
 * holds over any long stretch whatever the callers' timing. When the callers fall
 * behind (the due time is already past), at most `burst` requests may go back to back
 * to catch up; debt older than that is forgiven, so a stall is not followed by an
 * unbounded flood. A caller waits until its due time, sends, and measures latency from
 * the due time (which corrects "coordinated omission": time a request spent waiting
 * for a slow earlier one counts against the server).
 *
 * Times are milliseconds on any monotonic clock. Not thread-safe: share one under a
 * lock. Portable (no Win32). */
#ifndef PS_RATELIMIT_H
#define PS_RATELIMIT_H

typedef struct {
    double interval_ms; /* 1000 / rate */
    double tau_ms;      /* (burst - 1) * interval: how far behind a reservation may be */
    double tat_ms;      /* the next due time ("theoretical arrival time") */
    unsigned long long granted;
} ps_ratelimit;

/* rate > 0 requests per second; burst >= 1 (values below 1 count as 1); the first
 * request is due at start_ms. */
void ps_rl_init(ps_ratelimit *rl, double rate, double burst, double start_ms);

/* Reserves the next request's slot and returns its due time: never earlier than
 * now_ms - tau (debt beyond the burst is forgiven), else the schedule's next slot. The
 * caller sends at max(due, now). */
double ps_rl_reserve(ps_ratelimit *rl, double now_ms);
#endif
