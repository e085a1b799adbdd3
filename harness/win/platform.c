/* platform.c: platform detection and small Win32 helpers. */
#include "platform.h"
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

const char *ps_platform_describe(void)
{
    static char buf[160];
    if (buf[0]) return buf;
    if (ps_wine_version()) {
        snprintf(buf, sizeof buf, "Wine %s", ps_wine_version());
    } else {
        OSVERSIONINFOW vi;
        HMODULE nt = GetModuleHandleW(L"ntdll.dll");
        rtl_get_version_fn f =
            nt ? (rtl_get_version_fn)(void (*)(void))GetProcAddress(nt, "RtlGetVersion") : NULL;
        memset(&vi, 0, sizeof vi);
        vi.dwOSVersionInfoSize = sizeof vi;
        if (f) f(&vi);
        snprintf(buf, sizeof buf, "Windows %lu.%lu build %lu", vi.dwMajorVersion,
                 vi.dwMinorVersion, vi.dwBuildNumber);
    }
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

const char *ps_scenarios_dir(void)
{
    static char *found;
    static int done;
    if (!done) {
        char *beside = ps_sprintf("%s\\scenarios", ps_exe_dir());
        char *build = ps_sprintf("%s\\..\\..\\scenarios", ps_exe_dir());
        if (is_dir("scenarios")) found = ps_xstrdup("scenarios");
        else if (is_dir(beside)) found = ps_xstrdup(beside);
        else if (is_dir(build)) found = ps_xstrdup(build);
        free(beside);
        free(build);
        done = 1;
    }
    return found;
}

typedef WCHAR *(CDECL *wine_dos_name_fn)(const char *);

char *ps_translate_cmdline(const char *cmd)
{
    const char *p = cmd, *end;
    char *prog, *out;
    HMODULE k32;
    wine_dos_name_fn f;
    WCHAR *dos;
    int quoted;
    while (*p == ' ') p++;
    quoted = *p == '"';
    if (quoted) p++;
    if (*p != '/' || !ps_platform_is_wine()) return ps_xstrdup(cmd);
    end = quoted ? strchr(p, '"') : strchr(p, ' ');
    if (!end) end = p + strlen(p);
    k32 = GetModuleHandleW(L"kernel32.dll");
    f = k32 ? (wine_dos_name_fn)(void (*)(void))GetProcAddress(k32, "wine_get_dos_file_name") : NULL;
    if (!f) return ps_xstrdup(cmd);
    prog = ps_xstrndup(p, (size_t)(end - p));
    dos = f(prog);
    free(prog);
    if (!dos) return ps_xstrdup(cmd);
    {
        char *d = ps_utf8(dos);
        HeapFree(GetProcessHeap(), 0, dos);
        out = ps_sprintf("\"%s\"%s", d, quoted ? end + 1 : end);
        free(d);
    }
    return out;
}
