/* faulty_client: the sample's client with one deliberate fault, chosen by --fault,
 * to prove that the client suite catches it (tests/e2e/faulty_programs.sh).
 *   faulty_client --fault NAME --pipe NAME
 * Faults (each one departure from docs/CONTRACT.md):
 *   none             faithful (the control: must pass the whole suite)
 *   read-only        opens with GENERIC_READ only                        (C1)
 *   no-nul           request without its terminating NUL (54 bytes)      (C2)
 *   double-request   sends the request twice                             (C2)
 *   no-read-mode     never switches to message-read mode                 (C3)
 *   no-more-data     treats ERROR_MORE_DATA as an error: no read loop    (C3)
 *   no-busy-retry    gives up at once on ERROR_PIPE_BUSY                 (C4)
 *   waits-forever    WaitNamedPipe(NMPWAIT_WAIT_FOREVER)                  (C5)
 *   exit-zero        exits 0 whatever happened                           (C6, C7)
 *   hang             never reads the response                            (C8)
 *   crash            crashes after sending                               (C8)
 * Faithful variant (must pass the client suite: issue 10):
 *   reads-to-end     after the response, reads on until the server disconnects
 *                    (ERROR_PIPE_NOT_CONNECTED or ERROR_BROKEN_PIPE), which works
 *                    against the sample's server because it disconnects */
#include <windows.h>
#include <stdio.h>
#include <string.h>

static const wchar_t REQUEST[] = L"Default request from client";

static int fault_is(const char *f, const char *name) { return strcmp(f, name) == 0; }

static int run(const char *fault, const wchar_t *name)
{
    HANDLE h;
    DWORD n, mode = PIPE_READMODE_MESSAGE, err;
    wchar_t buf[1024];
    BOOL ok;
    for (;;) {
        h = CreateFileW(name, fault_is(fault, "read-only") ? GENERIC_READ : GENERIC_READ | GENERIC_WRITE,
                        0, NULL, OPEN_EXISTING, 0, NULL);
        if (h != INVALID_HANDLE_VALUE) break;
        err = GetLastError();
        if (err != ERROR_PIPE_BUSY || fault_is(fault, "no-busy-retry")) return (int)err;
        if (!WaitNamedPipeW(name, fault_is(fault, "waits-forever") ? NMPWAIT_WAIT_FOREVER : 5000))
            return (int)GetLastError();
    }
    if (!fault_is(fault, "no-read-mode") && !SetNamedPipeHandleState(h, &mode, NULL, NULL))
        return (int)GetLastError();
    if (!WriteFile(h, REQUEST, fault_is(fault, "no-nul") ? sizeof REQUEST - sizeof(wchar_t) : sizeof REQUEST, &n, NULL))
        return (int)GetLastError();
    if (fault_is(fault, "double-request")) WriteFile(h, REQUEST, sizeof REQUEST, &n, NULL);
    if (fault_is(fault, "hang")) Sleep(INFINITE);
    if (fault_is(fault, "crash")) {
        volatile int *p = NULL;
        *p = 1;
    }
    do {
        ok = ReadFile(h, buf, sizeof buf, &n, NULL);
        err = ok ? 0 : GetLastError();
        if (!ok && err == ERROR_MORE_DATA && fault_is(fault, "no-more-data")) break;
    } while (!ok && err == ERROR_MORE_DATA);
    if (!err && fault_is(fault, "reads-to-end")) {
        do ok = ReadFile(h, buf, sizeof buf, &n, NULL);
        while (ok || GetLastError() == ERROR_MORE_DATA);
        err = GetLastError();
        if (err == ERROR_PIPE_NOT_CONNECTED || err == ERROR_BROKEN_PIPE) err = 0; /* the end */
    }
    CloseHandle(h);
    return (int)err;
}

int main(int argc, char **argv)
{
    const char *fault = "none", *pipe = "SamplePipe";
    wchar_t name[300];
    int i, rc;
    for (i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--fault")) fault = argv[i + 1];
        else if (!strcmp(argv[i], "--pipe")) pipe = argv[i + 1];
    }
    swprintf(name, 300, L"\\\\.\\pipe\\%hs", pipe);
    rc = run(fault, name);
    return fault_is(fault, "exit-zero") ? 0 : rc;
}
