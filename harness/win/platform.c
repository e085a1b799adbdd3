/* platform.c: platform detection and small Win32 helpers. */
#include "platform.h"
#include "cli.h"
#include "results.h"
#include <stdlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef const char *(CDECL *wine_get_version_fn)(void);
typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOW *);

const char *ps_wine_version(void)
{
    static int done;
    static const char *v;
    if (!done) {
        HMODULE nt = GetModuleHandleW(L"ntdll.dll");
        wine_get_version_fn f =
            nt ? (wine_get_version_fn)(void (*)(void))GetProcAddress(nt, "wine_get_version") : NULL;
        v = f ? f() : NULL;
        done = 1;
    }
    return v;
}

int ps_platform_is_wine(void) { return ps_wine_version() != NULL; }

/* A string value of HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion, UTF-8
 * (malloc'ed), or NULL. */
static char *cv_string(const wchar_t *name)
{
    wchar_t buf[256];
    DWORD size = sizeof buf;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", name,
                     RRF_RT_REG_SZ, NULL, buf, &size) != ERROR_SUCCESS || !buf[0])
        return NULL;
    return ps_utf8(buf);
}

static DWORD cv_dword(const wchar_t *name)
{
    DWORD v = 0, size = sizeof v;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", name,
                     RRF_RT_REG_DWORD, NULL, &v, &size) != ERROR_SUCCESS)
        return 0;
    return v;
}

static const char *arch_name(WORD a)
{
    switch (a) {
    case PROCESSOR_ARCHITECTURE_AMD64: return "x86_64";
    case PROCESSOR_ARCHITECTURE_INTEL: return "x86";
    case PROCESSOR_ARCHITECTURE_ARM: return "arm";
    case 12: return "arm64"; /* PROCESSOR_ARCHITECTURE_ARM64, missing from older headers */
    default: return "unknown";
    }
}

/* The product as Windows names it: "Windows 10 Pro 22H2 (Professional)". Windows 11
 * still calls itself "Windows 10" in ProductName; build 22000 is its first. */
static char *edition_of(DWORD build)
{
    char *product = cv_string(L"ProductName"), *display = cv_string(L"DisplayVersion"), *out;
    char *edition = cv_string(L"EditionID");
    if (!display) display = cv_string(L"ReleaseId");
    if (product && build >= 22000 && !strncmp(product, "Windows 10", 10)) product[9] = '1';
    if (!product) out = NULL;
    else
        out = ps_sprintf("%s%s%s%s%s%s", product, display ? " " : "", display ? display : "",
                         edition ? " (" : "", edition ? edition : "", edition ? ")" : "");
    free(product);
    free(display);
    free(edition);
    return out;
}

typedef void(CDECL *wine_host_fn)(const char **, const char **);
typedef const char *(CDECL *wine_build_fn)(void);

static void fill_wine(ps_platform_info *pi, HMODULE nt)
{
    wine_host_fn host = (wine_host_fn)(void (*)(void))GetProcAddress(nt, "wine_get_host_version");
    wine_build_fn build = (wine_build_fn)(void (*)(void))GetProcAddress(nt, "wine_get_build_id");
    const char *sys = NULL, *rel = NULL;
    pi->os = ps_xstrdup("Wine");
    pi->version = ps_xstrdup(ps_wine_version());
    pi->build = build && build() ? ps_xstrdup(build()) : NULL;
    if (host) host(&sys, &rel);
    if (sys) pi->host = ps_sprintf("%s%s%s", sys, rel ? " " : "", rel ? rel : "");
}

/* The Windows version the system presents (RtlGetVersion: not subject to the
 * compatibility manifest, so under Wine the version the prefix is set to). */
static void presented_version(HMODULE nt, OSVERSIONINFOW *vi)
{
    rtl_get_version_fn f = nt ? (rtl_get_version_fn)(void (*)(void))GetProcAddress(nt, "RtlGetVersion") : NULL;
    memset(vi, 0, sizeof *vi);
    vi->dwOSVersionInfoSize = sizeof *vi;
    if (f) f(vi);
}

static void fill_windows(ps_platform_info *pi, HMODULE nt, OSVERSIONINFOW *vi)
{
    DWORD ubr;
    presented_version(nt, vi);
    ubr = cv_dword(L"UBR");
    if (!pi->os) pi->os = ps_xstrdup("Windows");
    pi->edition = edition_of(vi->dwBuildNumber);
    if (pi->version) return; /* Wine: the Windows version it presents is the edition */
    pi->version = ps_sprintf("%lu.%lu.%lu.%lu", vi->dwMajorVersion, vi->dwMinorVersion, vi->dwBuildNumber, ubr);
    pi->build = ps_sprintf("%lu.%lu", vi->dwBuildNumber, ubr);
}

void ps_platform_fill(ps_platform_info *pi)
{
    HMODULE nt = GetModuleHandleW(L"ntdll.dll");
    OSVERSIONINFOW vi;
    SYSTEM_INFO native;
    wchar_t name[256];
    DWORD n = 256;
    const char *mine;
    memset(pi, 0, sizeof *pi);
    if (ps_wine_version() && nt) fill_wine(pi, nt);
    fill_windows(pi, nt, &vi);
    if (pi->edition && ps_wine_version()) { /* "Microsoft Windows 10 Pro ... (Professional), as 10.0.19045" */
        char *e = ps_sprintf("%s, as %lu.%lu.%lu", pi->edition, vi.dwMajorVersion, vi.dwMinorVersion, vi.dwBuildNumber);
        free(pi->edition);
        pi->edition = e;
    }
    GetNativeSystemInfo(&native);
#if defined(_M_ARM64) || defined(__aarch64__)
    mine = "arm64";
#elif defined(_WIN64)
    mine = "x86_64";
#else
    mine = "x86";
#endif
    if (strcmp(mine, arch_name(native.wProcessorArchitecture)))
        pi->arch = ps_sprintf("%s on %s", mine, arch_name(native.wProcessorArchitecture));
    else
        pi->arch = ps_xstrdup(mine);
    if (GetComputerNameExW(ComputerNameDnsHostname, name, &n) || (n = 256, GetComputerNameW(name, &n)))
        pi->machine = ps_utf8(name);
}

const char *ps_platform_describe(void)
{
    static char buf[400];
    ps_platform_info pi;
    if (buf[0]) return buf;
    ps_platform_fill(&pi);
    if (ps_wine_version()) { /* with the Windows version the prefix presents */
        const char *b = pi.build && !strncmp(pi.build, "wine-", 5) ? pi.build + 5 : pi.build;
        OSVERSIONINFOW vi;
        presented_version(GetModuleHandleW(L"ntdll.dll"), &vi);
        snprintf(buf, sizeof buf, "Wine %s presenting Windows %lu.%lu.%lu%s%s, %s", b ? b : pi.version,
                 vi.dwMajorVersion, vi.dwMinorVersion, vi.dwBuildNumber, pi.host ? " on " : "",
                 pi.host ? pi.host : "", pi.arch);
    } else {
        snprintf(buf, sizeof buf, "%s build %s, %s", pi.edition ? pi.edition : "Windows", pi.build, pi.arch);
    }
    ps_platform_info_free(&pi);
    return buf;
}

wchar_t *ps_wide(const char *s)
{
    int n;
    wchar_t *w;
    if (!s) return NULL;
    n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    w = ps_xmalloc(sizeof(wchar_t) * (size_t)(n > 0 ? n : 1));
    if (n <= 0) w[0] = 0;
    else MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
    return w;
}

char *ps_utf8n(const wchar_t *w, int len)
{
    int n;
    char *s;
    if (!w) return NULL;
    n = WideCharToMultiByte(CP_UTF8, 0, w, len, NULL, 0, NULL, NULL);
    s = ps_xmalloc((size_t)(n > 0 ? n : 0) + 1);
    if (n > 0) WideCharToMultiByte(CP_UTF8, 0, w, len, s, n, NULL, NULL);
    s[n > 0 ? n : 0] = 0;
    return s;
}

char *ps_utf8(const wchar_t *w)
{
    return w ? ps_utf8n(w, (int)wcslen(w)) : NULL;
}

double ps_now_ms(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER c;
    if (!freq.QuadPart) QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&c);
    return (double)c.QuadPart * 1000.0 / (double)freq.QuadPart;
}

const char *ps_exe_dir(void)
{
    static char *dir;
    if (!dir) {
        wchar_t path[MAX_PATH * 2];
        DWORD n = GetModuleFileNameW(NULL, path, MAX_PATH * 2);
        while (n > 0 && path[n - 1] != L'\\' && path[n - 1] != L'/') n--;
        if (n > 0) n--;
        path[n] = 0;
        dir = ps_utf8(path);
    }
    return dir;
}

static int is_dir(const char *path)
{
    wchar_t *w = ps_wide(path);
    DWORD attr = GetFileAttributesW(w);
    free(w);
    return attr != INVALID_FILE_ATTRIBUTES && (attr & FILE_ATTRIBUTE_DIRECTORY);
}

typedef WCHAR *(CDECL *wine_dos_name_fn)(const char *);
static char *dos_path_of(wine_dos_name_fn f, const char *unix_path);

const char *ps_scenarios_dir(void)
{
    static char *found;
    static int done;
    if (!done) {
        /* PIPESPEC_SCENARIOS first (the Linux launcher sets it to the source tree's, so a
         * build folder anywhere finds them; a Unix path is translated under Wine) */
        char env[MAX_PATH * 3];
        DWORD n = GetEnvironmentVariableA("PIPESPEC_SCENARIOS", env, sizeof env);
        if (n > 0 && n < sizeof env) {
            char *d = NULL;
            if (env[0] == '/' && ps_platform_is_wine()) {
                HMODULE k32 = GetModuleHandleW(L"kernel32.dll");
                wine_dos_name_fn f = k32 ? (wine_dos_name_fn)(void (*)(void))GetProcAddress(k32, "wine_get_dos_file_name") : NULL;
                if (f) d = dos_path_of(f, env);
            }
            if (is_dir(d ? d : env)) found = ps_xstrdup(d ? d : env);
            free(d);
        }
    }
    if (!done && !found) {
        char *beside = ps_sprintf("%s\\scenarios", ps_exe_dir());
        char *build = ps_sprintf("%s\\..\\..\\scenarios", ps_exe_dir());
        if (is_dir("scenarios")) found = ps_xstrdup("scenarios");
        else if (is_dir(beside)) found = ps_xstrdup(beside);
        else if (is_dir(build)) found = ps_xstrdup(build);
        free(beside);
        free(build);
    }
    done = 1;
    return found;
}


/* A Unix path as Wine sees it (Z:\\...), when it names an existing file or folder;
 * NULL otherwise. */
static char *dos_path_of(wine_dos_name_fn f, const char *unix_path)
{
    WCHAR *dos;
    char *d;
    if (unix_path[0] != '/') return NULL;
    dos = f(unix_path);
    if (!dos) return NULL;
    if (GetFileAttributesW(dos) == INVALID_FILE_ATTRIBUTES) {
        HeapFree(GetProcessHeap(), 0, dos);
        return NULL;
    }
    d = ps_utf8(dos);
    HeapFree(GetProcessHeap(), 0, dos);
    return d;
}

char *ps_translate_cmdline(const char *cmd)
{
    HMODULE k32;
    wine_dos_name_fn f;
    char **argv;
    int argc, i, changed = 0;
    ps_buf out;
    if (!ps_platform_is_wine()) return ps_xstrdup(cmd);
    k32 = GetModuleHandleW(L"kernel32.dll");
    f = k32 ? (wine_dos_name_fn)(void (*)(void))GetProcAddress(k32, "wine_get_dos_file_name") : NULL;
    if (!f) return ps_xstrdup(cmd);
    /* the program, and every argument that is an existing absolute Unix path (an
     * interpreter's script, a data file), become the paths Wine's programs can open */
    argv = ps_split_cmdline(cmd, &argc);
    ps_buf_init(&out);
    for (i = 0; i < argc; i++) {
        char *d = dos_path_of(f, argv[i]);
        if (i) ps_buf_addc(&out, ' ');
        if (d) changed = 1;
        {
            const char *a = d ? d : argv[i];
            if (*a && !strpbrk(a, " \t\"")) ps_buf_adds(&out, a); /* as it was: cmd.exe reads raw words */
            else ps_quote_arg(&out, a);
        }
        free(d);
    }
    ps_free_argv(argv);
    if (!changed) {
        ps_buf_free(&out);
        return ps_xstrdup(cmd);
    }
    return ps_buf_steal(&out);
}

void ps_iso_now(char *buf, size_t n)
{
    SYSTEMTIME st;
    GetSystemTime(&st);
    snprintf(buf, n, "%04u-%02u-%02uT%02u:%02u:%02uZ", st.wYear, st.wMonth, st.wDay, st.wHour,
             st.wMinute, st.wSecond);
}

/* One lock for every process start of this process, so the handles made inheritable
 * for one child are never inherited by another started at the same moment. */
static SRWLOCK spawn_lock = SRWLOCK_INIT;

BOOL ps_spawn(wchar_t *cmd, const HANDLE *inherit, int ninherit, STARTUPINFOW *si, DWORD flags,
              PROCESS_INFORMATION *pi, DWORD *err)
{
    BOOL ok = FALSE;
    int attempt, i;
    for (attempt = 0; attempt < 4; attempt++) {
        AcquireSRWLockExclusive(&spawn_lock);
        for (i = 0; i < ninherit; i++) SetHandleInformation(inherit[i], HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
        SetLastError(0xdeadbeef);
        ok = CreateProcessW(NULL, cmd, NULL, NULL, TRUE, flags, NULL, NULL, si, pi);
        *err = ok ? 0 : GetLastError();
        for (i = 0; i < ninherit; i++) SetHandleInformation(inherit[i], HANDLE_FLAG_INHERIT, 0);
        ReleaseSRWLockExclusive(&spawn_lock);
        if (ok || *err != ERROR_INTERNAL_ERROR) break;
        Sleep(50u << attempt);
    }
    return ok;
}

void ps_own_handles(ps_handle_set *hs, ULONG_PTR upto, int gap)
{
    ULONG_PTR h;
    int misses = 0;
    hs->n = 0;
    for (h = 4; h < ((ULONG_PTR)1 << 26) && (h <= upto || misses < gap); h += 4) {
        DWORD flags;
        if (GetHandleInformation((HANDLE)h, &flags)) {
            if (hs->n == hs->cap) hs->v = ps_xrealloc(hs->v, sizeof *hs->v * (hs->cap = hs->cap ? hs->cap * 2 : 64));
            hs->v[hs->n++] = h;
            misses = 0;
        } else if (h > upto)
            misses++;
    }
}
