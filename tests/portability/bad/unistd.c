/* expect: is not in MSVC */
#include <unistd.h>
int f(void) { return 0; }
