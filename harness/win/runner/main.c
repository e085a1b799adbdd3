/* main.c: pipespec's entry point. Parses the command line (portable, core/cli.c) and
 * hands over to the runner, the case process, or stress. */
#include "platform.h"
#include "case.h"
#include "cli.h"
#include "compare.h"
#include "runner.h"
#include "stress.h"
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --version: the version, the platform this process sees and the catalogue that
 * `pipespec run` with no path would use (a full path). */
static void print_version(void)
{
    const char *dir = ps_scenarios_dir();
    printf("pipespec %s\n", PIPESPEC_VERSION);
    printf("platform:  %s\n", ps_platform_describe());
    printf("folder:    %s\n", ps_exe_dir());
    if (dir) {
        wchar_t full[MAX_PATH * 2], *w = ps_wide(dir);
        DWORD n = GetFullPathNameW(w, MAX_PATH * 2, full, NULL);
        char *u = n > 0 && n < MAX_PATH * 2 ? ps_utf8(full) : ps_xstrdup(dir);
        printf("scenarios: %s\n", u);
        free(u);
        free(w);
    } else {
        printf("scenarios: none found (no scenarios folder here or beside pipespec.exe)\n");
    }
}

/* For pipespec merge: creates a folder (a UTF-8 path); 0, or -1 unless it exists. */
static int make_dir(const char *path)
{
    wchar_t *w = ps_wide(path);
    DWORD attr;
    int rc = 0;
    if (!CreateDirectoryW(w, NULL)) {
        attr = GetFileAttributesW(w);
        rc = attr != INVALID_FILE_ATTRIBUTES && (attr & FILE_ATTRIBUTE_DIRECTORY) ? 0 : -1;
    }
    free(w);
    return rc;
}

int main(int argc, char **argv)
{
    ps_options o;
    char err[512];
    char *cmdline;
    /* "\n" line ends on every stream, console or pipe: logs and CI parsers read them */
    _setmode(_fileno(stdout), _O_BINARY);
    _setmode(_fileno(stderr), _O_BINARY);
    /* argv as UTF-8, whatever the code page */
    /* argv as UTF-8 from the wide command line, whatever the code page (split here
     * rather than with shell32's CommandLineToArgvW: loading shell32 costs every case
     * process ~20 ms under Wine) */
    cmdline = ps_utf8(GetCommandLineW());
    argv = ps_split_cmdline(cmdline, &argc);
    free(cmdline);
    if (argc >= 2 && !strcmp(argv[1], "__io-helper")) /* a case's helper process (case_iocp.c) */
        return ps_io_helper_main(argc, argv);
    if (ps_cli_parse(argc, argv, &o, err, sizeof err) != 0) {
        fprintf(stderr, "pipespec: %s\n\n%s", err, ps_cli_usage());
        return 2;
    }
    switch (o.cmd) {
    case PS_CMD_HELP: fputs(ps_cli_usage(), stdout); return 0;
    case PS_CMD_VERSION: print_version(); return 0;
    case PS_CMD_CHILD: {
        ps_child_opts c;
        memset(&c, 0, sizeof c);
        c.file = o.child_file;
        c.pipe = o.child_pipe;
        c.strict = o.strict;
        c.time_scale = o.timeout_scale;
        c.timeout_ms = o.child_timeout_ms ? o.child_timeout_ms : o.timeout_ms;
        c.host = o.host;
        c.server_cmd = o.server_cmd;
        c.client_cmd = o.client_cmd;
        c.server_pipe = o.server_pipe;
        /* --standby: the cases come on stdin (FILE \t PIPE \t TIMEOUT_MS \n) */
        if (o.standby) return ps_child_serve(&c, o.max_cases > 0 ? o.max_cases : 1);
        return ps_child_main(&c);
    }
    case PS_CMD_STRESS: return ps_stress_main(o.stress_argc, o.stress_argv);
    case PS_CMD_COMPARE: return ps_compare_main(o.compare_argc, o.compare_argv, make_dir);
    case PS_CMD_REPRO: return ps_repro_main(&o);
    case PS_CMD_REDUCE: return ps_reduce_main(&o);
    default: return ps_runner_main(&o);
    }
}
