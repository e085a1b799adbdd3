/* stress_leak.c: see stress_leak.h. */
#include "stress_leak.h"
#include "psutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ps_leak_init(ps_leakseries *s)
{
    memset(s, 0, sizeof *s);
    s->interval_ms = PS_LEAK_INTERVAL_MS;
}

void ps_leak_add(ps_leakseries *s, double t_ms, double work, int64_t bytes, long handles, int force)
{
    if (!force && s->n && t_ms < s->p[s->n - 1].t_ms + s->interval_ms * 0.5) return;
    if (s->n == PS_LEAK_POINTS) {
        int i;
        for (i = 0; i < PS_LEAK_POINTS / 2; i++) s->p[i] = s->p[2 * i + 1];
        s->n = PS_LEAK_POINTS / 2;
        s->interval_ms *= 2;
    }
    s->p[s->n].t_ms = t_ms;
    s->p[s->n].work = work;
    s->p[s->n].bytes = bytes;
    s->p[s->n].handles = handles;
    s->n++;
}

static double value(const ps_leakpt *p, int handles)
{
    return handles ? (double)p->handles : (double)p->bytes;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of the slopes between every two of the n points (those with more work
 * than the other); 0 when no two differ in work. */
static double theil_sen(const double *w, const double *v, int n)
{
    double *sl = ps_xmalloc(sizeof(double) * ((size_t)n * (size_t)n / 2 + 1)), m;
    size_t k = 0;
    int i, j;
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            if (w[j] > w[i]) sl[k++] = (v[j] - v[i]) / (w[j] - w[i]);
    if (!k) {
        free(sl);
        return 0;
    }
    qsort(sl, k, sizeof *sl, cmp_double);
    m = k % 2 ? sl[k / 2] : (sl[k / 2 - 1] + sl[k / 2]) / 2;
    free(sl);
    return m;
}

void ps_leak_fit(const ps_leakseries *s, int handles, ps_leakfit *f)
{
    double *w, *v, w0 = 0, w1 = 0, mid, t0 = 0, t1 = 0;
    int i, n = 0, have = 0;
    memset(f, 0, sizeof *f);
    for (i = 0; i < s->n; i++) {
        if (value(&s->p[i], handles) < 0) continue;
        if (!have) w0 = s->p[i].work, t0 = s->p[i].t_ms, f->first = value(&s->p[i], handles);
        w1 = s->p[i].work;
        t1 = s->p[i].t_ms;
        f->last = value(&s->p[i], handles);
        have++;
    }
    if (!have) {
        snprintf(f->why, sizeof f->why, "not measured during the load");
        return;
    }
    mid = w0 + (w1 - w0) / 2;
    w = ps_xmalloc(sizeof(double) * (size_t)s->n);
    v = ps_xmalloc(sizeof(double) * (size_t)s->n);
    for (i = 0; i < s->n; i++) {
        if (value(&s->p[i], handles) < 0 || s->p[i].work < mid) continue;
        w[n] = s->p[i].work;
        v[n] = value(&s->p[i], handles);
        n++;
    }
    f->n = n;
    f->work = n ? w[n - 1] - w[0] : 0;
    if (n < PS_LEAK_MIN_POINTS)
        snprintf(f->why, sizeof f->why,
                 "too short: %d sample(s) in the later half of the load, %d needed (one per %.0f ms)", n,
                 PS_LEAK_MIN_POINTS, have > 1 && t1 - t0 > s->interval_ms * (have - 1) * 1.5 ? (t1 - t0) / (have - 1)
                                                                                              : s->interval_ms);
    else if (f->work <= 0)
        snprintf(f->why, sizeof f->why, "no request was served in the later half of the load");
    else {
        /* the two quarters, split by work, sharing the sample at the split */
        int k = 1;
        while (k < n - 2 && w[k] < w[0] + f->work / 2) k++;
        f->slope_q[0] = theil_sen(w, v, k + 1);
        f->slope_q[1] = theil_sen(w + k, v + k, n - k);
        f->slope = f->slope_q[0] < f->slope_q[1] ? f->slope_q[0] : f->slope_q[1];
        f->growth = f->slope * f->work;
        f->judged = 1;
    }
    free(w);
    free(v);
}

static void json_fit(ps_buf *b, const ps_leakseries *s, int handles)
{
    ps_leakfit f;
    ps_leak_fit(s, handles, &f);
    ps_buf_printf(b, "{\"judged\":%s,\"why\":", f.judged ? "true" : "false");
    ps_json_str(b, f.judged ? NULL : f.why);
    ps_buf_printf(b, ",\"samples\":%d,\"requests\":%.0f,", f.n, f.work);
    if (f.judged)
        ps_buf_printf(b, "\"per_1000_requests\":%.3f,\"quarters_per_1000_requests\":[%.3f,%.3f],\"growth\":%.3f}",
                      f.slope * 1000.0, f.slope_q[0] * 1000.0, f.slope_q[1] * 1000.0, f.growth);
    else ps_buf_adds(b, "\"per_1000_requests\":null,\"quarters_per_1000_requests\":null,\"growth\":null}");
}

void ps_leak_json(ps_buf *b, const ps_leakseries *s)
{
    int i;
    ps_buf_adds(b, "{\"memory\":");
    json_fit(b, s, 0);
    ps_buf_adds(b, ",\"handles\":");
    json_fit(b, s, 1);
    ps_buf_adds(b, ",\"samples\":{\"t_ms\":[");
    for (i = 0; i < s->n; i++) ps_buf_printf(b, "%s%.1f", i ? "," : "", s->p[i].t_ms);
    ps_buf_adds(b, "],\"requests\":[");
    for (i = 0; i < s->n; i++) ps_buf_printf(b, "%s%.0f", i ? "," : "", s->p[i].work);
    ps_buf_adds(b, "],\"private_bytes\":[");
    for (i = 0; i < s->n; i++) ps_buf_printf(b, "%s%lld", i ? "," : "", (long long)s->p[i].bytes);
    ps_buf_adds(b, "],\"handles\":[");
    for (i = 0; i < s->n; i++) ps_buf_printf(b, "%s%ld", i ? "," : "", s->p[i].handles);
    ps_buf_adds(b, "]}}");
}
