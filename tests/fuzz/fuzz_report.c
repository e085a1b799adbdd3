/* fuzz_report: libFuzzer target for reading report.json back (the JSON reader and
 * ps_report_parse) and for diff on what was read. Build and run (clang):
 *   cmake -S . -B build/fuzz -DCMAKE_C_COMPILER=clang -DPIPESPEC_FUZZ=ON
 *   cmake --build build/fuzz --target fuzz_report
 *   build/fuzz/fuzz_report -max_total_time=60 CORPUS_DIR   (e.g. a few report.json files)
 * Any input must give either a run or a message: never a crash, a leak or an
 * out-of-bounds access (ASan and UBSan are on). */
#include "compare.h"
#include "psutil.h"
#include "results.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = ps_xstrndup((const char *)data, size), err[512];
    ps_run run;
    if (ps_report_parse(text, strlen(text), "fuzz.json", &run, err, sizeof err) == 0) {
        ps_diff d;
        ps_buf b;
        ps_diff_runs(&run, &run, &d);
        if (d.n != 0) abort(); /* a run always agrees with itself */
        ps_diff_free(&d);
        ps_buf_init(&b);
        {
            ps_run *cols[1];
            cols[0] = &run;
            ps_matrix_html(&b, cols, 1);
        }
        ps_buf_free(&b);
        ps_run_free(&run);
    }
    free(text);
    return 0;
}
