/* requirements.c: see requirements.h. */
#include "requirements.h"
#include "errors.h"
#include "platform.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------- requirements ---------------- */
/* The platform probes behind `requires` and --host run once, on the main thread,
 * before any worker starts (ps_probe_requirements); the workers only read the
 * results, so no worker can see a probe half done. */
static struct {
    int host_ok;
    char host_why[300];
    int redir_probed, has_redirector;
    char redir_why[256];
} probes;

/* A test hook: PIPESPEC_TEST_PROBE_DELAY_MS makes every probe this much slower, the
 * way a real SMB open of a remote host is, to prove the workers wait for it. */
static void probe_delay(void)
{
    char v[32];
    DWORD n = GetEnvironmentVariableA("PIPESPEC_TEST_PROBE_DELAY_MS", v, sizeof v);
    if (n > 0 && n < sizeof v) Sleep((DWORD)strtoul(v, NULL, 10));
}

/* --host HOST: can this machine reach \\HOST\pipe\ at all? When it cannot (no
 * redirector, as under Wine), every case is SKIP with the reason. */
static void probe_host(const char *host)
{
    wchar_t *w;
    char *name;
    HANDLE c;
    DWORD e;
    char en[64];
    name = ps_sprintf("\\\\%s\\pipe\\pipespec-probe-%lu", host, GetCurrentProcessId());
    w = ps_wide(name);
    SetLastError(0xdeadbeef);
    c = CreateFileW(w, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    e = GetLastError();
    free(w);
    free(name);
    if (c != INVALID_HANDLE_VALUE) CloseHandle(c);
    probe_delay();
    /* a reachable host answers for a missing pipe with ERROR_FILE_NOT_FOUND */
    probes.host_ok = c != INVALID_HANDLE_VALUE || e == ERROR_FILE_NOT_FOUND || e == ERROR_PIPE_BUSY;
    if (!probes.host_ok)
        snprintf(probes.host_why, sizeof probes.host_why,
                 "cannot reach \\\\%s\\pipe\\ from here (%s%s)", host,
                 ps_error_format(e, en, sizeof en),
                 ps_platform_is_wine() ? "; Wine has no network redirector for pipes" : "");
}

static void probe_redirector(void)
{
    wchar_t name[128], remote[160];
    HANDLE s, c;
    probes.redir_probed = 1;
    swprintf(name, 128, L"\\\\.\\pipe\\pipespec-probe-%lu", GetCurrentProcessId());
    swprintf(remote, 160, L"\\\\localhost\\pipe\\pipespec-probe-%lu", GetCurrentProcessId());
    s = CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 64, 64, 0, NULL);
    if (s == INVALID_HANDLE_VALUE) {
        char en[64];
        snprintf(probes.redir_why, sizeof probes.redir_why,
                 "harness: the redirector probe could not create its local pipe (%s)",
                 ps_error_format(GetLastError(), en, sizeof en));
        return;
    }
    SetLastError(0xdeadbeef);
    c = CreateFileW(remote, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (c != INVALID_HANDLE_VALUE) {
        probes.has_redirector = 1;
        CloseHandle(c);
    } else {
        DWORD e = GetLastError();
        char en[64];
        snprintf(probes.redir_why, sizeof probes.redir_why,
                 "no network redirector: opening \\\\localhost\\pipe\\... failed with %s",
                 ps_error_format(e, en, sizeof en));
    }
    CloseHandle(s);
    probe_delay();
}

/* Word w (length n) is in the space-separated list? */
int ps_has_word(const char *list, const char *w, size_t n)
{
    const char *q = list;
    while (q && *q) {
        size_t len;
        while (*q == ' ') q++;
        len = strcspn(q, " ");
        if (len == n && !strncmp(q, w, n)) return 1;
        q += len;
    }
    return 0;
}

/* Runs the probes the selected cases need, once, before the workers start. */
void ps_probe_requirements(const ps_case *const *sel, int nsel, const ps_options *o)
{
    int i;
    if (o->host) probe_host(o->host);
    for (i = 0; i < nsel && !probes.redir_probed; i++)
        if (sel[i]->requires && (ps_has_word(sel[i]->requires, "redirector", 10) ||
                                 ps_has_word(sel[i]->requires, "!redirector", 11)))
            probe_redirector();
}

static int is_admin(void)
{
    SID_IDENTIFIER_AUTHORITY nt = {SECURITY_NT_AUTHORITY};
    PSID admins;
    BOOL member = FALSE;
    if (AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0,
                                 0, 0, 0, 0, &admins)) {
        CheckTokenMembership(NULL, admins, &member);
        FreeSid(admins);
    }
    return member;
}

/* 0 when every requirement holds, else 1 with the SKIP reason in why. Reads the
 * probes' results only: safe on any worker thread. */
int ps_unmet(const ps_case *c, const ps_options *o, char *why, size_t whylen)
{
    const char *q;
    if (o->host && !probes.host_ok) {
        snprintf(why, whylen, "%s", probes.host_why);
        return 1;
    }
    for (q = c->requires; q && *q;) {
        char word[64];
        size_t len;
        int neg, have;
        const char *r, *what;
        while (*q == ' ') q++;
        len = strcspn(q, " ");
        if (!len) break;
        snprintf(word, sizeof word, "%.*s", (int)len, q);
        q += len;
        neg = word[0] == '!';
        r = word + neg;
        if (!strcmp(r, "redirector")) {
            if (!probes.redir_probed) { /* cannot happen: the probe runs for every case that needs it */
                snprintf(why, whylen, "harness: the redirector probe did not run");
                return 1;
            }
            have = probes.has_redirector, what = probes.redir_why;
        } else if (!strcmp(r, "windows")) have = !ps_platform_is_wine(), what = "needs Windows (this is Wine)";
        else if (!strcmp(r, "wine")) have = ps_platform_is_wine(), what = "needs Wine";
        else if (!strcmp(r, "admin")) have = is_admin(), what = "needs an administrator";
        else if (!strcmp(r, "second-machine") || !strcmp(r, "host")) have = o->host != NULL, what = "needs a second machine: give --host HOST";
        else if (!strcmp(r, "server-cmd")) have = o->server_cmd != NULL, what = "needs a server under test: give --server-cmd (needs a fresh server per case)";
        else if (!strcmp(r, "client-cmd")) have = o->client_cmd != NULL, what = "needs a client under test: give --client-cmd";
        else if (!strcmp(r, "server-pipe")) have = o->server_pipe != NULL, what = "needs --server-pipe";
        else {
            snprintf(why, whylen, "harness: unknown requirement '%s'", r);
            return 1;
        }
        if (neg && have) {
            if (!strcmp(r, "server-pipe"))
                snprintf(why, whylen, "needs a fresh server per case; --server-pipe targets one that is already running");
            else
                snprintf(why, whylen, "not for this platform: requires !%s", r);
            return 1;
        }
        if (!neg && !have) {
            snprintf(why, whylen, "%s", what);
            return 1;
        }
    }
    return 0;
}

