/* compare_cli.c: the diff and merge subcommands (compare.h), shared by pipespec.exe
 * (harness/win/main.c) and the native pipespec_compare (harness/tools). */
#include "compare.h"
#include "psutil.h"
#include "report.h"
#include "results.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPORTS 256

const char *ps_compare_usage(void)
{
    return
"usage: pipespec diff [--markdown FILE] [--html FILE] [--quiet] A B\n"
"       pipespec merge [--out DIR] REPORT...\n"
"\n"
"A, B, REPORT: a report.json, or a folder holding one (a --report-dir).\n"
"diff: compares run B against run A case by case and step by step: outcomes, and each\n"
"  step's verdict, return value, error code and fields; cases or steps only in one run.\n"
"  Timings, pipe names, handles and process ids are not compared (a time window is\n"
"  compared through the step's verdict). The table goes to the console; --markdown and\n"
"  --html write it to FILE as well; --quiet prints only the closing line.\n"
"  Exit status: 0 the runs agree, 1 they differ, 2 bad input.\n"
"merge: joins reports. Shards of one platform (--shard K/N runs) become one run:\n"
"  report.json, junit.xml, report.tap and report.html in DIR (default: merged). Runs of\n"
"  several platforms are each joined into DIR/PLATFORM/, and matrix.html in DIR shows\n"
"  cases down and platforms across. matrix.html is written in every case.\n"
"  Exit status: 0 written, 1 cannot write, 2 bad input.\n";
}

static int write_out(const char *path, ps_buf *b)
{
    int rc = ps_write_file(path, b->data, b->len);
    if (rc != 0) fprintf(stderr, "pipespec: cannot write %s\n", path);
    return rc;
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "pipespec: %s%s%s\n\n%s", msg, arg ? " " : "", arg ? arg : "", ps_compare_usage());
    return 2;
}

static int diff_main(int argc, char **argv)
{
    const char *md = NULL, *html = NULL, *files[2];
    int i, nf = 0, quiet = 0, rc;
    ps_run a, b;
    ps_diff d;
    ps_buf out;
    char err[1024];
    for (i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "--markdown") || !strcmp(argv[i], "--html")) && i + 1 < argc) {
            if (argv[i][2] == 'm') md = argv[++i];
            else html = argv[++i];
        } else if (!strcmp(argv[i], "--quiet")) quiet = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(ps_compare_usage(), stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) return usage_error("unknown option or missing value:", argv[i]);
        else if (nf < 2) files[nf++] = argv[i];
        else return usage_error("diff compares two reports; one too many:", argv[i]);
    }
    if (nf != 2) return usage_error("diff needs two reports, A and B", NULL);
    if (ps_report_load(files[0], &a, err, sizeof err) != 0) {
        fprintf(stderr, "pipespec: %s\n", err);
        return 2;
    }
    if (ps_report_load(files[1], &b, err, sizeof err) != 0) {
        fprintf(stderr, "pipespec: %s\n", err);
        ps_run_free(&a);
        return 2;
    }
    ps_diff_runs(&a, &b, &d);
    rc = d.n ? 1 : 0;
    ps_buf_init(&out);
    ps_diff_console(&out, &d, &a, &b, files[0], files[1]);
    if (quiet) {
        const char *last = out.data + out.len - 1;
        while (last > out.data && last[-1] != '\n') last--;
        fputs(last, stdout);
    } else {
        fputs(out.data, stdout);
    }
    ps_buf_free(&out);
    if (md) {
        ps_buf_init(&out);
        ps_diff_markdown(&out, &d, &a, &b, files[0], files[1]);
        if (write_out(md, &out) != 0) rc = 2;
        ps_buf_free(&out);
    }
    if (html) {
        ps_buf_init(&out);
        ps_diff_html(&out, &d, &a, &b, files[0], files[1]);
        if (write_out(html, &out) != 0) rc = 2;
        ps_buf_free(&out);
    }
    ps_diff_free(&d);
    ps_run_free(&a);
    ps_run_free(&b);
    return rc;
}

/* A folder name for a platform: its letters and digits, the rest as '-'. */
static char *slug(const char *platform, int col)
{
    ps_buf b;
    const char *p;
    ps_buf_init(&b);
    for (p = platform ? platform : ""; *p && b.len < 64; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.') ps_buf_addc(&b, c);
        else if (b.len && b.data[b.len - 1] != '-') ps_buf_addc(&b, '-');
    }
    while (b.len && b.data[b.len - 1] == '-') b.data[--b.len] = 0;
    ps_buf_printf(&b, "%s%d", b.len ? "-" : "platform-", col + 1);
    return ps_buf_steal(&b);
}

/* Groups runs by platform, merges each group into merged[] (ngroups of them). */
static int merge_groups(ps_run **runs, char **names, int n, ps_run *merged, int *ngroups)
{
    int i, k, g = 0, rc = 0;
    int *group = ps_xcalloc((size_t)n + 1, sizeof *group);
    for (i = 0; i < n; i++) {
        group[i] = -1;
        for (k = 0; k < i && group[i] < 0; k++)
            if (!strcmp(runs[k]->platform, runs[i]->platform)) group[i] = group[k];
        if (group[i] < 0) group[i] = g++;
    }
    for (k = 0; k < g && rc == 0; k++) {
        ps_run *members[MAX_REPORTS];
        const char *first = NULL;
        char err[1024];
        int m = 0;
        for (i = 0; i < n; i++)
            if (group[i] == k) {
                if (!first) first = names[i];
                members[m++] = runs[i];
            }
        if (ps_merge_runs(members, m, &merged[k], err, sizeof err) != 0) {
            fprintf(stderr, "pipespec: %s (the reports of %s, starting with %s)\n", err, members[0]->platform, first);
            rc = -1;
            for (i = 0; i < k; i++) ps_run_free(&merged[i]);
        } else if (err[0]) {
            fprintf(stderr, "pipespec: %s: %s\n", merged[k].platform, err);
        }
    }
    free(group);
    *ngroups = rc == 0 ? g : 0;
    return rc;
}

static int write_sets(const char *out, ps_run *merged, int g, int (*mkdir_fn)(const char *))
{
    int k, rc = 0;
    ps_run *cols[MAX_REPORTS];
    ps_buf b;
    char *path;
    for (k = 0; k < g; k++) {
        char *s = slug(merged[k].platform, k), *dir = g > 1 ? ps_sprintf("%s/%s", out, s) : ps_xstrdup(out);
        const char *failed = NULL;
        if (g > 1 && mkdir_fn(dir) != 0) {
            fprintf(stderr, "pipespec: cannot create the folder %s\n", dir);
            rc = 1;
        } else if (ps_report_all(dir, &merged[k], &failed) != 0) {
            fprintf(stderr, "pipespec: cannot write %s in %s\n", failed ? failed : "a report", dir);
            rc = 1;
        } else {
            printf("%s: %d case(s) of %s\n", dir, merged[k].ncases, merged[k].platform);
        }
        free(s);
        free(dir);
        cols[k] = &merged[k];
    }
    ps_buf_init(&b);
    ps_matrix_html(&b, cols, g);
    path = ps_sprintf("%s/matrix.html", out);
    if (write_out(path, &b) != 0) rc = 1;
    else printf("%s: %d platform(s)\n", path, g);
    free(path);
    ps_buf_free(&b);
    return rc;
}

static int merge_main(int argc, char **argv, int (*mkdir_fn)(const char *))
{
    const char *out = "merged";
    char *names[MAX_REPORTS];
    ps_run runs[MAX_REPORTS], *ptrs[MAX_REPORTS], merged[MAX_REPORTS];
    int i, n = 0, g = 0, rc = 0;
    char err[1024];
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(ps_compare_usage(), stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) return usage_error("unknown option or missing value:", argv[i]);
        else if (n >= MAX_REPORTS) return usage_error("too many reports; at most 256", NULL);
        else names[n++] = argv[i];
    }
    if (n == 0) return usage_error("merge needs at least one report", NULL);
    for (i = 0; i < n && rc == 0; i++) {
        if (ps_report_load(names[i], &runs[i], err, sizeof err) != 0) {
            fprintf(stderr, "pipespec: %s\n", err);
            while (i-- > 0) ps_run_free(&runs[i]);
            return 2;
        }
        ptrs[i] = &runs[i];
    }
    if (merge_groups(ptrs, names, n, merged, &g) != 0) rc = 2;
    for (i = 0; i < n; i++) ps_run_free(&runs[i]);
    if (rc) return rc;
    if (mkdir_fn(out) != 0) {
        fprintf(stderr, "pipespec: cannot create the folder %s\n", out);
        rc = 1;
    } else {
        rc = write_sets(out, merged, g, mkdir_fn);
    }
    for (i = 0; i < g; i++) ps_run_free(&merged[i]);
    return rc;
}

int ps_compare_main(int argc, char **argv, int (*mkdir_fn)(const char *path))
{
    if (argc >= 1 && !strcmp(argv[0], "diff")) return diff_main(argc, argv);
    if (argc >= 1 && !strcmp(argv[0], "merge")) return merge_main(argc, argv, mkdir_fn);
    return usage_error("expected diff or merge", NULL);
}
