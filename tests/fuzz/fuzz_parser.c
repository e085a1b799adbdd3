/* fuzz_parser: libFuzzer target for the case parser and the expectation matcher.
 * Build and run (clang, from Debian's clang package):
 *   cmake -S . -B build/fuzz -DCMAKE_C_COMPILER=clang -DPIPESPEC_FUZZ=ON
 *   cmake --build build/fuzz --target fuzz_parser
 *   build/fuzz/fuzz_parser -max_total_time=60 CORPUS_DIR   (e.g. a copy of every scenarios case)
 * Any input must give either a case or a list of errors: never a crash, a leak or
 * an out-of-bounds access (ASan and UBSan are on). */
#include "expect.h"
#include "psutil.h"
#include "scenario.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = ps_xstrndup((const char *)data, size);
    ps_diag d;
    ps_case *c;
    memset(&d, 0, sizeof d);
    c = ps_parse_case("fuzz.case", text, &d);
    if (c) {
        int i;
        char msg[1024];
        ps_actual a;
        memset(&a, 0, sizeof a);
        a.error = size % 300;
        ps_actual_set(&a, "bytes", "%lu", (unsigned long)size);
        for (i = 0; i < c->nsteps; i++) {
            ps_judge(&c->steps[i], &a, (int)(size & 1), (int)(size & 2), 1.0, msg, sizeof msg);
        }
        ps_case_free(c);
    }
    ps_diag_free(&d);
    free(text);
    return 0;
}
