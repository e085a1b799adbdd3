/* expect: -Wgnu-statement-expression */
int f(int n) { return ({ n + 1; }); }
