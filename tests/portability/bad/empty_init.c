/* expect: -Wgnu-empty-initializer */
int f(void) { int a[2] = {}; return a[0]; }
