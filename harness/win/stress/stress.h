/* stress.h: `pipespec stress`, the load and soak test of a named-pipe server
 * (docs/STRESS.md). Its files are harness/win/stress/ (Win32) and
 * harness/core/stress/ (portable). */
#ifndef PS_STRESS_H
#define PS_STRESS_H
/* Runs `pipespec stress` with the arguments after "stress": 0 pass,
 * 1 fail, 2 usage or harness error. */
int ps_stress_main(int argc, char **argv);
#endif
