/* report_json.c: report.json, the machine-readable report (docs/report.schema.json).
 * The same text, with '<' escaped, is the data island of report.html. */
#include "psutil.h"
#include "report.h"
#include "report_internal.h"
#include "results.h"
#include <stdlib.h>
#include <string.h>

#define STR(s) ((s) ? (s) : "")

/* A JSON array of the pieces of s separated by any of seps, empty pieces left out. */
static void split_array(ps_buf *b, const char *s, const char *seps)
{
    int first = 1;
    ps_buf_addc(b, '[');
    while (s && *s) {
        size_t n = strcspn(s, seps);
        if (n) {
            char *piece = ps_xstrndup(s, n);
            size_t l = strlen(piece);
            if (l && piece[l - 1] == '\r') piece[l - 1] = 0;
            if (piece[0]) {
                if (!first) ps_buf_adds(b, ", ");
                ps_rep_json_str(b, piece);
                first = 0;
            }
            free(piece);
        }
        s += n;
        if (*s) s++;
    }
    ps_buf_addc(b, ']');
}

static void case_json(ps_buf *b, const ps_result *r)
{
    char *topic = ps_rep_topic(r);
    const ps_trace *trace = ps_result_trace(r);
    ps_buf_adds(b, "{\"id\": ");
    ps_rep_json_str(b, STR(r->id));
    ps_buf_adds(b, ", \"title\": ");
    ps_rep_json_str(b, STR(r->title));
    ps_buf_adds(b, ", \"file\": ");
    ps_rep_json_str(b, STR(r->file));
    ps_buf_adds(b, ", \"ref\": ");
    ps_rep_json_str(b, STR(r->ref));
    ps_buf_adds(b, ", \"tags\": ");
    split_array(b, r->tags, " \t\r\n");
    ps_buf_adds(b, ", \"topic\": ");
    ps_rep_json_str(b, topic);
    ps_buf_printf(b, ", \"iteration\": %d", r->iteration > 0 ? r->iteration : 1);
    ps_buf_printf(b, ", \"index\": %d", r->index > 0 ? r->index : 0);
    ps_buf_adds(b, ", \"outcome\": ");
    ps_rep_json_str(b, ps_outcome_name(r->outcome));
    ps_buf_adds(b, ", \"duration_ms\": ");
    ps_buf_fixed(b, r->duration_ms, 3);
    ps_buf_adds(b, ", \"reason\": ");
    ps_rep_json_str(b, r->reason);
    ps_buf_printf(b, ", \"line\": %d", r->line > 0 ? r->line : 0);
    ps_buf_adds(b, ", \"divergences\": ");
    split_array(b, r->divergences, "\n");
    ps_buf_adds(b, ", \"notes\": ");
    split_array(b, r->notes, "\n");
    ps_buf_adds(b, ", \"cause\": ");
    ps_rep_json_str(b, r->cause);
    ps_buf_adds(b, ", \"outputs\": [");
    {
        int i;
        for (i = 0; i < r->noutputs; i++) {
            ps_buf_adds(b, i ? ", {\"actor\": " : "{\"actor\": ");
            ps_rep_json_str(b, r->outputs[i].actor);
            ps_buf_adds(b, ", \"exit\": ");
            ps_rep_json_str(b, r->outputs[i].exit);
            ps_buf_adds(b, ", \"text\": ");
            ps_rep_json_str(b, r->outputs[i].text);
            ps_buf_addc(b, '}');
        }
    }
    ps_buf_addc(b, ']');
    if (r->case_process.pid) { /* which process ran it, its how-manieth, and why it ended */
        ps_buf_printf(b, ", \"case_process\": {\"pid\": %lu, \"seq\": %d, \"retired\": ", r->case_process.pid,
                      r->case_process.seq);
        ps_rep_json_str(b, r->case_process.retired);
        ps_buf_addc(b, '}');
    }
    if (trace->salvaged) {
        /* The child's trace did not parse (typically cut off when the case was killed):
         * the entries that did parse are in "trace", the raw text here. */
        ps_buf_adds(b, ",\n     \"trace_raw\": ");
        ps_rep_json_str(b, r->trace_json);
    }
    ps_buf_adds(b, ",\n     \"trace\": ");
    ps_trace_encode(b, trace);
    ps_buf_addc(b, '}');
    free(topic);
}

/* "platform_info": the platform in full, every field a string or null. */
static void platform_info_json(ps_buf *b, const ps_platform_info *pi)
{
    ps_buf_adds(b, ",\n  \"platform_info\": {\"os\": ");
    ps_rep_json_str(b, pi->os);
    ps_buf_adds(b, ", \"version\": ");
    ps_rep_json_str(b, pi->version);
    ps_buf_adds(b, ", \"build\": ");
    ps_rep_json_str(b, pi->build);
    ps_buf_adds(b, ", \"edition\": ");
    ps_rep_json_str(b, pi->edition);
    ps_buf_adds(b, ", \"host\": ");
    ps_rep_json_str(b, pi->host);
    ps_buf_adds(b, ", \"arch\": ");
    ps_rep_json_str(b, pi->arch);
    ps_buf_adds(b, ", \"machine\": ");
    ps_rep_json_str(b, pi->machine);
    ps_buf_addc(b, '}');
}

void ps_rep_json_build(ps_buf *b, const ps_run *run)
{
    int counts[PS_OUTCOME_COUNT], i;
    ps_rep_counts(run, counts);
    ps_buf_adds(b, "{\n  \"report_version\": 1,\n  \"platform\": ");
    ps_rep_json_str(b, STR(run->platform));
    platform_info_json(b, &run->pinfo);
    if (run->shard_n > 0)
        ps_buf_printf(b, ",\n  \"shard\": {\"k\": %d, \"n\": %d}", run->shard_k, run->shard_n);
    if (run->selected > 0) ps_buf_printf(b, ",\n  \"selected\": %d", run->selected);
    ps_buf_adds(b, ",\n  \"harness_version\": ");
    ps_rep_json_str(b, STR(run->harness_version));
    ps_buf_adds(b, ",\n  \"started\": ");
    ps_rep_json_str(b, STR(run->started));
    ps_buf_adds(b, ",\n  \"wall_ms\": ");
    ps_buf_fixed(b, run->wall_ms, 3);
    ps_buf_printf(b, ",\n  \"strict\": %s,\n  \"jobs\": %d", run->strict ? "true" : "false",
                  run->jobs);
    ps_buf_adds(b, ",\n  \"summary\": {");
    for (i = 0; i < PS_OUTCOME_COUNT; i++)
        ps_buf_printf(b, "\"%s\": %d, ", ps_outcome_name((ps_outcome)i), counts[i]);
    ps_buf_printf(b, "\"total\": %d},\n", run->ncases);
    ps_buf_printf(b, "  \"exit_status\": %d,\n", ps_run_exit_status(run));
    ps_buf_adds(b, "  \"cases\": [");
    for (i = 0; i < run->ncases; i++) {
        ps_buf_adds(b, i ? ",\n    " : "\n    ");
        case_json(b, &run->cases[i]);
    }
    ps_buf_adds(b, run->ncases ? "\n  ]\n}\n" : "]\n}\n");
}

int ps_report_json(FILE *f, const ps_run *run)
{
    ps_buf b;
    ps_buf_init(&b);
    ps_rep_json_build(&b, run);
    return ps_rep_write(f, &b);
}
