/* hist.c: see hist.h. */
#include "hist.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Index of the highest set bit of v (v > 0). */
static int msb(uint64_t v)
{
    int n = 0;
    if (v >> 32) n += 32, v >>= 32;
    if (v >> 16) n += 16, v >>= 16;
    if (v >> 8) n += 8, v >>= 8;
    if (v >> 4) n += 4, v >>= 4;
    if (v >> 2) n += 2, v >>= 2;
    if (v >> 1) n += 1;
    return n;
}

int ps_hist_init(ps_hist *h, int sub_bits, int max_bits)
{
    memset(h, 0, sizeof *h);
    if (sub_bits < 1 || sub_bits > 12 || max_bits <= sub_bits || max_bits > 63) return -1;
    h->sub_bits = sub_bits;
    h->max_bits = max_bits;
    h->nbuckets = ((size_t)1 << sub_bits) * (size_t)(max_bits - sub_bits + 1);
    h->counts = ps_xcalloc(h->nbuckets, sizeof(uint64_t));
    h->min = UINT64_MAX;
    return 0;
}

void ps_hist_free(ps_hist *h)
{
    free(h->counts);
    memset(h, 0, sizeof *h);
}

void ps_hist_reset(ps_hist *h)
{
    if (h->counts) memset(h->counts, 0, h->nbuckets * sizeof(uint64_t));
    h->total = h->overflow = h->max = 0;
    h->min = UINT64_MAX;
    h->sum = 0;
}

size_t ps_hist_index(const ps_hist *h, uint64_t v)
{
    uint64_t m = (uint64_t)1 << h->sub_bits;
    int shift;
    if (v < 2 * m) return (size_t)v;
    if (h->max_bits < 64 && v >> h->max_bits) return h->nbuckets - 1;
    shift = msb(v) - h->sub_bits;
    return (size_t)(m * (uint64_t)shift + (v >> shift));
}

uint64_t ps_hist_bucket_lo(const ps_hist *h, size_t i)
{
    uint64_t m = (uint64_t)1 << h->sub_bits;
    uint64_t shift;
    if (i < 2 * m) return i;
    shift = i / m - 1;
    return ((uint64_t)i - m * shift) << shift;
}

uint64_t ps_hist_bucket_hi(const ps_hist *h, size_t i)
{
    uint64_t m = (uint64_t)1 << h->sub_bits;
    uint64_t shift;
    if (i < 2 * m) return i;
    shift = i / m - 1;
    return ps_hist_bucket_lo(h, i) + (((uint64_t)1 << shift) - 1);
}

void ps_hist_record_n(ps_hist *h, uint64_t v, uint64_t n)
{
    if (!n) return;
    h->counts[ps_hist_index(h, v)] += n;
    h->total += n;
    if (v >> h->max_bits) h->overflow += n;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
    h->sum += (double)v * (double)n;
}

void ps_hist_record(ps_hist *h, uint64_t v)
{
    ps_hist_record_n(h, v, 1);
}

uint64_t ps_hist_percentile(const ps_hist *h, double q)
{
    uint64_t rank, seen = 0, est, lo, hi;
    double r;
    size_t i;
    if (!h->total) return 0;
    if (q <= 0) return h->min;
    r = q / 100.0 * (double)h->total;
    rank = (uint64_t)r;
    if ((double)rank < r) rank++;
    if (rank < 1) rank = 1;
    if (rank >= h->total) return h->max;
    for (i = 0; i < h->nbuckets; i++) {
        seen += h->counts[i];
        if (seen >= rank) break;
    }
    if (i == h->nbuckets) return h->max;
    lo = ps_hist_bucket_lo(h, i);
    hi = ps_hist_bucket_hi(h, i);
    est = lo + (hi - lo) / 2;
    if (est < h->min) est = h->min;
    if (est > h->max) est = h->max;
    return est;
}

double ps_hist_mean(const ps_hist *h)
{
    return h->total ? h->sum / (double)h->total : 0.0;
}

int ps_hist_merge(ps_hist *dst, const ps_hist *src)
{
    size_t i;
    if (dst->sub_bits != src->sub_bits || dst->max_bits != src->max_bits) return -1;
    if (!src->total) return 0;
    for (i = 0; i < dst->nbuckets; i++) dst->counts[i] += src->counts[i];
    dst->total += src->total;
    dst->overflow += src->overflow;
    if (src->min < dst->min) dst->min = src->min;
    if (src->max > dst->max) dst->max = src->max;
    dst->sum += src->sum;
    return 0;
}

void ps_hist_write(const ps_hist *h, ps_buf *b)
{
    size_t i;
    int first = 1;
    ps_buf_printf(b, "%d,%d,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.17g;", h->sub_bits,
                  h->max_bits, h->total, h->overflow, h->total ? h->min : (uint64_t)0, h->max, h->sum);
    for (i = 0; i < h->nbuckets; i++)
        if (h->counts[i]) {
            ps_buf_printf(b, "%s%lu:%" PRIu64, first ? "" : ",", (unsigned long)i, h->counts[i]);
            first = 0;
        }
}

static int read_u64(const char **p, uint64_t *v, char end)
{
    char *e;
    unsigned long long x;
    if (**p < '0' || **p > '9') return -1;
    x = strtoull(*p, &e, 10);
    if (*e != end) return -1;
    *v = (uint64_t)x;
    *p = e + (end ? 1 : 0);
    return 0;
}

int ps_hist_read(ps_hist *h, const char *text)
{
    const char *p = text;
    uint64_t sb, mb, total, overflow, mn, mx, seen = 0;
    double sum;
    char *e;
    if (read_u64(&p, &sb, ',') || read_u64(&p, &mb, ',') || sb > 12 || mb > 63) goto bad_early;
    if (ps_hist_init(h, (int)sb, (int)mb)) goto bad_early;
    if (read_u64(&p, &total, ',') || read_u64(&p, &overflow, ',') || read_u64(&p, &mn, ',') ||
        read_u64(&p, &mx, ','))
        goto bad;
    sum = strtod(p, &e);
    if (e == p || *e != ';') goto bad;
    p = e + 1;
    while (*p) {
        uint64_t idx, n;
        if (read_u64(&p, &idx, ':')) goto bad;
        if (*p < '0' || *p > '9') goto bad;
        n = (uint64_t)strtoull(p, &e, 10);
        if (*e != ',' && *e != 0) goto bad;
        p = *e ? e + 1 : e;
        if (idx >= h->nbuckets) goto bad;
        h->counts[idx] += n;
        seen += n;
    }
    if (seen != total) goto bad;
    h->total = total;
    h->overflow = overflow;
    h->min = total ? mn : UINT64_MAX;
    h->max = mx;
    h->sum = sum;
    return 0;
bad:
    ps_hist_free(h);
bad_early:
    memset(h, 0, sizeof *h);
    return -1;
}
