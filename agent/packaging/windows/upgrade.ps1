<#
.SYNOPSIS
  Actualiza el agente Enlace / upgrades the Enlace agent.

.DESCRIPTION
  Ejecútelo como Administrador desde la carpeta descomprimida del paquete NUEVO. Detiene el
  servicio, copia los archivos nuevos a %ProgramFiles%\Enlace, actualiza el servicio y lo vuelve a
  iniciar. No toca %ProgramData%\Enlace: las credenciales y las observaciones en cola se conservan.
  Run it as Administrator from the NEW bundle's unzipped folder: it stops the service, copies the
  new files, updates the service and starts it again; data and queued observations are kept.

    powershell -ExecutionPolicy Bypass -File .\upgrade.ps1 [-JavaHome CARPETA]
#>
[CmdletBinding()]
param(
  [string]$JavaHome
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Service -Name 'EnlaceAgent' -ErrorAction SilentlyContinue)) {
  Write-Host 'El servicio EnlaceAgent no está instalado: use install.ps1.' -ForegroundColor Red
  Write-Host 'The EnlaceAgent service is not installed: use install.ps1.' -ForegroundColor Red
  exit 1
}
$args2 = @{}
if ($JavaHome) { $args2['JavaHome'] = $JavaHome }
& (Join-Path $PSScriptRoot 'install.ps1') @args2
exit $LASTEXITCODE
