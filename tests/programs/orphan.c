/* orphan.c: a program that leaves a process of its own behind, for the harness's
 * isolation test (tests/e2e/isolation.sh): it starts a copy of itself that sleeps for
 * 30 s, prints "child started" and exits 0. The copy is a grandchild of the case
 * process and outlives the case; the runner must notice and not reuse the process.
 * `orphan --read-stdin` instead reads its stdin to the end and prints "stdin: N bytes":
 * a program under test must see an empty stdin, never the case process's own (on
 * which the runner sends the next case). */
#include <windows.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    wchar_t exe[MAX_PATH], cmd[MAX_PATH + 32];
    if (argc > 1 && !strcmp(argv[1], "--sleep")) {
        Sleep(30000);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "--read-stdin")) {
        char buf[256];
        DWORD n, total = 0;
        while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), buf, sizeof buf, &n, NULL) && n > 0) total += n;
        printf("stdin: %lu bytes\n", total);
        return 0;
    }
    if (!GetModuleFileNameW(NULL, exe, MAX_PATH)) return 1;
    _snwprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" --sleep", exe);
    cmd[sizeof cmd / sizeof cmd[0] - 1] = 0;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES; /* no handle of ours: only the job can tell it is there */
    si.hStdInput = si.hStdOutput = si.hStdError = NULL;
    if (!CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
        printf("CreateProcessW failed with error %lu\n", GetLastError());
        return 1;
    }
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    printf("child started\n");
    fflush(stdout);
    return 0;
}
