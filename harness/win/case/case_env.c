/* case_env.c: the case process's line protocol to the parent, and the variables
 * and arguments of steps ({pipe}, names, sizes, timeouts). */
#include "case_internal.h"

/* ---------------- output to the parent ---------------- */
void cp_emit(const char *s)
{
    DWORD w;
    EnterCriticalSection(&the_case.out_lock);
    WriteFile(the_case.out, s, (DWORD)strlen(s), &w, NULL);
    LeaveCriticalSection(&the_case.out_lock);
}

void cp_clean_tabs(char *s)
{
    for (; *s; s++)
        if (*s == '\t' || *s == '\n' || *s == '\r') *s = ' ';
}

void cp_finish(ps_outcome o, int line, const char *reason) /* never returns */
{
    ps_buf out;
    int i;
    cp_emit_outputs();
    ps_buf_init(&out);
    ps_proto_verdict(&out, o, line, reason ? reason : "");
    cp_emit(out.data);
    ps_buf_free(&out);
    for (i = 0; i < the_case.nactors; i++) {
        actor *a = the_case.actors[i];
        if (a->role == PS_ROLE_PROC && a->started) TerminateProcess(a->pi.hProcess, 1);
    }
    cp_end_case(); /* serving: back to the next case when the process is clean */
    FlushFileBuffers(the_case.out);
    TerminateProcess(GetCurrentProcess(), 0);
    ExitProcess(0);
}

/* ---------------- variables and names ---------------- */
char *cp_expand(const char *s)
{
    ps_buf b;
    const char *q = s;
    ps_buf_init(&b);
    while (*q) {
        if (*q == '{') {
            const char *e = strchr(q, '}');
            if (e) {
                char name[64];
                size_t n = (size_t)(e - q - 1);
                if (n < sizeof name) {
                    memcpy(name, q + 1, n);
                    name[n] = 0;
                    if (!strcmp(name, "pipe")) ps_buf_adds(&b, the_case.o->pipe);
                    else if (!strcmp(name, "computer")) {
                        wchar_t cn[MAX_COMPUTERNAME_LENGTH + 2];
                        DWORD len = MAX_COMPUTERNAME_LENGTH + 1;
                        char *u;
                        if (!GetComputerNameW(cn, &len)) cn[0] = 0;
                        u = ps_utf8(cn);
                        ps_buf_adds(&b, u);
                        free(u);
                    } else if (!strcmp(name, "host")) ps_buf_adds(&b, the_case.o->host ? the_case.o->host : "localhost");
                    else if (!strcmp(name, "bin")) ps_buf_adds(&b, ps_exe_dir());
                    else if (!strcmp(name, "srcdir")) ps_buf_adds(&b, the_case.srcdir);
                    else if (!strcmp(name, "reference_server")) ps_buf_printf(&b, "%s\\reference_server.exe", ps_exe_dir());
                    else if (!strcmp(name, "reference_client")) ps_buf_printf(&b, "%s\\reference_client.exe", ps_exe_dir());
                    else if (!strcmp(name, "server_cmd") || !strcmp(name, "client_cmd")) {
                        /* the implementation under test, else the reference program */
                        int srv = name[0] == 's';
                        const char *user = srv ? the_case.o->server_cmd : the_case.o->client_cmd;
                        char *e2 = cp_expand(user ? user
                                          : srv ? "\"{reference_server}\" --pipe {pipe}"
                                                : "\"{reference_client}\" --pipe {pipe}");
                        ps_buf_adds(&b, e2);
                        free(e2);
                    } else if (!strcmp(name, "clients")) ps_buf_printf(&b, "%d", the_case.clients);
                    q = e + 1;
                    continue;
                }
            }
        }
        ps_buf_addc(&b, *q++);
    }
    return ps_buf_steal(&b);
}

/* The pipe name of a step: name=..., or the case's own pipe (on --host's machine for
 * the client side). */
wchar_t *cp_pipe_name(const ps_step *s, int client_side)
{
    const char *n = ps_arg_get(s, "name");
    char *e;
    wchar_t *w;
    if (n) e = cp_expand(n);
    else if (client_side && the_case.o->host) e = ps_sprintf("\\\\%s\\pipe\\%s", the_case.o->host, the_case.o->pipe);
    else if (client_side && the_case.o->server_pipe) e = ps_sprintf("\\\\.\\pipe\\%s", the_case.o->server_pipe);
    else e = ps_sprintf("\\\\.\\pipe\\%s", the_case.o->pipe);
    w = ps_wide(e);
    free(e);
    return w;
}

unsigned long long cp_size_arg(const ps_step *s, const char *key, unsigned long long def)
{
    const char *v = ps_arg_get(s, key);
    unsigned long long n;
    if (v && ps_parse_size(v, &n) == 0) return n;
    return def;
}

int cp_bool_arg(const ps_step *s, const char *key)
{
    const char *v = ps_arg_get(s, key);
    return v && (!strcmp(v, "1") || !strcmp(v, "yes"));
}

/* WaitNamedPipe/CreateNamedPipe timeouts: default -> 0, forever -> 0xffffffff. */
DWORD cp_ms_arg(const ps_step *s, const char *key, DWORD def)
{
    const char *v = ps_arg_get(s, key);
    long ms;
    if (!v) return def;
    if (!strcmp(v, "default")) return NMPWAIT_USE_DEFAULT_WAIT;
    if (!strcmp(v, "forever")) return NMPWAIT_WAIT_FOREVER;
    if (!strcmp(v, "nowait")) return NMPWAIT_NOWAIT;
    if (ps_parse_ms(v, &ms) == 0) return (DWORD)ms;
    return def;
}
