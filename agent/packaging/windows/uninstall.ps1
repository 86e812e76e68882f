<#
.SYNOPSIS
  Desinstala el agente Enlace / uninstalls the Enlace agent.

.DESCRIPTION
  Ejecútelo como Administrador. Detiene y elimina el servicio EnlaceAgent y borra
  %ProgramFiles%\Enlace. Los datos (%ProgramData%\Enlace: credenciales, observaciones aún no
  enviadas, registros) se CONSERVAN, salvo con -RemoveData.
  Run it as Administrator: stops and deletes the EnlaceAgent service and deletes
  %ProgramFiles%\Enlace. The data in %ProgramData%\Enlace is KEPT unless -RemoveData is given.

    powershell -ExecutionPolicy Bypass -File "C:\Program Files\Enlace\uninstall.ps1" [-RemoveData]
#>
[CmdletBinding()]
param(
  [switch]$RemoveData
)
$ErrorActionPreference = 'Stop'
$ServiceName = 'EnlaceAgent'
$InstallDir = Join-Path $env:ProgramFiles 'Enlace'
$DataDir = Join-Path $env:ProgramData 'Enlace'

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  Write-Host 'Ejecute este script como Administrador. / Run this script as Administrator.' -ForegroundColor Red
  exit 1
}

$svc = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($svc) {
  if ($svc.Status -ne 'Stopped') {
    Stop-Service -Name $ServiceName -Force
    $svc.WaitForStatus('Stopped', (New-TimeSpan -Seconds 60))
  }
  $prunsrv = Join-Path $InstallDir 'prunsrv.exe'
  if (Test-Path -LiteralPath $prunsrv) {
    & $prunsrv "//DS//$ServiceName"
  } else {
    & sc.exe delete $ServiceName | Out-Null
  }
}
# The script may run from the install folder: leave the folder for Windows to finish.
Set-Location -Path $env:SystemRoot
if (Test-Path -LiteralPath $InstallDir) {
  Remove-Item -LiteralPath $InstallDir -Recurse -Force -ErrorAction SilentlyContinue
}
if ($RemoveData) {
  Remove-Item -LiteralPath $DataDir -Recurse -Force
  Write-Host "Borrado / deleted: $DataDir"
} else {
  Write-Host "Se conservan los datos en $DataDir (bórrelos a mano si el PC sale de la red Enlace)."
  Write-Host "Data kept in $DataDir (delete it by hand when the PC leaves the Enlace fleet)."
}
exit 0
