/* pipespec_compare: pipespec's diff and merge as a native program, for machines that
 * only look at reports (a CI job that joins the shards of other jobs, a developer
 * comparing two runs). Same code and options as `pipespec diff` and `pipespec merge`:
 *     pipespec_compare diff A B        pipespec_compare merge --out DIR REPORT... */
#define _POSIX_C_SOURCE 200809L /* mkdir, stat */
#include "compare.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int make_dir(const char *path)
{
    struct stat st;
    if (mkdir(path, 0777) == 0) return 0;
    return errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(ps_compare_usage(), argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    return ps_compare_main(argc - 1, argv + 1, make_dir);
}
