/* A small stand-in for Wine's include/wine/test.h, written for pipespec (no Wine code):
 * just enough of its conventions to compile and run a test that `pipespec repro
 * --style winetest` wrote, outside Wine's tree. ok(cond, fmt, ...) counts a check and
 * prints fmt when it fails; todo_wine marks the checks inside it as known to fail on
 * Wine (a failure there counts as "todo", a success as a failure); broken(cond) is
 * cond on Windows and false on Wine; START_TEST(name) defines main(), which runs the
 * test and prints "N tests executed (T marked as todo, F failures)". */
#ifndef PIPESPEC_WINE_TEST_STUB_H
#define PIPESPEC_WINE_TEST_STUB_H
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>

static int winetest_executed, winetest_todo_count, winetest_failures, winetest_todo_level;

static inline int winetest_on_wine(void)
{
    HMODULE nt = GetModuleHandleW(L"ntdll.dll");
    return nt && GetProcAddress(nt, "wine_get_version") != NULL;
}

static inline void winetest_check(const char *file, int line, int cond, const char *fmt, ...)
{
    va_list ap;
    int todo = winetest_todo_level > 0 && winetest_on_wine();
    winetest_executed++;
    if (todo && !cond) {
        winetest_todo_count++;
        printf("%s:%d: Test marked todo: ", file, line);
    } else if (todo && cond) {
        winetest_failures++;
        printf("%s:%d: Test succeeded inside todo block: ", file, line);
    } else if (!cond) {
        winetest_failures++;
        printf("%s:%d: Test failed: ", file, line);
    } else
        return;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

static inline int winetest_todo_once(int *done)
{
    if (*done) {
        winetest_todo_level--;
        return 0;
    }
    *done = 1;
    winetest_todo_level++;
    return 1;
}

#define ok(cond, ...) winetest_check(__FILE__, __LINE__, (cond) ? 1 : 0, __VA_ARGS__)
#define broken(cond) (!winetest_on_wine() && (cond))
#define todo_wine for (int winetest_done_ = 0; winetest_todo_once(&winetest_done_);)
#define START_TEST(name)                                                                   \
    static void func_##name(void);                                                         \
    int main(void)                                                                         \
    {                                                                                      \
        func_##name();                                                                     \
        printf("%s: %d tests executed (%d marked as todo, %d failures), 0 skipped.\n",     \
               #name, winetest_executed, winetest_todo_count, winetest_failures);          \
        return winetest_failures != 0;                                                     \
    }                                                                                      \
    static void func_##name(void)
#endif
