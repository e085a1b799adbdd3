/* expect: -Wgnu-conditional-omitted-operand */
int f(int n) { return n ?: 2; }
