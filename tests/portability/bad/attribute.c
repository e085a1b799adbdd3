/* expect: poisoned identifier */
__attribute__((unused)) static int g;
int f(void) { return 0; }
