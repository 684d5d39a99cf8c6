# Shared set-up for integration tests, the demo and the benchmarks: a private, throwaway
# PostgreSQL cluster (initdb into a temporary folder, Unix socket only, run as a non-root user),
# the real rollcalld watched through its sd_notify socket, and helpers to push and assert.
# Source it; it needs ROLLCALL_BUILD (the CMake build folder). Every wait is bounded and fails
# with a message; readiness is detected (READY=1, pg_ctl -w), never slept for.

set -euo pipefail

: "${ROLLCALL_BUILD:?set ROLLCALL_BUILD to the CMake build folder}"
ROLLCALL_SRC=${ROLLCALL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
RC_BIN_DAEMON=$ROLLCALL_BUILD/daemon/rollcalld
RC_BIN_ADMIN=$ROLLCALL_BUILD/tools/admin/rollcall
RC_BIN_PUSH=$ROLLCALL_BUILD/tools/push/rollcall-push
RC_BIN_GEN=$ROLLCALL_BUILD/tools/gen/rollcall-gen
RC_BIN_WORKER=$ROLLCALL_BUILD/worker/rollcall-worker
RC_SDWATCH=$ROLLCALL_BUILD/tests/tools/sdwatch
RC_RAWSEND=$ROLLCALL_BUILD/tests/tools/rawsend
RC_PG_USER=${RC_PG_USER:-postgres}

rc_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
rc_fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# rc_setup: a fresh work folder $T, removed on exit (unless RC_KEEP=1).
rc_setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/rollcall-test.XXXXXX")
	chmod 755 "$T"
	umask 027
	export T
	RC_DAEMON_PID=
	trap rc_cleanup EXIT
}

rc_cleanup() {
	local status=$?
	set +e
	if [ -n "${RC_DAEMON_PID:-}" ] && kill -0 "$RC_DAEMON_PID" 2>/dev/null; then
		kill -TERM "$RC_DAEMON_PID" 2>/dev/null
		wait "$RC_DAEMON_PID" 2>/dev/null
	fi
	for pid in ${RC_EXTRA_PIDS:-}; do # stopped ones too (SIGCONT), and bounded
		kill -TERM "$pid" 2>/dev/null
		kill -CONT "$pid" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for m in ${RC_MOUNTS:-}; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	if [ -f "$T/pg/data/postmaster.pid" ]; then
		rc_as_pg "$RC_PGBIN/pg_ctl" -D "$T/pg/data" -m immediate stop >/dev/null 2>&1
	fi
	if [ $status -ne 0 ]; then
		for f in "$T"/daemon.log "$T"/pg/log; do
			[ -f "$f" ] && { echo "--- $f (last 30 lines)" >&2; tail -n 30 "$f" >&2; }
		done
	fi
	if [ "${RC_KEEP:-0}" = 1 ]; then
		echo "kept $T" >&2
	else
		rm -rf "$T"
	fi
	exit $status
}

# Runs a command as the PostgreSQL user when we are root (initdb refuses to run as root).
rc_as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$RC_PG_USER" -- "$@"
	else
		"$@"
	fi
}

# rc_wait_for FILE REGEX SECONDS [WHAT]: waits until a line of FILE matches REGEX.
rc_wait_for() {
	local file=$1 re=$2 secs=$3 what=${4:-$2}
	local end=$((SECONDS + secs))
	while ! grep -qE -- "$re" "$file" 2>/dev/null; do
		if [ $SECONDS -ge $end ]; then
			rc_fail "waited ${secs}s for '$what' in $file"
		fi
		if grep -q '^EXIT=' "$file" 2>/dev/null && ! grep -qE -- "$re" "$file"; then
			rc_fail "process ended before '$what' ($(grep '^EXIT=' "$file"))"
		fi
		sleep 0.05
	done
}

# pg_start [extra postgres -c settings...]: initdb + start; sets RC_CONNINFO (no user), PGHOST,
# PGDATABASE, PGUSER (the superuser, for the tests' own psql) and each program's
# ROLLCALL_DATABASE_<ROLE>_CONNINFO.
pg_start() {
	RC_PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -x "$RC_PGBIN/initdb" ] || rc_fail "PostgreSQL server binaries not found (apt-get install postgresql)"
	mkdir -p "$T/pg"
	[ "$(id -u)" = 0 ] && chown "$RC_PG_USER" "$T/pg"
	rc_as_pg "$RC_PGBIN/initdb" -D "$T/pg/data" -A trust -U postgres -E UTF8 --no-locale \
		>"$T/pg/initdb.log" 2>&1 || { cat "$T/pg/initdb.log" >&2; rc_fail "initdb failed"; }
	local opts="-c listen_addresses='' -c unix_socket_directories='$T/pg' -c port=5432"
	opts="$opts -c max_wal_size=4GB -c shared_buffers=256MB -c log_min_messages=warning"
	# As in production (README): the server's own log keeps no DETAIL lines, which quote rows.
	opts="$opts -c log_error_verbosity=terse"
	for o in "$@"; do opts="$opts -c $o"; done
	RC_PG_OPTS=$opts
	rc_as_pg "$RC_PGBIN/pg_ctl" -D "$T/pg/data" -l "$T/pg/log" -o "$opts" -w -t 60 start >/dev/null \
		|| { tail -n 20 "$T/pg/log" >&2; rc_fail "PostgreSQL did not start"; }
	export PGHOST="$T/pg" PGPORT=5432 PGUSER=postgres PGDATABASE=rollcall
	# One login per program, as in production (README): t_owner owns the database and makes
	# the group roles at its first migrate (CREATEROLE); the others join theirs in rc_roles.
	psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "CREATE ROLE t_owner LOGIN CREATEROLE" \
		-c "CREATE ROLE t_daemon LOGIN" -c "CREATE ROLE t_worker LOGIN" \
		-c "CREATE ROLE t_reporting LOGIN" -c "CREATE DATABASE rollcall OWNER t_owner" \
		|| rc_fail "cannot create the test roles"
	RC_CONNINFO="host=$T/pg port=5432 dbname=rollcall"
	export ROLLCALL_DATABASE_OWNER_CONNINFO="$RC_CONNINFO user=t_owner"
	export ROLLCALL_DATABASE_DAEMON_CONNINFO="$RC_CONNINFO user=t_daemon"
	export ROLLCALL_DATABASE_WORKER_CONNINFO="$RC_CONNINFO user=t_worker"
	export ROLLCALL_DATABASE_REPORTING_CONNINFO="$RC_CONNINFO user=t_reporting"
	# The fallback is a role that does not exist: a program that used it instead of its own
	# key would fail its test.
	export ROLLCALL_DATABASE_CONNINFO="$RC_CONNINFO user=t_nobody"
}

# rc_roles: each program's login joins its group role (made by the first migrate).
rc_roles() {
	psql -X -q -v ON_ERROR_STOP=1 -c "GRANT rollcall_daemon TO t_daemon" \
		-c "GRANT rollcall_worker TO t_worker" -c "GRANT rollcall_reporting TO t_reporting" \
		>/dev/null || rc_fail "cannot grant the group roles to the test logins"
}

# pg_stop [MODE]: stops the cluster (fast by default: sessions are ended, as at a restart).
pg_stop() {
	rc_as_pg "$RC_PGBIN/pg_ctl" -D "$T/pg/data" -m "${1:-fast}" -w -t 60 stop >/dev/null \
		|| rc_fail "PostgreSQL did not stop"
}

# pg_resume: starts the cluster pg_start made again, with the same settings.
pg_resume() {
	rc_as_pg "$RC_PGBIN/pg_ctl" -D "$T/pg/data" -l "$T/pg/log" -o "$RC_PG_OPTS" -w -t 60 start >/dev/null \
		|| { tail -n 20 "$T/pg/log" >&2; rc_fail "PostgreSQL did not start again"; }
}

# rc_wait_new FILE REGEX SECONDS [WHAT]: like rc_wait_for, for a line written after
# rc_mark FILE was called.
rc_mark() { RC_MARK_LINES=$(wc -l <"$1" 2>/dev/null || echo 0); }
rc_wait_new() {
	local file=$1 re=$2 secs=$3 what=${4:-$2}
	local end=$((SECONDS + secs))
	until tail -n +"$((RC_MARK_LINES + 1))" "$file" 2>/dev/null | grep -qE -- "$re"; do
		[ $SECONDS -lt $end ] || rc_fail "waited ${secs}s for '$what' in $file"
		sleep 0.05
	done
}

# psql_val SQL: one value.
psql_val() { psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"; }

# rc_configure: migrate, server key, configuration file $T/rollcall.conf. The daemon binds a
# port of the system's choosing (no probing for a free one: another test could take it between
# the probe and the bind); daemon_start reads the port it got and writes it into the file.
rc_configure() {
	"$RC_BIN_ADMIN" migrate >/dev/null
	RC_ENDPOINT="tcp://127.0.0.1:*"
	mkdir -p "$T/keys" "$T/spool" "$T/out"
	RC_SERVER_KEY=$("$RC_BIN_ADMIN" key new --out "$T/keys/server.key")
	cat >"$T/rollcall.conf" <<-EOF
	[database]
	conninfo = $ROLLCALL_DATABASE_CONNINFO
	owner_conninfo = $ROLLCALL_DATABASE_OWNER_CONNINFO
	daemon_conninfo = $ROLLCALL_DATABASE_DAEMON_CONNINFO
	worker_conninfo = $ROLLCALL_DATABASE_WORKER_CONNINFO
	reporting_conninfo = $ROLLCALL_DATABASE_REPORTING_CONNINFO
	[daemon]
	listen = $RC_ENDPOINT
	server_key_file = $T/keys/server.key
	[push]
	endpoint = $RC_ENDPOINT
	server_public_key = $RC_SERVER_KEY
	spool_dir = $T/spool
	[output]
	output_dir = $T/out
	EOF
	rc_roles
	export RC_CONF="$T/rollcall.conf"
}

# daemon_start [args]: rollcalld under sdwatch; returns once READY=1 was sent. The endpoint the
# daemon reports it is bound to becomes RC_ENDPOINT (and RC_PORT), the push endpoint of
# $RC_CONF and its listen endpoint, so a restarted daemon comes back on the same port.
daemon_start() {
	: >"$T/notify.log"
	"$RC_SDWATCH" "$T/notify.log" "$RC_BIN_DAEMON" -c "$RC_CONF" "$@" >>"$T/daemon.log" 2>&1 &
	RC_DAEMON_PID=$!
	rc_wait_for "$T/notify.log" '^READY=1' 30 "rollcalld READY=1"
	RC_ENDPOINT=$(sed -n 's/.*rollcalld: listening on \(tcp:[^ ]*\).*/\1/p' "$T/daemon.log" | tail -n 1)
	case "$RC_ENDPOINT" in
	tcp://*:[0-9]*) ;;
	*) rc_fail "rollcalld did not report the endpoint it is bound to (got '$RC_ENDPOINT')" ;;
	esac
	RC_PORT=${RC_ENDPOINT##*:}
	sed -i -e "s|^listen = .*|listen = $RC_ENDPOINT|" -e "s|^endpoint = .*|endpoint = $RC_ENDPOINT|" "$RC_CONF"
	export RC_ENDPOINT RC_PORT
}

# daemon_stop: SIGTERM, then wait for it to end (bounded).
daemon_stop() {
	[ -n "${RC_DAEMON_PID:-}" ] || return 0
	kill -TERM "$RC_DAEMON_PID"
	rc_wait_for "$T/notify.log" '^EXIT=' 30 "rollcalld exit"
	wait "$RC_DAEMON_PID" || true
	RC_DAEMON_PID=
}

# school_with_key URN LAESTAB PHASE LA: registers a school and a client key $T/keys/URN.key.
school_with_key() {
	local urn=$1 laestab=$2 phase=$3 la=$4
	"$RC_BIN_ADMIN" school add --urn "$urn" --laestab "$laestab" --name "Test school $urn" \
		--phase "$phase" --la "$la" >/dev/null
	[ -f "$T/keys/$urn.key" ] || "$RC_BIN_ADMIN" key new --out "$T/keys/$urn.key" >/dev/null
	"$RC_BIN_ADMIN" key add --school "$urn" --file "$T/keys/$urn.key" >/dev/null
}

# push URN EXPORT [args]: rollcall-push for a school with its key; output in $T/push.out/.err,
# exit status in $PUSH_STATUS.
push() {
	local urn=$1 export_path=$2
	shift 2
	set +e
	"$RC_BIN_PUSH" -c "$RC_CONF" --school "$urn" --key "$T/keys/$urn.key" --quiet "$@" \
		"$export_path" >"$T/push.out" 2>"$T/push.err"
	PUSH_STATUS=$?
	set -e
}

# rc_trust SCHOOLS PUPILS FROM TO SEED: rollcall-gen writes a synthetic trust into $T/trust and
# `rollcall demo` registers it (schools, LAs, keys in $T/trust/keys). RC_URNS lists its schools,
# RC_DIRS their export folders.
rc_trust() {
	"$RC_BIN_GEN" --out "$T/trust" --schools "$1" --pupils "$2" --from "$3" --to "$4" \
		--seed "$5" >/dev/null
	"$RC_BIN_ADMIN" demo "$T/trust" >/dev/null
	RC_URNS=$(tail -n +2 "$T/trust/trust.csv" | cut -d, -f1)
	RC_DIRS=$(for u in $RC_URNS; do echo "$T/trust/$u"; done)
}

# rc_push_school URN [ARGS]: rollcall-push of a trust school's export with its key (quiet);
# output in $T/push-URN.out and .err; returns its exit status.
rc_push_school() {
	local urn=$1
	shift
	"$RC_BIN_PUSH" -c "$RC_CONF" --school "$urn" --key "$T/trust/keys/$urn.key" --quiet "$@" \
		"$T/trust/$urn" >"$T/push-$urn.out" 2>"$T/push-$urn.err"
}

# rc_push_all [ARGS]: every school of the trust in turn; each must exit 0.
rc_push_all() {
	local u
	for u in $RC_URNS; do
		rc_push_school "$u" "$@" || { tail -n 20 "$T/push-$u.err" >&2; rc_fail "push of $u failed"; }
	done
}

# rc_push_all_bg [ARGS]: every school at once, in the background; rc_wait_pushes SECONDS waits
# for them (bounded) and fails unless each exited 0.
rc_push_all_bg() {
	local u
	RC_PUSH_PIDS=""
	for u in $RC_URNS; do
		rc_push_school "$u" "$@" &
		RC_PUSH_PIDS="$RC_PUSH_PIDS $u:$!"
	done
}
rc_pushes_running() {
	local e
	for e in $RC_PUSH_PIDS; do kill -0 "${e#*:}" 2>/dev/null && return 0; done
	return 1
}
rc_wait_pushes() {
	local e end=$((SECONDS + $1))
	while rc_pushes_running; do
		[ $SECONDS -lt $end ] || rc_fail "the pushes did not finish within $1 s"
		sleep 0.1
	done
	for e in $RC_PUSH_PIDS; do
		wait "${e#*:}" || { tail -n 20 "$T/push-${e%%:*}.err" >&2; rc_fail "push of ${e%%:*} failed"; }
	done
	RC_PUSH_PIDS=""
}

# rc_flood_school URN: a school with one pupil on roll (B801200005001) and a key
# ($T/keys/URN.key), for a flooding client to send valid marks for.
rc_flood_school() {
	school_with_key "$1" "201${1: -4}" primary 201
	mkdir -p "$T/flood"
	printf 'upn,surname,forename,date_of_birth,sex,nc_year,admission_date\nB801200005001,Testperson,Flood,2016-05-04,F,4,2020-09-01\n' >"$T/flood/pupils.csv"
	printf 'upn,date,session,code\n' >"$T/flood/marks.csv"
	push "$1" "$T/flood"
	assert_eq "$PUSH_STATUS" 0 "the flooding school's pupil is registered"
}

# rc_trust_landed SCHOOLS PUPILS FROM TO SEED: rc_trust, every school pushed through a daemon
# started for it and stopped after, and each school's recompute job done by one worker run.
rc_trust_landed() {
	rc_trust "$@"
	daemon_start
	rc_push_all
	daemon_stop
	"$RC_BIN_WORKER" -c "$RC_CONF" --once --name w0 >>"$T/worker.log" 2>&1
}

# rc_flood_setup HOLD_MIB CLIENT_HOLD_MIB: rollcalld with those holds (and ASan's quarantine
# kept small, so that the RSS measured is the daemon's own), a school for a flooding client
# (rc_flood_school 100009), and RC_BASE_MIB the daemon's RSS at rest.
rc_flood_setup() {
	export ROLLCALL_DAEMON_HOLD_BYTES=$(($1 << 20)) ROLLCALL_DAEMON_CLIENT_HOLD_BYTES=$(($2 << 20))
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}quarantine_size_mb=8"
	daemon_start
	rc_flood_school 100009
	RC_BASE_MIB=$(rc_daemon_mib VmRSS)
}

# rc_flood_start: the flooding client (rawsend flood: 20,000-mark batches as fast as the socket
# takes them, never waiting) in the background until rc_flood_stop, which prints its counts.
rc_flood_start() {
	"$RC_RAWSEND" "$RC_ENDPOINT" "$RC_SERVER_KEY" "$T/keys/100009.key" flood 100009 20000 600 \
		"$T/stop-flood" >"$T/flood.out" &
	RC_FLOOD_PID=$!
	RC_EXTRA_PIDS="${RC_EXTRA_PIDS:-} $RC_FLOOD_PID"
}
rc_flood_stop() {
	touch "$T/stop-flood"
	wait "$RC_FLOOD_PID" || rc_fail "the flooding client failed"
	RC_EXTRA_PIDS=${RC_EXTRA_PIDS/ $RC_FLOOD_PID/}
	echo "flood: $(cat "$T/flood.out")"
}

# rc_wait_sql SQL VALUE SECONDS [WHAT]: waits until the query's one value is VALUE.
rc_wait_sql() {
	local end=$((SECONDS + $3))
	until [ "$(psql_val "$1")" = "$2" ]; do
		[ $SECONDS -lt $end ] || rc_fail "waited $3 s for ${4:-$1} = $2 (it is '$(psql_val "$1")')"
		sleep 0.02
	done
}

# rc_daemon_pid: the PID of rollcalld itself (RC_DAEMON_PID is sdwatch's).
rc_daemon_pid() { pgrep -P "$RC_DAEMON_PID" rollcalld; }

# rc_daemon_mib FIELD: rollcalld's VmRSS or VmHWM (peak) in MiB.
rc_daemon_mib() { awk -v f="$1:" '$1 == f { print int($2 / 1024) }' "/proc/$(rc_daemon_pid)/status"; }

# rc_register_check DIR...: the register against the source exports DIR (one folder per
# school, named by URN, as rollcall-gen writes them). Every row of marks.csv must be one mark
# version (nothing lost, nothing doubled), every pupils.csv row a pupil, and the current marks
# must match row for row: a checksum of (URN, UPN, date, session, code, minutes late), the
# expected one computed here from the CSV files with awk (a session's last row wins), the
# actual one from mark_current joined to pupil.
rc_register_check() {
	local urns="" rows pupils expected actual ncur d
	for d in "$@"; do urns="$urns${urns:+,}$(basename "$d")"; done
	rows=$(for d in "$@"; do tail -n +2 "$d/marks.csv"; done | wc -l)
	pupils=$(for d in "$@"; do tail -n +2 "$d/pupils.csv"; done | wc -l)
	expected=$(for d in "$@"; do
		awk -F, -v urn="$(basename "$d")" '
			FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
			{ v[urn "," $col["upn"] "," $col["date"] "," $col["session"]] = $col["code"] "," $col["minutes_late"] }
			END { for (k in v) print k "," v[k] }' "$d/marks.csv"
	done | LC_ALL=C sort)
	actual=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "select m.school_urn || ',' || p.upn || ','
		|| to_char(m.date, 'YYYY-MM-DD') || ',' || case m.session when 0 then 'AM' else 'PM' end
		|| ',' || m.code || ',' || coalesce(m.minutes_late::text, '')
		from mark_current m join pupil p using (school_urn, pupil_id)
		where m.school_urn in ($urns)" | LC_ALL=C sort)
	ncur=$(printf '%s\n' "$expected" | grep -c . || true)
	assert_eq "$(psql_val "select count(*) from mark_version where school_urn in ($urns)")" "$rows" \
		"register: one version per marks.csv row"
	assert_eq "$(psql_val "select count(*) from pupil where school_urn in ($urns)")" "$pupils" \
		"register: one pupil per pupils.csv row"
	assert_eq "$(printf '%s\n' "$actual" | grep -c . || true)" "$ncur" "register: current marks"
	assert_eq "$(printf '%s\n' "$actual" | sha256sum | cut -c1-16)" \
		"$(printf '%s\n' "$expected" | sha256sum | cut -c1-16)" \
		"register: checksum of the current marks against the exports"
}

# rc_acked_in_ledger: every batch a rollcall-push was told ACCEPTED or DUPLICATE (its
# acks.log, in the spool) is in the daemon's ledger: nothing was acknowledged uncommitted.
rc_acked_in_ledger() {
	local d acked missing
	acked=$(for d in "$T"/spool/*/run-*/; do
		[ -f "$d/acks.log" ] || continue
		awk -v run="$(basename "$d")" '$2 == "ACCEPTED" || $2 == "DUPLICATE" {
			sub(/^p/, "", $1); sub(/\.pb$/, "", $1); split($1, a, "-"); print run "-" a[1] "-" a[2] }' "$d/acks.log"
	done | sort -u)
	[ -n "$acked" ] || rc_fail "no acknowledged batch found in the spools' acks.log"
	missing=$(comm -23 <(printf '%s\n' "$acked") <(psql_val "select batch_id from batch" | sort -u))
	[ -z "$missing" ] || rc_fail "acknowledged but not in the ledger: $(echo $missing | head -c 300)"
	echo "ok - all $(printf '%s\n' "$acked" | wc -l) acknowledged batches are in the ledger"
}

assert_eq() {
	if [ "$1" != "$2" ]; then
		rc_fail "${3:-assertion}: got '$1', expected '$2'"
	fi
	echo "ok - ${3:-assertion} ($1)"
}

assert_grep() {
	if ! grep -qE -- "$1" "$2"; then
		echo "--- $2:" >&2
		head -n 40 "$2" >&2
		rc_fail "${3:-expected} /$1/ in $2"
	fi
	echo "ok - ${3:-found /$1/}"
}
