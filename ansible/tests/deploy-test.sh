#!/usr/bin/env bash
# Deployment test: installs a whole town's server (Enlace, Debian's PostgreSQL, Prometheus) and a
# Linux agent with ansible/site.yml into Debian 12 containers booted with systemd-nspawn, exactly
# as an IT person would with the packages `mvn package` builds, and checks what the issue asks:
#   - lintian: 0 errors on both packages; every unit <= 2.0 in systemd-analyze security, clean
#     in systemd-analyze verify;
#   - site.yml converges, then a second run changes nothing (changed=0);
#   - the server's /healthcheck answers over HTTPS, Prometheus scrapes it (up == 1) with the
#     rules loaded, the agent is enrolled and its queue drains;
#   - an agent upgrade with observations queued loses none;
#   - a backup restored into a fresh install gives the same inventory, observations and evidence;
#   - after `systemctl stop` every unit is inactive, not failed.
#   - ansible-lint: 0 findings; the Windows and Grafana roles by syntax check and check mode.
#
# Needs root, debootstrap, systemd-container, ansible, ansible-lint, lintian (.ci/run installs
# them) and the packages in server/target and agent/target (mvn package). The Debian base image
# is cached in $ENLACE_CI_CACHE (default /var/cache/enlace-ci), outside the repository; delete it
# to start from scratch. Containers share the host's network namespace (no addresses but
# loopback are used; apt inside reaches Debian's mirror as the host's apt does): the ports
# 5432, 8080, 8081, 8443 and 9090 on 127.0.0.1 must be free.
#
# Usage: ansible/tests/deploy-test.sh        (from anywhere; KEEP=1 keeps the containers' trees)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${ENLACE_CI_CACHE:-/var/cache/enlace-ci}
WORK=$(mktemp -d /var/tmp/enlace-deploy.XXXXXX)
BASE_VERSION=2 # bump when the package list below changes
BASE="$CACHE/bookworm-minbase-v$BASE_VERSION"
SUITE_START=$(date +%s)
declare -a CONTAINERS=()
# The inventory's secrets, as a town keeps them in its vault: the same for every run and install.
SNMP_KEY=$(head -c 32 /dev/urandom | base64)

log() { printf '\n==> [%4ds] %s\n' "$(($(date +%s) - SUITE_START))" "$*"; }
fail() {
  printf '\nFAIL: %s\n' "$*" >&2
  exit 1
}

cleanup() {
  local rc=$?
  for name in "${CONTAINERS[@]:-}"; do
    [ -n "$name" ] || continue
    stop_container "$name" || true
  done
  if [ "${KEEP:-0}" = 1 ] || [ $rc -ne 0 ]; then
    echo "Containers' trees and logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || fail "run as root (debootstrap and systemd-nspawn need it)"
for tool in debootstrap systemd-nspawn nsenter ansible-playbook ansible-lint lintian dpkg-deb curl python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (.ci/run installs it)"
done
for port in 5432 8080 8081 8443 9090; do
  if ss -Hltn "sport = :$port" | grep -q .; then
    fail "port $port is in use on this machine; the containers share its network"
  fi
done

SERVER_DEB=$(ls "$REPO"/server/target/enlace-server_*_all.deb 2>/dev/null | head -1)
AGENT_DEB=$(ls "$REPO"/agent/target/enlace-agent_*.deb 2>/dev/null | head -1)
[ -n "$SERVER_DEB" ] && [ -n "$AGENT_DEB" ] || fail "no packages in server/target or agent/target: run mvn package first"

# --- static checks ----------------------------------------------------------------------------

if [ "${SKIP_STATIC:-0}" != 1 ]; then
log "lintian on $(basename "$SERVER_DEB") and $(basename "$AGENT_DEB")"
for deb in "$SERVER_DEB" "$AGENT_DEB"; do
  out=$(lintian --tag-display-limit 0 "$deb" 2>&1 || true)
  printf '%s\n' "$out" | sed 's/^/    /'
  errors=$(printf '%s\n' "$out" | grep -c '^E: ' || true)
  [ "$errors" -eq 0 ] || fail "lintian: $errors errors in $(basename "$deb")"
done

log "ansible-lint (every role, site.yml)"
(cd "$REPO/ansible" && ansible-lint --offline -q site.yml roles/) || fail "ansible-lint has findings"
(cd "$REPO/ansible" && ansible-playbook --syntax-check -i inventory/example site.yml) \
  || fail "site.yml: syntax check failed"
log "every role's templates rendered and checked (the Windows and Grafana roles' test)"
(cd "$REPO/ansible" && ansible-playbook tests/render_templates.yml > "$WORK/render.log" 2>&1) \
  || { tail -30 "$WORK/render.log"; fail "tests/render_templates.yml failed"; }
fi

# --- the Debian base image --------------------------------------------------------------------

if [ ! -e "$BASE/.complete" ]; then
  log "debootstrap Debian 12 into $BASE (cached for later runs)"
  mkdir -p "$CACHE"
  rm -rf "$BASE.tmp"
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,dbus,python3,python3-apt,sudo,ca-certificates,curl,iproute2 \
    bookworm "$BASE.tmp" http://deb.debian.org/debian > "$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log"; fail "debootstrap failed"; }
  # A machine id and a host name make it boot like an installed system.
  : > "$BASE.tmp/etc/machine-id"
  touch "$BASE.tmp/.complete"
  mv "$BASE.tmp" "$BASE"
fi

# --- containers --------------------------------------------------------------------------------

# new_container NAME: a copy of the base image, booted; sets PID_<NAME> to its init's pid.
new_container() {
  local name=$1 root="$WORK/$1"
  cp -a "$BASE" "$root"
  rm -f "$root/.complete"
  echo "$name" > "$root/etc/hostname"
  systemd-nspawn -D "$root" --register=no --keep-unit -b --machine="$name" \
    --console=pipe > "$WORK/$name.console.log" 2>&1 < /dev/null &
  local nspawn=$!
  CONTAINERS+=("$name")
  echo "$nspawn" > "$WORK/$name.nspawn.pid"
  local init="" i
  for i in $(seq 1 100); do
    init=$(pgrep -P "$nspawn" -x systemd || true)
    [ -n "$init" ] && break
    sleep 0.2
  done
  [ -n "$init" ] || fail "container $name did not start (see $WORK/$name.console.log)"
  echo "$init" > "$WORK/$name.init.pid"
  for i in $(seq 1 120); do
    state=$(in_container "$name" systemctl is-system-running 2>/dev/null || true)
    case "$state" in running | degraded) break ;; esac
    sleep 0.5
  done
  log "container $name booted (init pid $init, state $state)"
}

in_container() {
  local name=$1
  shift
  nsenter --target="$(cat "$WORK/$name.init.pid")" --mount --uts --ipc --net --pid -- "$@"
}

stop_container() {
  local name=$1 pidfile="$WORK/$1.nspawn.pid"
  [ -e "$pidfile" ] || return 0
  local nspawn
  nspawn=$(cat "$pidfile")
  in_container "$name" systemctl poweroff >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do
    kill -0 "$nspawn" 2>/dev/null || break
    sleep 0.5
  done
  kill "$nspawn" 2>/dev/null || true
  rm -f "$pidfile"
}

# The test's inventory: one container is the server host and a Linux PC at once. The agent checks
# only loopback targets (the test never sends traffic off this machine) every 5 seconds.
write_inventory() {
  local name=$1 inv="$WORK/inventory-$1.yml"
  cat > "$inv" <<EOF
all:
  vars:
    ansible_connection: community.docker.nsenter
    ansible_python_interpreter: /usr/bin/python3
    enlace_server_package_file: $SERVER_DEB
    enlace_agent_package_file: $AGENT_DEB
    enlace_ca_cert_local_path: $WORK/enlace-ca.crt
    enlace_server_url: https://localhost:8443
    enlace_server_tls_names: [localhost, 127.0.0.1]
    enlace_db_password: test-db-password-0123456789
    enlace_tls_keystore_password: test-keystore-password
    enlace_snmp_credential_key: "$SNMP_KEY"
    enlace_municipality: "Municipio de Prueba, Nariño"
    enlace_agent_check_interval: 5s
    enlace_agent_properties_extra: {check.jitter: 1s}
    enlace_grafana_enabled: false
    enlace_agent_dns_names: [localhost]
    enlace_agent_http_targets: []
    enlace_agent_tcp_targets: ["127.0.0.1:8443"]
    enlace_agent_captive_portal_url: ""
  children:
    enlace_servers:
      hosts:
        $name: {ansible_nsenter_pid: $(cat "$WORK/$name.init.pid")}
    enlace_agents_linux:
      hosts:
        $name: {enlace_agent_kind: office}
EOF
  echo "$inv"
}

# run_site NAME LOGNAME [ansible-playbook args...]: runs site.yml; prints the recap's changed=.
run_site() {
  local name=$1 logname=$2
  shift 2
  local inv
  inv=$(write_inventory "$name")
  local logfile="$WORK/$logname.log"
  if ! (cd "$REPO/ansible" && ANSIBLE_FORCE_COLOR=0 ansible-playbook -i "$inv" site.yml "$@") \
    > "$logfile" 2>&1; then
    tail -60 "$logfile"
    fail "site.yml failed ($logname); full log in $logfile"
  fi
  grep -A3 'PLAY RECAP' "$logfile" | sed 's/^/    /' >&2
  sed -n 's/.*changed=\([0-9]*\).*/\1/p' "$logfile" | awk '{s+=$1} END {print s+0}'
}

# api NAME METHOD PATH [BODY]: the server's API over HTTPS, as the initial admin.
api() {
  local name=$1 method=$2 path=$3 body=${4:-}
  local password
  password=$(cat "$WORK/$name/var/lib/enlace-server/initial-admin-password")
  curl -sS --fail-with-body --cacert "$WORK/enlace-ca.crt" -u "admin:$password" -X "$method" \
    -H 'Content-Type: application/json' ${body:+--data "$body"} "https://localhost:8443$path"
}

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2
  shift 2
  local deadline=$(($(date +%s) + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "timed out after ${seconds}s waiting for $what"
    sleep 1
  done
}

agent_status() { python3 -c "import json,sys; d=json.load(open('$WORK/$1/var/lib/enlace-agent/status.json')); print($2)"; }

psql_in() { # psql_in NAME SQL: one value from the server's database
  in_container "$1" runuser -u postgres -- psql -d enlace -AtXq -c "$2"
}

# --- install, converge, probe -------------------------------------------------------------------

new_container town
log "site.yml, first run (no enrollment token yet: the agent role installs and waits)"
run_site town run1 > /dev/null

log "creating an establishment and an enrollment token through the API"
api town POST /api/v1/establishments \
  '{"code":"alcaldia","name":"Alcaldía Municipal","kind":"town_hall","sector":"administration"}' > /dev/null
TOKEN=$(api town POST /api/v1/establishments/alcaldia/enrollment-tokens '{"maxUses":2}' | json 'd["token"]')

log "site.yml with the token: the agent enrolls"
run_site town run2 -e "enlace_agent_enrollment_token=$TOKEN" > /dev/null
[ -e "$WORK/town/var/lib/enlace-agent/credentials.properties" ] || fail "the agent is not enrolled after the role ran"

log "site.yml again: nothing may change"
changed=$(run_site town run3 -e "enlace_agent_enrollment_token=$TOKEN")
[ "$changed" -eq 0 ] || fail "the second run changed $changed things (log: $WORK/run3.log)"

log "check mode with Grafana: the Grafana role as far as it goes without its apt repository"
inv=$(write_inventory town)
(cd "$REPO/ansible" && ansible-playbook -i "$inv" site.yml --check -e enlace_grafana_enabled=true \
  -e "enlace_agent_enrollment_token=$TOKEN" -e enlace_grafana_admin_password=check-mode-only) \
  > "$WORK/check-grafana.log" 2>&1 || { tail -40 "$WORK/check-grafana.log"; fail "check mode failed"; }
grep -A2 'PLAY RECAP' "$WORK/check-grafana.log" | sed 's/^/    /'

log "probes: healthcheck over HTTPS, Prometheus, agent queue"
health=$(curl -sS --fail --cacert "$WORK/enlace-ca.crt" https://localhost:8081/healthcheck) \
  || fail "/healthcheck over HTTPS failed"
echo "    $health"
prom_up() {
  curl -sS --fail 'http://127.0.0.1:9090/api/v1/query?query=up%7Bjob%3D%22enlace%22%7D' \
    | json 'd["data"]["result"][0]["value"][1]' | grep -qx 1
}
wait_for 120 "Prometheus to scrape the server (up == 1)" prom_up
rules=$(curl -sS --fail http://127.0.0.1:9090/api/v1/rules | json 'sum(len(g["rules"]) for g in d["data"]["groups"])')
[ "$rules" -gt 0 ] || fail "Prometheus has no Enlace rules loaded"
echo "    Prometheus: up == 1, $rules rules loaded"
drained() { [ "$(agent_status town 'd["queue"]["pending"]')" = 0 ] && [ "$(agent_status town 'd.get("server")')" = reachable ]; }
wait_for 120 "the agent's queue to drain" drained
stored=$(psql_in town "SELECT count(*) FROM observations")
echo "    agent: queue drained, $stored observations stored"

for unit in enlace-server.service enlace-agent.service enlace-server-backup.service; do
  score=$(in_container town systemd-analyze security --offline=yes "/lib/systemd/system/$unit" 2>/dev/null \
    | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
  echo "    $unit: exposure $score"
  python3 -c "import sys; sys.exit(0 if float('$score') <= 2.0 else 1)" \
    || fail "$unit scores $score in systemd-analyze security (at most 2.0)"
  in_container town systemd-analyze verify "/lib/systemd/system/$unit" \
    || fail "$unit: systemd-analyze verify complains"
done

# --- agent upgrade with observations queued ------------------------------------------------------

log "agent upgrade with observations queued"
in_container town systemctl stop enlace-server
queued() { [ "$(agent_status town 'd["queue"]["pending"]')" -ge 5 ]; }
wait_for 120 "5 observations to queue up while the server is away" queued
seq_before=$(agent_status town 'd["lastRound"]["seq"]')
# The same package with a higher version: dpkg runs every maintainer script of a real upgrade.
rm -rf "$WORK/agent-next" && dpkg-deb -R "$AGENT_DEB" "$WORK/agent-next"
version=$(sed -n 's/^Version: //p' "$WORK/agent-next/DEBIAN/control")
sed -i "s/^Version: .*/Version: ${version}+upgradetest1/" "$WORK/agent-next/DEBIAN/control"
NEXT_DEB="$WORK/enlace-agent_${version}+upgradetest1.deb"
dpkg-deb -Zxz -b "$WORK/agent-next" "$NEXT_DEB" > /dev/null
cp "$NEXT_DEB" "$WORK/town/var/tmp/agent-next.deb"  # /tmp is a tmpfs inside
in_container town env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /var/tmp/agent-next.deb \
  > "$WORK/agent-upgrade.log" 2>&1 || { cat "$WORK/agent-upgrade.log"; fail "agent upgrade failed"; }
in_container town dpkg-query -W -f='${Version}\n' enlace-agent | grep -q upgradetest1 \
  || fail "the agent package was not upgraded"
in_container town systemctl is-active -q enlace-agent || fail "the agent is not running after the upgrade"
in_container town systemctl start enlace-server
wait_for 180 "the queue to drain after the upgrade" drained
dropped=$(agent_status town 'd["queue"]["dropped"]')
read -r count lo hi <<< "$(psql_in town "SELECT count(*), min(seq), max(seq) FROM observations" | tr '|' ' ')"
echo "    queued before the upgrade up to seq $seq_before; stored $count observations, seq $lo..$hi, dropped $dropped"
[ "$dropped" = 0 ] || fail "the agent dropped $dropped observations"
[ "$hi" -ge "$seq_before" ] || fail "observations up to $seq_before were queued, the server has up to $hi"
[ "$count" -eq $((hi - lo + 1)) ] || fail "gaps: $count observations for seq $lo..$hi"

# --- backup, restore into a fresh install, compare -----------------------------------------------

log "backup on the first install"
# The evidence of a closed period does not depend on the time it is asked; an open period's does
# (expected minutes run up to now), so the open month is compared through its tables instead.
period=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m)
snapshot() { # snapshot NAME FILE: what must survive a restore
  {
    api "$1" GET /api/v1/establishments
    echo
    psql_in "$1" "SELECT count(*), min(seq), max(seq) FROM observations"
    # Every table, row by row: inventory, observations, rollups, users, tokens. Not the replicas'
    # heartbeats and leases, nor running speed tests: liveness that renews every few seconds.
    for table in $(psql_in "$1" "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('flyway_schema_history', 'cluster_replicas', 'cluster_leases', 'ndt7_running') AND NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname = tablename) ORDER BY 1"); do
      printf '%s %s\n' "$table" "$(psql_in "$1" "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '-') FROM $table t")"
    done
    curl -sS --fail -D - -o /dev/null --cacert "$WORK/enlace-ca.crt" \
      -u "admin:$(cat "$WORK/$1/var/lib/enlace-server/initial-admin-password")" \
      "https://localhost:8443/api/v1/evidence?period=$period&format=json" | grep -i '^x-enlace-data-sha256' | tr -d '\r'
  } > "$2"
}
# Freeze the data: the agent stops sending and the rollups catch up, so that what the backup holds
# and what the snapshot shows are the same.
in_container town systemctl stop enlace-agent
sleep 15
snapshot town "$WORK/before.txt"
in_container town systemctl start enlace-server-backup.service \
  || fail "the nightly backup service failed (see journalctl -u enlace-server-backup)"
backup=$(ls "$WORK"/town/var/backups/enlace-server/*.backup 2>/dev/null | tail -1)
[ -n "$backup" ] && [ -s "$backup" ] || fail "the backup service wrote no backup"
echo "    $(basename "$backup"): $(stat -c %s "$backup") bytes"
snapshot town "$WORK/before-after-backup.txt"
diff -u "$WORK/before.txt" "$WORK/before-after-backup.txt" || fail "the data changed while it was frozen"
cp "$WORK/town/var/lib/enlace-server/initial-admin-password" "$WORK/initial-admin-password"

log "stop: every unit must end inactive, not failed"
for unit in enlace-agent enlace-server prometheus postgresql@15-main; do
  in_container town systemctl stop "$unit"
  state=$(in_container town systemctl is-active "$unit" || true)
  [ "$state" = inactive ] || fail "$unit is '$state' after systemctl stop"
done
stop_container town

log "fresh install on a second machine, then restore"
new_container fresh
run_site fresh fresh-run1 --limit fresh > /dev/null
cp "$backup" "$WORK/fresh/var/backups/enlace-server/restored.backup"
in_container fresh systemctl stop enlace-agent enlace-server
in_container fresh enlace-server restore /var/backups/enlace-server/restored.backup \
  > "$WORK/restore.log" 2>&1 || { cat "$WORK/restore.log"; fail "restore failed"; }
in_container fresh systemctl start enlace-server
# The fresh install has its own admin password; the restored database has the first one.
cp "$WORK/initial-admin-password" "$WORK/fresh/var/lib/enlace-server/initial-admin-password"
wait_for 120 "the restored server" curl -sS --fail --cacert "$WORK/enlace-ca.crt" https://localhost:8081/healthcheck
snapshot fresh "$WORK/after.txt"
diff -u "$WORK/before.txt" "$WORK/after.txt" || fail "the restored install differs from the backed-up one"
echo "    inventory, observations and evidence hash identical: $(grep -i sha256 "$WORK/after.txt")"

log "PASS in $(($(date +%s) - SUITE_START)) s"
echo "deploy-test: 1 passed, 0 failed"
