/* hist.h: a log-bucketed histogram of non-negative integers (latencies in ns) with
 * bounded memory and a known relative error, in the manner of HdrHistogram.
 *
 * Layout, with M = 2^sub_bits:
 *   values 0 .. 2M-1 have one bucket each (exact);
 *   above, each power of two [2^e, 2^(e+1)) is split into M equal buckets, so a
 *   bucket's width is at most 1/M of any value in it.
 * A value v >= 2^max_bits is counted in the last bucket (and in `overflow`); min, max
 * and sum stay exact. Memory: M * (max_bits - sub_bits + 1) counters of 8 bytes, fixed
 * at init (sub_bits 7, max_bits 44: 4864 buckets, 38 KiB, 0.78 % error, up to 4.9 h in ns).
 *
 * Not thread-safe: give each thread its own and merge them. Portable (no Win32). */
#ifndef PS_HIST_H
#define PS_HIST_H
#include "psutil.h"
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int sub_bits;      /* 2^sub_bits buckets per power of two */
    int max_bits;      /* values below 2^max_bits are bucketed exactly */
    size_t nbuckets;
    uint64_t *counts;  /* nbuckets counters */
    uint64_t total;    /* values recorded */
    uint64_t overflow; /* values >= 2^max_bits (also in the last bucket) */
    uint64_t min, max; /* exact; min is UINT64_MAX while empty */
    double sum;        /* exact sum, for the mean */
} ps_hist;

/* Sets up an empty histogram. sub_bits 1..12, max_bits sub_bits+1..63.
 * Returns 0, or -1 (and h unusable, nothing allocated) for bad parameters. */
int ps_hist_init(ps_hist *h, int sub_bits, int max_bits);
void ps_hist_free(ps_hist *h);  /* releases the counters; h may then be init'ed again */
void ps_hist_reset(ps_hist *h); /* empties it, keeping the shape */

void ps_hist_record(ps_hist *h, uint64_t v);
void ps_hist_record_n(ps_hist *h, uint64_t v, uint64_t n); /* n copies of v */

/* Bucket arithmetic: the index of v, and the inclusive bounds of bucket i. */
size_t ps_hist_index(const ps_hist *h, uint64_t v);
uint64_t ps_hist_bucket_lo(const ps_hist *h, size_t i);
uint64_t ps_hist_bucket_hi(const ps_hist *h, size_t i);

/* The q-th percentile (q in 0..100): the value of rank ceil(q/100 * total) (at least
 * 1) in sorted order, estimated as the middle of its bucket, clamped to [min, max].
 * So |estimate - exact| <= exact / 2^sub_bits, q = 0 gives min and q = 100 gives max
 * exactly. Returns 0 when empty. */
uint64_t ps_hist_percentile(const ps_hist *h, double q);
double ps_hist_mean(const ps_hist *h); /* 0 when empty */

/* Adds src's counts into dst. Returns 0, or -1 (dst untouched) when their shapes
 * (sub_bits, max_bits) differ. */
int ps_hist_merge(ps_hist *dst, const ps_hist *src);

/* Text form, one line without spaces, sparse:
 *   sub_bits,max_bits,total,overflow,min,max,sum;index:count,index:count,...
 * ps_hist_read parses it into an histogram it inits (free it after); returns 0, or
 * -1 on malformed text (nothing left allocated). */
void ps_hist_write(const ps_hist *h, ps_buf *b);
int ps_hist_read(ps_hist *h, const char *text);
#endif
