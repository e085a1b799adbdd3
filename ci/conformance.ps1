# ci\conformance.ps1: on Windows, what ci/conformance does on Debian: finds or installs
# CMake, builds the Windows programs (MSVC; set PIPESPEC_TOOLCHAIN=mingw for MinGW-w64
# from PATH), runs the sample's own exchange, then the whole catalogue natively, with
# the remote cases through the SMB redirector. Arguments go to the harness:
#   ci\conformance.ps1 --report-dir out --select 'busy.*'
. (Join-Path $PSScriptRoot 'common.ps1')
$toolchain = if ($env:PIPESPEC_TOOLCHAIN) { $env:PIPESPEC_TOOLCHAIN } else { 'msvc' }
$cmake = Find-CMake
$bin = Invoke-Build $cmake $toolchain
Set-Location $Repo
if ($args.Count -eq 0) { $null = Invoke-SampleExchange $bin }
& (Join-Path $bin 'pipespec.exe') run @args
exit $LASTEXITCODE
