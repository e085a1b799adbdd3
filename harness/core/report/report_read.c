/* report_read.c: report.json read back into a ps_run (see compare.h). Fields that
 * later versions may add are ignored; the ones the comparisons need are checked, each
 * with a message that names the file, the case and the field. */
#include "compare.h"
#include "json.h"
#include "psutil.h"
#include "results.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    char *err;
    size_t errlen;
} rd;

static int fail(rd *r, const char *fmt, ...)
{
    va_list ap;
    size_t n;
    snprintf(r->err, r->errlen, "%s: ", r->name);
    n = strlen(r->err);
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->errlen > n ? r->errlen - n : 0, fmt, ap);
    va_end(ap);
    return -1;
}

/* A string member, copied (NULL for null or absent). */
static char *opt_str(const ps_jv *o, const char *key)
{
    return ps_xstrdup(ps_jv_str(o, key));
}

/* An array of strings joined with sep (NULL when empty or absent). */
static char *joined(const ps_jv *o, const char *key, const char *sep)
{
    const ps_jv *a = ps_jv_get(o, key);
    ps_buf b;
    int i;
    if (!a || a->t != 'a' || a->n == 0) return NULL;
    ps_buf_init(&b);
    for (i = 0; i < a->n; i++) {
        if (a->kids[i].t != 's') continue;
        if (b.len) ps_buf_adds(&b, sep);
        ps_buf_adds(&b, a->kids[i].s);
    }
    return ps_buf_steal(&b);
}

static int int_member(const ps_jv *o, const char *key, int dflt)
{
    const ps_jv *v = ps_jv_get(o, key);
    return v && v->t == 'd' ? (int)ps_jv_number(v) : dflt;
}

static int read_case(rd *r, const ps_jv *c, int i, ps_result *out)
{
    const char *id = ps_jv_str(c, "id"), *oc = ps_jv_str(c, "outcome");
    const ps_jv *trace = ps_jv_get(c, "trace");
    int k;
    if (c->t != 'o') return fail(r, "case %d is not an object", i + 1);
    if (!id || !id[0]) return fail(r, "case %d has no \"id\"", i + 1);
    if (!oc) return fail(r, "case %d (\"%s\") has no \"outcome\"", i + 1, id);
    memset(out, 0, sizeof *out);
    if (ps_outcome_parse(oc, &out->outcome) != 0)
        return fail(r, "case %d (\"%s\"): \"outcome\" is \"%s\", expected PASS, FAIL, XFAIL, XPASS, "
                       "SKIP, TIMEOUT or ERROR", i + 1, id, oc);
    if (trace && trace->t != 'a')
        return fail(r, "case %d (\"%s\"): \"trace\" is not an array", i + 1, id);
    for (k = 0; trace && k < trace->n; k++)
        if (trace->kids[k].t != 'o')
            return fail(r, "case %d (\"%s\"): trace entry %d is not an object", i + 1, id, k + 1);
    out->id = ps_xstrdup(id);
    out->title = opt_str(c, "title");
    out->file = opt_str(c, "file");
    out->ref = opt_str(c, "ref");
    out->tags = joined(c, "tags", " ");
    out->topic = opt_str(c, "topic");
    out->iteration = int_member(c, "iteration", 1);
    if (out->iteration < 1) out->iteration = 1;
    out->index = int_member(c, "index", i);
    out->duration_ms = ps_jv_number(ps_jv_get(c, "duration_ms"));
    out->reason = opt_str(c, "reason");
    out->line = int_member(c, "line", 0);
    out->divergences = joined(c, "divergences", "\n");
    out->notes = joined(c, "notes", "\n");
    out->cause = opt_str(c, "cause");
    {
        const ps_jv *outs = ps_jv_get(c, "outputs");
        for (k = 0; outs && outs->t == 'a' && k < outs->n; k++) {
            const ps_jv *o = &outs->kids[k];
            if (o->t != 'o') continue;
            out->outputs = ps_xrealloc(out->outputs, sizeof *out->outputs * (size_t)(out->noutputs + 1));
            out->outputs[out->noutputs].actor = ps_xstrdup(ps_jv_str(o, "actor") ? ps_jv_str(o, "actor") : "?");
            out->outputs[out->noutputs].exit = ps_xstrdup(ps_jv_str(o, "exit") ? ps_jv_str(o, "exit") : "?");
            out->outputs[out->noutputs].text = ps_xstrdup(ps_jv_str(o, "text") ? ps_jv_str(o, "text") : "");
            out->noutputs++;
        }
    }
    out->trace_json = trace ? ps_xstrndup(trace->raw, trace->rawlen) : ps_xstrdup("[]");
    return 0;
}

/* Case i must be the only one with its id and iteration (diff and merge pair by them). */
static int check_unique(rd *r, const ps_run *run, int i)
{
    int k;
    for (k = 0; k < i; k++)
        if (!strcmp(run->cases[k].id, run->cases[i].id) && run->cases[k].iteration == run->cases[i].iteration)
            return fail(r, "case %d (\"%s\", iteration %d) is there twice (also case %d)", i + 1,
                        run->cases[i].id, run->cases[i].iteration, k + 1);
    return 0;
}

static void read_platform(const ps_jv *doc, ps_run *run)
{
    const ps_jv *pi = ps_jv_get(doc, "platform_info"), *sh = ps_jv_get(doc, "shard");
    run->pinfo.os = opt_str(pi, "os");
    run->pinfo.version = opt_str(pi, "version");
    run->pinfo.build = opt_str(pi, "build");
    run->pinfo.edition = opt_str(pi, "edition");
    run->pinfo.host = opt_str(pi, "host");
    run->pinfo.arch = opt_str(pi, "arch");
    run->pinfo.machine = opt_str(pi, "machine");
    if (sh && sh->t == 'o') {
        run->shard_k = int_member(sh, "k", 0);
        run->shard_n = int_member(sh, "n", 0);
    }
    run->selected = int_member(doc, "selected", 0);
}

int ps_report_parse(const char *text, size_t len, const char *name, ps_run *run, char *err,
                    size_t errlen)
{
    ps_jv doc;
    const ps_jv *cases, *v;
    int line, col, i, rc = 0;
    rd r;
    r.name = name ? name : "report";
    r.err = err;
    r.errlen = errlen;
    memset(run, 0, sizeof *run);
    if (ps_json_parse(text, len, &doc, &line, &col) != 0) {
        snprintf(err, errlen, "%s:%d:%d: not valid JSON (is it a pipespec report.json?)", r.name, line, col);
        return -1;
    }
    cases = ps_jv_get(&doc, "cases");
    v = ps_jv_get(&doc, "report_version");
    if (doc.t != 'o' || !v || v->t != 'd' || !cases)
        rc = fail(&r, "not a pipespec report: expected an object with \"report_version\" and \"cases\"");
    else if (ps_jv_number(v) != 1)
        rc = fail(&r, "report_version %.*s, expected 1 (a report of another pipespec version)",
                  (int)v->rawlen, v->raw);
    else if (cases->t != 'a')
        rc = fail(&r, "\"cases\" is not an array");
    if (rc == 0) {
        run->platform = ps_xstrdup(ps_jv_str(&doc, "platform") ? ps_jv_str(&doc, "platform") : "unknown");
        run->harness_version = opt_str(&doc, "harness_version");
        run->started = opt_str(&doc, "started");
        run->wall_ms = ps_jv_number(ps_jv_get(&doc, "wall_ms"));
        v = ps_jv_get(&doc, "strict");
        run->strict = v && v->t == 'b' && v->raw[0] == 't';
        run->jobs = int_member(&doc, "jobs", 0);
        read_platform(&doc, run);
        run->cases = ps_xcalloc((size_t)cases->n + 1, sizeof *run->cases);
        for (i = 0; i < cases->n && rc == 0; i++) {
            rc = read_case(&r, &cases->kids[i], i, &run->cases[i]);
            if (rc == 0) run->ncases++;
            if (rc == 0) rc = check_unique(&r, run, i);
        }
        ps_run_count(run);
    }
    ps_jv_free(&doc);
    if (rc != 0) ps_run_free(run);
    return rc;
}

int ps_report_load(const char *path, ps_run *run, char *err, size_t errlen)
{
    size_t len = 0, pl = strlen(path);
    char *text = NULL;
    int rc;
    memset(run, 0, sizeof *run);
    if (pl < 5 || strcmp(path + pl - 5, ".json") != 0) { /* a report folder? */
        char *in = ps_sprintf("%s/report.json", path);
        text = ps_read_file(in, &len);
        if (text) {
            rc = ps_report_parse(text, len, in, run, err, errlen);
            free(in);
            free(text);
            return rc;
        }
        free(in);
    }
    text = ps_read_file(path, &len);
    if (!text) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    rc = ps_report_parse(text, len, path, run, err, errlen);
    free(text);
    return rc;
}

char *ps_run_label(const ps_run *run)
{
    const char *p = run->platform && run->platform[0] ? run->platform : "unknown platform";
    if (run->pinfo.machine && run->pinfo.machine[0]) return ps_sprintf("%s, machine %s", p, run->pinfo.machine);
    return ps_xstrdup(p);
}
