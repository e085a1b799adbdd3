#!/usr/bin/env bash
# The random-case fuzzer (ci/fuzz-cases) for a short budget: generated valid cases run
# under Wine must never crash the case process. ci/fuzz runs it for longer.
set -uo pipefail
src=${PIPESPEC_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$src/ci/fuzz-cases" "${PIPESPEC_FUZZ_CASES_SECONDS:-45}"
