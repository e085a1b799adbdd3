/* ci/portability: MSVC has no <alloca.h>; the Windows half must not include it. */
#error "<alloca.h> is not in MSVC's C runtime"
