/* ci/portability: MSVC has no <stdatomic.h>; the Windows half must not include it. */
#error "<stdatomic.h> is not in MSVC's C runtime"
