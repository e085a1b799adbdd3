# A PowerShell script with a syntax error (ci/pssyntax --self-test): an if whose
# condition is not closed.
function Test-It([int]$x) {
    if ($x -eq 1 { return "one" }
}
