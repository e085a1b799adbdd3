/* ci/portability: MSVC has no <dirent.h>; the Windows half must not include it. */
#error "<dirent.h> is not in MSVC's C runtime"
