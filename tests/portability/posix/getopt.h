/* ci/portability: MSVC has no <getopt.h>; the Windows half must not include it. */
#error "<getopt.h> is not in MSVC's C runtime"
