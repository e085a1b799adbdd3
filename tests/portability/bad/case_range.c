/* expect: -Wgnu-case-range */
int f(int n) { switch (n) { case 1 ... 3: return 1; default: return 0; } }
