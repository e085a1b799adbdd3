/* repro_cli.c: `pipespec repro CASE [--out FILE] [--style plain|winetest]`: writes the
 * case as a standalone C program (the generator is portable: core/repro.c). */
#include "platform.h"
#include "psutil.h"
#include "repro.h"
#include "runner.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ps_repro_main(const ps_options *o)
{
    ps_diag d;
    ps_case *c;
    ps_repro_opts ro;
    char *text, *err = NULL, *ext, *cmd;
    const char *why;
    int i;
    memset(&d, 0, sizeof d);
    c = ps_load_case(o->paths[0], &d);
    if (!c) {
        for (i = 0; i < d.count; i++) fprintf(stderr, "%s\n", d.msgs[i]);
        if (!d.count) fprintf(stderr, "pipespec repro: cannot read %s\n", o->paths[0]);
        ps_diag_free(&d);
        return 2;
    }
    why = ps_repro_unexportable(c);
    if (why) {
        fprintf(stderr, "pipespec repro: %s cannot be exported: %s\n", c->id, why);
        ps_case_free(c);
        return 2;
    }
    cmd = ps_sprintf("pipespec repro %s%s%s%s", o->paths[0], o->winetest ? " --style winetest" : "",
                     o->out ? " --out " : "", o->out ? o->out : "");
    memset(&ro, 0, sizeof ro);
    ro.style = o->winetest ? PS_REPRO_WINETEST : PS_REPRO_PLAIN;
    ro.command = cmd;
    text = ps_repro_generate(c, &ro, &err);
    free(cmd);
    if (!text) {
        fprintf(stderr, "pipespec repro: %s\n", err ? err : "cannot write the program");
        free(err);
        ps_case_free(c);
        return 2;
    }
    ext = ps_repro_externals(c);
    if (ext) {
        fprintf(stderr, "pipespec repro: %s starts external programs; only the pipe side is exported, "
                        "the program must be given when it runs:\n%s", c->id, ext);
        free(ext);
    }
    if (o->out) {
        if (ps_write_file(o->out, text, strlen(text)) != 0) {
            fprintf(stderr, "pipespec repro: cannot write %s\n", o->out);
            free(text);
            ps_case_free(c);
            return 2;
        }
        fprintf(stderr, "pipespec repro: wrote %s\n", o->out);
    } else
        fwrite(text, 1, strlen(text), stdout);
    free(text);
    ps_case_free(c);
    return 0;
}
