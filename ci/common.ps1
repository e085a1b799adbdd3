# ci\common.ps1: what ci\test.ps1 and ci\conformance.ps1 share (dot-sourced): find or
# install CMake, configure and build the Windows programs with MSVC or MinGW-w64, and
# find the built programs. Windows only; the Debian side is ci/build.
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$Repo = Split-Path -Parent $PSScriptRoot

# CMake: on PATH, else the one Visual Studio ships (found with vswhere), else installed
# with winget (Kitware.CMake). Returns the path of cmake.exe.
function Find-CMake {
    $c = Get-Command cmake -ErrorAction SilentlyContinue
    if ($c) { return $c.Source }
    $vswhere = Join-Path ${env:ProgramFiles(x86)} 'Microsoft Visual Studio\Installer\vswhere.exe'
    if (Test-Path $vswhere) {
        $vs = & $vswhere -latest -products * -property installationPath
        if ($vs) {
            $p = Join-Path $vs 'Common7\IDE\CommonExtensions\Microsoft\CMake\CMake\bin\cmake.exe'
            if (Test-Path $p) { return $p }
        }
    }
    $winget = Get-Command winget -ErrorAction SilentlyContinue
    if ($winget) {
        Write-Host 'ci: CMake not found: installing it with winget (Kitware.CMake)'
        & winget install --id Kitware.CMake -e --silent --accept-package-agreements --accept-source-agreements | Out-Host
        $p = Join-Path $env:ProgramFiles 'CMake\bin\cmake.exe'
        if (Test-Path $p) { return $p }
    }
    throw 'ci: CMake was not found and could not be installed: install it (https://cmake.org or winget install Kitware.CMake) and run this again'
}

# Configures and builds into build-TOOLCHAIN\ (Release); returns the folder of the programs.
# (Inside these functions every program's output goes to Out-Host: anything else would
# become part of the function's return value.)
#   msvc:  the Visual Studio generator (the newest Visual Studio installed), x64, /W4 /WX
#   mingw: MinGW-w64 gcc from PATH (MSYS2's ucrt64\bin or mingw64\bin), Ninja or MinGW Makefiles
function Invoke-Build([string]$Cmake, [string]$Toolchain) {
    $b = Join-Path $Repo "build-$Toolchain"
    $conf = @('-S', $Repo, '-B', $b)
    if ($Toolchain -eq 'msvc') {
        $conf += @('-A', 'x64')
    } elseif ($Toolchain -eq 'mingw') {
        if (-not (Get-Command gcc -ErrorAction SilentlyContinue)) {
            throw 'ci: gcc is not on PATH: add MSYS2''s ucrt64\bin (pacman -S mingw-w64-ucrt-x86_64-gcc)'
        }
        $gen = if (Get-Command ninja -ErrorAction SilentlyContinue) { 'Ninja' } else { 'MinGW Makefiles' }
        $conf += @('-G', $gen, '-DCMAKE_C_COMPILER=gcc', '-DCMAKE_BUILD_TYPE=Release')
    } else {
        throw "ci: unknown toolchain '$Toolchain' (msvc or mingw)"
    }
    & $Cmake @conf | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "ci: configuring ($Toolchain) failed" }
    & $Cmake --build $b --config Release --parallel | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "ci: the build ($Toolchain) failed" }
    foreach ($d in @((Join-Path $b 'Release'), $b)) {
        if (Test-Path (Join-Path $d 'pipespec.exe')) { return $d }
    }
    throw "ci: pipespec.exe was not built under $b"
}

# Runs the sample's own exchange (reference_server, then reference_client) as its ReadMe
# shows it; returns $true when both ended with 0.
function Invoke-SampleExchange([string]$Bin) {
    $pipe = "SamplePipe-$PID"
    $out = Join-Path ([IO.Path]::GetTempPath()) "pipespec-server-$PID.txt"
    $srv = Start-Process -FilePath (Join-Path $Bin 'reference_server.exe') -ArgumentList '--pipe', $pipe `
        -NoNewWindow -PassThru -RedirectStandardOutput $out
    $null = $srv.Handle  # keeps the exit code readable after the process ends
    for ($i = 0; $i -lt 100; $i++) {
        if ((Test-Path $out) -and (Select-String -Path $out -Pattern 'Waiting for the client' -Quiet)) { break }
        Start-Sleep -Milliseconds 50
    }
    Write-Host "== the sample's exchange (reference_server, reference_client) =="
    Write-Host '-- client:'
    & (Join-Path $Bin 'reference_client.exe') --pipe $pipe | Out-Host
    $crc = $LASTEXITCODE
    if (-not $srv.WaitForExit(10000)) { $srv.Kill(); Write-Host 'ci: the reference server did not end' }
    Write-Host '-- server:'
    Get-Content $out | Write-Host
    Remove-Item $out -ErrorAction SilentlyContinue
    return ($crc -eq 0 -and $srv.ExitCode -eq 0)
}
