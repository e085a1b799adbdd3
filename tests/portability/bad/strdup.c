/* expect: poisoned identifier */
#include <string.h>
char *f(const char *s) { return strdup(s); }
