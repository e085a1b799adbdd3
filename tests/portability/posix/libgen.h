/* ci/portability: MSVC has no <libgen.h>; the Windows half must not include it. */
#error "<libgen.h> is not in MSVC's C runtime"
