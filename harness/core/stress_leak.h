/* stress_leak.h: is a process leaking? Judged by growth that goes on with the work.
 *
 * A process's memory and handles are sampled during the load together with the
 * requests served so far (the work). A leak is growth that goes on with the work, so
 * the judgement looks only at the later half of the load (by requests served), and
 * there at its two quarters apart: in each, the trend of memory (or handles) against
 * requests is the median of the slopes between every two samples (Theil-Sen: an odd
 * sample or a collector's sawtooth moves it little), and the smaller of the two trends
 * is the one that goes on. That slope times the requests served over the later half
 * is the growth the work caused; more than the bound is a leak. Growth in the first
 * half (caches filling, a runtime warming up, a heap reaching its working size) does
 * not count, nor does a warm-up that is dying out in the later half (its last quarter
 * grows less); a steady leak grows as much in both quarters.
 *
 * Portable (no Win32): harness/win/stress.c samples, stress_stats.c judges,
 * tests/unit/test_stress.c checks the rule. */
#ifndef PS_STRESS_LEAK_H
#define PS_STRESS_LEAK_H
#include "psutil.h"
#include <stdint.h>

#define PS_LEAK_POINTS 240    /* then every other point is dropped and the interval doubles */
#define PS_LEAK_MIN_POINTS 4  /* fewer samples in the later half: not judged */
#define PS_LEAK_INTERVAL_MS 100.0

typedef struct {
    double t_ms;
    double work;     /* requests served so far (any monotonic count of work done) */
    int64_t bytes;   /* private bytes, -1 not measured */
    long handles;    /* -1 not measured */
} ps_leakpt;

typedef struct {
    int n;
    double interval_ms;
    ps_leakpt p[PS_LEAK_POINTS];
} ps_leakseries;

void ps_leak_init(ps_leakseries *s);
/* Adds a sample unless one was taken less than half an interval ago (force: always,
 * e.g. the measurement at the end of the load). */
void ps_leak_add(ps_leakseries *s, double t_ms, double work, int64_t bytes, long handles, int force);

typedef struct {
    int judged;      /* 1: slope and growth hold; 0: not judged, why says why */
    char why[120];
    int n;           /* samples in the later half */
    double work;     /* requests served over the later half */
    double slope;    /* growth per request (bytes or handles): the smaller of slope_q */
    double slope_q[2]; /* the trends of the later half's two quarters */
    double growth;   /* slope * work: what the work added over the later half */
    double first, last; /* the whole load's first and last sample (display) */
} ps_leakfit;

/* Fits memory (handles = 0) or handles (1) against the work over the later half. */
void ps_leak_fit(const ps_leakseries *s, int handles, ps_leakfit *f);

/* Adds the series and both fits as a JSON object: {"memory":FIT,"handles":FIT,
 * "samples":{"t_ms":[...],"requests":[...],"private_bytes":[...],"handles":[...]}},
 * FIT being {"judged":bool,"why":str|null,"samples":n,"requests":n,
 * "per_1000_requests":x,"growth":x} (null where not measured). */
void ps_leak_json(ps_buf *b, const ps_leakseries *s);
#endif
