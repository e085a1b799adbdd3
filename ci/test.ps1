# ci\test.ps1: on Windows, what ci/test does on Debian, for one toolchain:
#   ci\test.ps1 [-Toolchain msvc|mingw] [-ReportDir reports]
# finds or installs CMake; builds with MSVC (/W4 /WX, the Visual Studio generator) or
# MinGW-w64 (gcc from PATH: MSYS2's ucrt64\bin); runs the unit tests when Criterion was
# found (ctest); then, natively, the sample's exchange, the whole catalogue, the server
# suite against reference_server.exe and the client suite against reference_client.exe;
# then makes the release zip (CPack), unpacks it into an empty folder and runs the
# catalogue from another folder with the unpacked pipespec.exe. Each run writes its
# reports to REPORTDIR\NAME\ (report.json, junit.xml, report.tap, report.html).
# Exit status: 0 when everything passed; 1 otherwise (each failure is named at the end).
param(
    [ValidateSet('msvc', 'mingw')][string]$Toolchain = 'msvc',
    [string]$ReportDir = 'reports'
)
. (Join-Path $PSScriptRoot 'common.ps1')
$failed = New-Object System.Collections.Generic.List[string]
$cmake = Find-CMake
$bin = Invoke-Build $cmake $Toolchain
$b = Join-Path $Repo "build-$Toolchain"
Set-Location $Repo
if (-not [IO.Path]::IsPathRooted($ReportDir)) { $ReportDir = Join-Path $Repo $ReportDir }
New-Item -ItemType Directory -Force -Path $ReportDir | Out-Null
$exe = Join-Path $bin 'pipespec.exe'

& $exe --version
if ($LASTEXITCODE -ne 0) { $failed.Add('pipespec --version') }

# unit tests: only where the build found Criterion
$ctest = Join-Path (Split-Path $cmake) 'ctest.exe'
if (Test-Path (Join-Path $b 'CTestTestfile.cmake')) {
    & $ctest --test-dir $b -C Release --output-on-failure '--no-tests=ignore'
    if ($LASTEXITCODE -ne 0) { $failed.Add('unit tests (ctest)') }
}

if (-not (Invoke-SampleExchange $bin)) { $failed.Add("the sample's exchange") }

# the catalogue, then the suites against the reference programs
function Invoke-Run([string]$Name, [string[]]$Extra) {
    Write-Host "== $Name =="
    & $exe run --no-progress --report-dir (Join-Path $ReportDir $Name) @Extra
    if ($LASTEXITCODE -ne 0) { $failed.Add("$Name (exit $LASTEXITCODE)") }
}
# (a path is quoted only when it has a space: Windows PowerShell 5.1 passes embedded
# quotes to a program wrongly, PowerShell 7 rightly)
function Format-Program([string]$Path) { if ($Path -match ' ') { return "`"$Path`"" } return $Path }
$server = Format-Program (Join-Path $bin 'reference_server.exe')
$client = Format-Program (Join-Path $bin 'reference_client.exe')
Invoke-Run 'catalogue' @()
Invoke-Run 'server-suite' @('--server-cmd', "$server --pipe {pipe} --clients {clients}")
Invoke-Run 'client-suite' @('--client-cmd', "$client --pipe {pipe}")

# the release zip, unpacked into an empty folder and run from another one
$cpack = Join-Path (Split-Path $cmake) 'cpack.exe'  # not Chocolatey's cpack on PATH
Push-Location $b
& $cpack -C Release
$cpackRc = $LASTEXITCODE
Pop-Location
$zip = Get-ChildItem -Path $b -Filter 'pipespec-*-win64.zip' -ErrorAction SilentlyContinue | Select-Object -First 1
if ($cpackRc -ne 0 -or -not $zip) {
    $failed.Add('cpack: no pipespec-VERSION-win64.zip')
} else {
    $tmp = Join-Path ([IO.Path]::GetTempPath()) "pipespec-zip-$PID"
    $elsewhere = Join-Path ([IO.Path]::GetTempPath()) "pipespec-elsewhere-$PID"
    New-Item -ItemType Directory -Force -Path $tmp, $elsewhere | Out-Null
    Expand-Archive -Path $zip.FullName -DestinationPath $tmp
    $unpacked = Join-Path $tmp $zip.BaseName
    Copy-Item $zip.FullName $ReportDir
    Push-Location $elsewhere
    & (Join-Path $unpacked 'pipespec.exe') --version
    & (Join-Path $unpacked 'pipespec.exe') run --no-progress --report-dir (Join-Path $ReportDir 'zip')
    if ($LASTEXITCODE -ne 0) { $failed.Add("the catalogue from the unpacked zip (exit $LASTEXITCODE)") }
    Pop-Location
    Remove-Item -Recurse -Force $tmp, $elsewhere -ErrorAction SilentlyContinue
}

if ($failed.Count -gt 0) {
    Write-Host "ci\test.ps1 ($Toolchain): FAILED: $($failed -join '; ')"
    exit 1
}
Write-Host "ci\test.ps1 ($Toolchain): everything passed"
exit 0
