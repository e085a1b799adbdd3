/* shard.c: --shard K/N, a deterministic and balanced share of the selection
 * (compare.h). */
#include "compare.h"
#include "psutil.h"
#include "scenario.h"
#include <stdlib.h>
#include <string.h>

int ps_shard_parse(const char *s, int *k, int *n)
{
    char *end;
    long a, b;
    if (!s || !*s) return -1;
    a = strtol(s, &end, 10);
    if (end == s || *end != '/') return -1;
    s = end + 1;
    b = strtol(s, &end, 10);
    if (end == s || *end || a < 1 || b < 1 || b > 1000 || a > b) return -1;
    *k = (int)a;
    *n = (int)b;
    return 0;
}

typedef struct {
    const char *id;
    double w;
    int i;
} item;

static int cmp_item(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    int c;
    if (a->w != b->w) return a->w > b->w ? -1 : 1; /* heaviest first */
    c = strcmp(a->id, b->id);
    if (c) return c;
    return a->i - b->i;
}

void ps_shard_assign(const char *const *ids, const double *weights, int n, int nshards,
                     int *shard_of)
{
    item *v = ps_xcalloc((size_t)n + 1, sizeof *v);
    double *load = ps_xcalloc((size_t)nshards + 1, sizeof *load);
    int i, s, best;
    for (i = 0; i < n; i++) {
        v[i].id = ids[i];
        v[i].w = weights[i] > 0 ? weights[i] : 0;
        v[i].i = i;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_item);
    for (i = 0; i < n; i++) { /* each to the least loaded shard, the lower on a tie */
        for (best = 0, s = 1; s < nshards; s++)
            if (load[s] < load[best]) best = s;
        load[best] += v[i].w;
        shard_of[v[i].i] = best + 1;
    }
    free(load);
    free(v);
}

/* See compare.h and docs/COMPARE.md: what a case costs when no run recorded it. */
double ps_shard_estimate_ms(const ps_case *c)
{
    double ms = 50.0; /* starting the case process */
    int i;
    for (i = 0; i < c->nsteps; i++) {
        const ps_step *s = &c->steps[i];
        long t = 0;
        ms += 2.0;
        if (!strcmp(s->op, "sleep") && ps_parse_ms(ps_arg_get(s, "ms"), &t) == 0) ms += (double)t;
        if (s->expect.has_time) ms += (double)s->expect.t_min_ms;
    }
    return ms;
}

/* The mean recorded duration of id in the durations report, or -1. */
static double recorded(const ps_run *d, const char *id)
{
    double sum = 0;
    int i, n = 0;
    for (i = 0; d && i < d->ncases; i++)
        if (!strcmp(d->cases[i].id, id) && d->cases[i].outcome != PS_SKIP) {
            sum += d->cases[i].duration_ms;
            n++;
        }
    return n ? sum / n : -1;
}

int ps_shard_select(const ps_case **sel, int n, int k, int nshards, const ps_run *durations, int *index)
{
    const char **ids = ps_xcalloc((size_t)n + 1, sizeof *ids);
    double *w = ps_xcalloc((size_t)n + 1, sizeof *w);
    int *shard = ps_xcalloc((size_t)n + 1, sizeof *shard);
    int i, m = 0;
    for (i = 0; i < n; i++) {
        double r = recorded(durations, sel[i]->id);
        ids[i] = sel[i]->id;
        w[i] = r >= 0 ? r : ps_shard_estimate_ms(sel[i]);
    }
    ps_shard_assign(ids, w, n, nshards, shard);
    for (i = 0; i < n; i++)
        if (shard[i] == k) {
            index[m] = i;
            sel[m++] = sel[i];
        }
    free(ids);
    free(w);
    free(shard);
    return m;
}

/* The default number of workers, from what the cases do rather than the core count:
 * most cases wait (timeouts, time windows, sleeps), so the run is as short as its
 * longest case when enough workers run the rest beside it. Enough is the estimated
 * total over the longest (plus half again for the starts the estimate leaves out), at
 * least the cores and at most 8 per core (each worker keeps a case process, and starts
 * the next one ahead when that one ends). */
int ps_auto_jobs(const ps_case *const *sel, int n, int cores)
{
    double total = 0, longest = 1, e;
    int i, jobs;
    if (cores < 1) cores = 1;
    for (i = 0; i < n; i++) {
        e = ps_shard_estimate_ms(sel[i]);
        if (sel[i]->timeout_ms && sel[i]->timeout_ms / 2 > e) e = (double)sel[i]->timeout_ms / 2; /* declared slow */
        total += e;
        if (e > longest) longest = e;
    }
    jobs = (int)(total * 1.5 / longest) + 1;
    if (jobs < cores) jobs = cores;
    if (jobs > 8 * cores) jobs = 8 * cores;
    if (jobs > n) jobs = n > 0 ? n : 1;
    return jobs;
}
