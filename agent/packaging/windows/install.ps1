<#
.SYNOPSIS
  Instala (o actualiza) el agente Enlace como servicio de Windows.
  Installs (or updates) the Enlace agent as a Windows service.

.DESCRIPTION
  Ejecútelo como Administrador desde la carpeta descomprimida del paquete.
  Run it as Administrator from the unzipped bundle's folder.

    powershell -ExecutionPolicy Bypass -File .\install.ps1 -Server https://enlace.example.gov.co:8443 -TokenFile C:\token.txt

  - Copia enlace-agent.jar, prunsrv.exe y los scripts a %ProgramFiles%\Enlace.
  - Datos (credenciales, cola de observaciones, registros) en %ProgramData%\Enlace, solo para
    SYSTEM, Administradores y la cuenta virtual del servicio (NT SERVICE\EnlaceAgent).
  - Servicio "EnlaceAgent" (procrun, Apache Commons Daemon): inicio automático retrasado,
    reinicio si falla, cuenta virtual NT SERVICE\EnlaceAgent.
  - Inscribe el PC con el token si aún no está inscrito (existe credentials.properties).
  - Java 17 o posterior: Eclipse Temurin, Microsoft Build of OpenJDK, Amazon Corretto u Oracle
    Java (o -JavaHome).

  Código de salida / exit code: 0 bien / fine; 1 error; 3 sin inscribir / not enrolled (no token
  given); 4 el servidor rechazó la inscripción / the server refused the enrollment; 5 servidor
  inalcanzable / server unreachable.

.PARAMETER Server
  URL del servidor Enlace / the Enlace server's URL (needed to enroll).
.PARAMETER TokenFile
  Archivo con el token de inscripción (UTF-8, UTF-8 con BOM o UTF-16: como lo guarde el Bloc de
  notas o PowerShell) / enrollment token file, in any encoding Notepad or PowerShell writes.
.PARAMETER Kind
  office (oficina, por defecto) o kiosk (kiosco / biblioteca).
.PARAMETER JavaHome
  Carpeta de un Java 17+ / a Java 17+ folder (default: the newest one found).
.PARAMETER CaFile
  Certificado (PEM) de la CA privada del municipio / the municipality's private CA certificate.
#>
[CmdletBinding()]
param(
  [string]$Server,
  [string]$TokenFile,
  [ValidateSet('office', 'kiosk')][string]$Kind = 'office',
  [string]$JavaHome,
  [string]$CaFile
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

$ServiceName = 'EnlaceAgent'
$ServiceAccount = 'NT SERVICE\EnlaceAgent'
$InstallDir = Join-Path $env:ProgramFiles 'Enlace'
$DataDir = Join-Path $env:ProgramData 'Enlace'
$LogDir = Join-Path $DataDir 'logs'
$ConfigFile = Join-Path $DataDir 'agent.properties'
$Jar = Join-Path $InstallDir 'enlace-agent.jar'
$Prunsrv = Join-Path $InstallDir 'prunsrv.exe'
# The same JVM options as the Linux unit (agent/packaging/enlace-agent.service, JAVA_OPTS).
$JvmOptions = @('-XX:-UsePerfData', '-Xms4m', '-Xmn1m', '-Xmx24m', '-Xss256k', '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1', '-XX:CICompilerCount=1', '-XX:MaxMetaspaceSize=48m',
  '-XX:ReservedCodeCacheSize=16m', '-XX:MaxDirectMemorySize=8m', '-Xshare:auto',
  '-XX:+IgnoreUnrecognizedVMOptions', '-XX:TrimNativeHeapInterval=5000')

function Fail([string]$es, [string]$en, [int]$code = 1) {
  Write-Host "ERROR: $es" -ForegroundColor Red
  Write-Host "ERROR: $en" -ForegroundColor Red
  exit $code
}

function Get-JavaMajor([string]$dir) {
  $exe = Join-Path $dir 'bin\java.exe'
  if (-not (Test-Path -LiteralPath $exe)) { return 0 }
  $release = Join-Path $dir 'release'
  if (Test-Path -LiteralPath $release) {
    $line = Select-String -LiteralPath $release -Pattern '^JAVA_VERSION="([0-9]+)' | Select-Object -First 1
    if ($line) { return [int]$line.Matches[0].Groups[1].Value }
  }
  return 0
}

function Find-Java {
  $candidates = New-Object System.Collections.Generic.List[string]
  if ($env:JAVA_HOME) { $candidates.Add($env:JAVA_HOME) }
  # Eclipse Temurin, Microsoft Build of OpenJDK, Amazon Corretto, Oracle (and others that use
  # the JavaSoft registry keys or these folders).
  $keys = @('HKLM:\SOFTWARE\Eclipse Adoptium\JRE', 'HKLM:\SOFTWARE\Eclipse Adoptium\JDK',
    'HKLM:\SOFTWARE\Microsoft\JDK', 'HKLM:\SOFTWARE\JavaSoft\JDK', 'HKLM:\SOFTWARE\JavaSoft\JRE',
    'HKLM:\SOFTWARE\JavaSoft\Java Development Kit', 'HKLM:\SOFTWARE\JavaSoft\Java Runtime Environment')
  foreach ($k in $keys) {
    if (-not (Test-Path $k)) { continue }
    foreach ($v in Get-ChildItem $k -ErrorAction SilentlyContinue) {
      $p = Get-ItemProperty $v.PSPath -ErrorAction SilentlyContinue
      if ($p -and $p.PSObject.Properties['JavaHome']) { $candidates.Add([string]$p.JavaHome) }
      $msi = Join-Path $v.PSPath 'hotspot\MSI'
      if (Test-Path $msi) {
        $m = Get-ItemProperty $msi -ErrorAction SilentlyContinue
        if ($m -and $m.PSObject.Properties['Path']) { $candidates.Add([string]$m.Path) }
      }
    }
  }
  foreach ($d in @('Eclipse Adoptium', 'Microsoft', 'Amazon Corretto', 'Java', 'Zulu', 'BellSoft')) {
    $root = Join-Path $env:ProgramFiles $d
    if (Test-Path -LiteralPath $root) {
      foreach ($c in Get-ChildItem -LiteralPath $root -Directory -ErrorAction SilentlyContinue) {
        $candidates.Add($c.FullName)
      }
    }
  }
  $best = $null; $bestMajor = 0
  foreach ($c in $candidates) {
    if (-not $c) { continue }
    $c = $c.TrimEnd('\')
    $m = Get-JavaMajor $c
    if ($m -gt $bestMajor) { $best = $c; $bestMajor = $m }
  }
  if ($bestMajor -ge 17) { return $best }
  return $null
}

# --- Administrator?
$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  Fail 'Ejecute este script como Administrador.' 'Run this script as Administrator.'
}

# --- Java 17+
if ($JavaHome) {
  $JavaHome = $JavaHome.TrimEnd('\')
  $major = Get-JavaMajor $JavaHome
  if ($major -lt 17) {
    Fail "$JavaHome no es un Java 17 o posterior (versión encontrada: $major). Instale Eclipse Temurin 17+ (https://adoptium.net), Microsoft Build of OpenJDK, Amazon Corretto u Oracle Java 17+." "$JavaHome is not Java 17 or later (found: $major). Install Eclipse Temurin 17+, the Microsoft Build of OpenJDK, Amazon Corretto or Oracle Java 17+."
  }
} else {
  $JavaHome = Find-Java
  if (-not $JavaHome) {
    Fail 'No se encontró Java 17 o posterior. Instale Eclipse Temurin 17+ (https://adoptium.net), Microsoft Build of OpenJDK 17+, Amazon Corretto 17+ u Oracle Java 17+, o indique -JavaHome CARPETA.' 'No Java 17 or later found. Install Eclipse Temurin 17+, the Microsoft Build of OpenJDK 17+, Amazon Corretto 17+ or Oracle Java 17+, or pass -JavaHome FOLDER.'
  }
}
$Java = Join-Path $JavaHome 'bin\java.exe'
Write-Host "Java: $JavaHome"

# --- Files: stop the service first, so that the jar can be replaced.
$svc = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($svc -and $svc.Status -ne 'Stopped') {
  Write-Host "Deteniendo / stopping $ServiceName..."
  Stop-Service -Name $ServiceName -Force
  $svc.WaitForStatus('Stopped', (New-TimeSpan -Seconds 60))
}
New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
foreach ($f in @('enlace-agent.jar', 'prunsrv.exe', 'install.ps1', 'upgrade.ps1', 'uninstall.ps1',
    'agent.properties', 'LEEME.txt', 'README.txt', 'LICENSE', 'NOTICE', 'prunsrv-LICENSE.txt',
    'prunsrv-NOTICE.txt', 'SHA256SUMS')) {
  $src = Join-Path $PSScriptRoot $f
  if ((Test-Path -LiteralPath $src) -and ((Resolve-Path $PSScriptRoot).Path -ne (Resolve-Path $InstallDir).Path)) {
    Copy-Item -LiteralPath $src -Destination $InstallDir -Force
  }
}
New-Item -ItemType Directory -Force -Path $DataDir | Out-Null
New-Item -ItemType Directory -Force -Path $LogDir | Out-Null
if (-not (Test-Path -LiteralPath $ConfigFile)) {
  Copy-Item -LiteralPath (Join-Path $InstallDir 'agent.properties') -Destination $ConfigFile
}
if ($CaFile) {
  if (-not (Test-Path -LiteralPath $CaFile)) { Fail "No existe $CaFile." "$CaFile does not exist." }
  $caTarget = Join-Path $DataDir 'ca.crt'
  Copy-Item -LiteralPath $CaFile -Destination $caTarget -Force
  # Java properties: forward slashes (a backslash is an escape there).
  $caValue = 'tls.caFile=' + ($caTarget -replace '\\', '/')
  $lines = Get-Content -LiteralPath $ConfigFile -Encoding UTF8
  $found = $false
  $lines = $lines | ForEach-Object { if ($_ -match '^\s*tls\.caFile\s*[=:]') { $found = $true; $caValue } else { $_ } }
  if (-not $found) { $lines = @($lines) + $caValue }
  [IO.File]::WriteAllLines($ConfigFile, [string[]]$lines, (New-Object Text.UTF8Encoding($false)))
}

# --- The service (procrun), java mode: java.exe -jar-like start of the agent's main class.
$params = @(
  "--DisplayName=Enlace agent",
  "--Description=Enlace: comprueba la conexión a internet de este PC y la reporta / checks this PC's internet connection and reports it.",
  "--Install=$Prunsrv",
  "--Startup=delayed",
  "--StartMode=java",
  "--JavaHome=$JavaHome",
  "--Classpath=$Jar",
  "--StartClass=org.enlace.agent.cli.AgentMain",
  "--StartParams=run;--data-dir;$DataDir;--config;$ConfigFile",
  "--StartPath=$DataDir",
  "--StopTimeout=40",
  "--LogPath=$LogDir",
  "--LogPrefix=procrun",
  "--StdOutput=auto",
  "--StdError=auto",
  ('--JvmOptions=' + ($JvmOptions -join ';'))
)
if ($svc) {
  & $Prunsrv "//US//$ServiceName" @params
} else {
  & $Prunsrv "//IS//$ServiceName" @params
}
if ($LASTEXITCODE -ne 0) { Fail "prunsrv no pudo instalar el servicio ($LASTEXITCODE)." "prunsrv could not install the service ($LASTEXITCODE)." }
# Virtual account NT SERVICE\EnlaceAgent (no password; set with sc.exe, which the SCM documents
# for virtual accounts, rather than procrun's --ServiceUser), delayed automatic start, restart on failure (3 times, 1 min
# apart; the count resets after a day).
& sc.exe config $ServiceName obj= $ServiceAccount start= delayed-auto | Out-Null
& sc.exe failure $ServiceName reset= 86400 actions= restart/60000/restart/60000/restart/60000 | Out-Null
& sc.exe failureflag $ServiceName 1 | Out-Null

# --- Data folder: SYSTEM, Administrators and the service account only (credentials live there).
& icacls.exe $DataDir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' "${ServiceAccount}:(OI)(CI)M" /T /Q | Out-Null
if ($LASTEXITCODE -ne 0) { Fail "icacls no pudo proteger $DataDir." "icacls could not set the permissions of $DataDir." }

# --- Enrollment, once.
$credentials = Join-Path $DataDir 'credentials.properties'
if (-not (Test-Path -LiteralPath $credentials)) {
  if (-not $Server -or -not $TokenFile) {
    Write-Host 'El PC no está inscrito: vuelva a ejecutar con -Server URL -TokenFile ARCHIVO.' -ForegroundColor Yellow
    Write-Host 'This PC is not enrolled: run again with -Server URL -TokenFile FILE.' -ForegroundColor Yellow
    exit 3
  }
  if (-not (Test-Path -LiteralPath $TokenFile)) { Fail "No existe $TokenFile." "$TokenFile does not exist." }
  & $Java -jar $Jar --data-dir $DataDir --config $ConfigFile enroll --server $Server --token-file $TokenFile --role $Kind
  $code = $LASTEXITCODE
  if ($code -ne 0) {
    Fail "La inscripción falló (código $code)." "The enrollment failed (exit code $code)." $code
  }
}

Start-Service -Name $ServiceName
Write-Host "Listo: servicio $ServiceName en marcha. Estado: & '$Java' -jar '$Jar' --data-dir '$DataDir' status"
Write-Host "Done: service $ServiceName running."
exit 0
