/* sample_common.h: helpers shared by the reference server and client (see
 * sample_common.c for each one's contract). */
#ifndef SAMPLE_COMMON_H
#define SAMPLE_COMMON_H
#include <windows.h>
#include <stddef.h>

void flush_out(void);
wchar_t **split_command_line(const wchar_t *cmd, int *argc);
int parse_count(const wchar_t *s, unsigned long *value);
void fill_message(unsigned char *buf, size_t size, const wchar_t *text);
int printable_units(const wchar_t *buf, DWORD cb);
#endif
