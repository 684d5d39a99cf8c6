#!/usr/bin/env bash
# The demo behind "./dev demo": a synthetic trust pushed end to end through the real programs
# on a private, throwaway PostgreSQL, each program logged in as its own role (the test
# harness's t_owner, t_daemon, t_worker and t_reporting). Everything it makes stays in
# ./demo-output/ (the cluster is stopped and removed at the end; the exports, spool, keys and
# logs are kept).
# The workers write the trust cohort breakdown and every LA's returns for each month covered.
# Options: --pupils N (default 3000), --schools N (6), --from DATE, --to DATE (autumn 2025).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROLLCALL_BUILD=${ROLLCALL_BUILD:-$ROOT/build}
source "$ROOT/tests/integration/harness.sh"

PUPILS=3000 SCHOOLS=6 FROM=2025-09-01 TO=2025-12-19
while [ $# -gt 0 ]; do
	case $1 in
	--pupils) PUPILS=$2; shift 2 ;;
	--schools) SCHOOLS=$2; shift 2 ;;
	--from) FROM=$2; shift 2 ;;
	--to) TO=$2; shift 2 ;;
	*) echo "demo: unknown option $1" >&2; exit 2 ;;
	esac
done

OUT=$ROOT/demo-output
rm -rf "$OUT"
mkdir -p "$OUT"
rc_setup
pg_start fsync=off
rc_configure

echo "==> generating a synthetic trust: $SCHOOLS schools, $PUPILS pupils, marks $FROM..$TO and the year before"
"$RC_BIN_GEN" --out "$OUT/trust" --schools "$SCHOOLS" --pupils "$PUPILS" --from "$FROM" --to "$TO" \
	--years 2
echo "==> registering the schools and a CURVE key per school"
"$RC_BIN_ADMIN" demo "$OUT/trust"
"$RC_BIN_ADMIN" school list

echo "==> starting rollcalld (CURVE on)"
daemon_start
echo "    listening on $RC_ENDPOINT"
echo "==> pushing every school's export through rollcall-push"
for urn in $(tail -n +2 "$OUT/trust/trust.csv" | cut -d, -f1); do
	set +e
	"$RC_BIN_PUSH" -c "$RC_CONF" --school "$urn" --key "$OUT/trust/keys/$urn.key" \
		--spool "$OUT/spool" "$OUT/trust/$urn" 2>>"$OUT/push-rejections.txt"
	status=$?
	set -e
	[ $status -le 1 ] || rc_fail "rollcall-push for $urn exited $status (see $OUT/push-rejections.txt)"
done

echo "==> the daily register maintenance (rollcall retention, as the worker role)"
"$RC_BIN_ADMIN" retention | tee "$OUT/retention.txt"
echo "==> what landed (rollcall status, as the read-only reporting role)"
"$RC_BIN_ADMIN" -c "$RC_CONF" status | tee "$OUT/status.txt" ||
	echo "(rollcall status says something needs a person: see above)"
echo
echo "==> the register keeps history: an amended mark, as stored"
psql -X -q -P pager=off -c "select p.upn, m.date, case m.session when 0 then 'AM' else 'PM' end as session,
  m.version, m.code, m.recorded_by, m.amendment_reason
  from mark_version m join pupil p using (school_urn, pupil_id)
  where (m.school_urn, m.date, m.pupil_id, m.session) in
    (select school_urn, date, pupil_id, session from mark_version where version = 2 limit 1)
  order by m.version"
daemon_stop

echo "==> two rollcall-workers recompute each school, then the trust cohort breakdown"
for i in 1 2; do
	ROLLCALL_OUTPUT_OUTPUT_DIR="$OUT/output" "$RC_BIN_WORKER" -c "$RC_CONF" --name "demo$i" \
		>>"$OUT/workers.log" 2>&1 &
	RC_EXTRA_PIDS="${RC_EXTRA_PIDS:-} $!"
done
"$RC_BIN_ADMIN" report cohorts --timeout 600 | tee "$OUT/report.txt"
echo "==> a Targeting Support Meeting pack for every school (its current term)"
"$RC_BIN_ADMIN" tsm --all --timeout 600 | tee "$OUT/tsm.txt"
echo "==> every LA's statutory returns for each month the register covers (rollcall returns --all)"
# The register covers FROM..TO and the academic year before FROM's (rollcall-gen --years 2).
ay=${FROM:0:4}
[ "$((10#${FROM:5:2}))" -lt 8 ] && ay=$((ay - 1))
month=$((ay - 1))-09
: >"$OUT/returns.txt"
while [[ ! "$month" > "${TO:0:7}" ]]; do
	"$RC_BIN_ADMIN" returns --all --month "$month" --timeout 600 | tee -a "$OUT/returns.txt"
	month=$(date -d "$month-01 +1 month" +%Y-%m)
done
"$RC_BIN_ADMIN" jobs --all | tail -n 4
for p in $RC_EXTRA_PIDS; do kill -TERM "$p"; wait "$p" || true; done
RC_EXTRA_PIDS=
cp "$T/daemon.log" "$OUT/rollcalld.log"
cp "$T/notify.log" "$OUT/rollcalld.notify.log"

asof=$(sed -n 's|.*/trust/\([0-9-]*\)/cohorts.csv.*|\1|p' "$OUT/report.txt")
echo "==> done. Files:"
echo "   trust breakdown:  $OUT/output/trust/$asof/index.html"
echo "                     $OUT/output/trust/$asof/cohorts.csv"
sed -n 's|^\(.*/tsm/[0-9]*/[0-9a-z-]*/\) .*|\1|p' "$OUT/tsm.txt" | while read -r pack; do
	echo "   TSM pack:         ${pack}pack.html (and four CSV files)"
done
echo "   LA returns:       (index.html and the four returns' CSVs in each folder)"
sed -n 's|^job [0-9]* done: \(.*\) (.*|                     \1|p' "$OUT/returns.txt"
echo "   exports:          $OUT/trust/<urn>/{pupils,contacts,marks,calendar}.csv"
echo "   school keys:      $OUT/trust/keys/"
echo "   per-school status $OUT/status.txt"
echo "   rejected rows:    $OUT/push-rejections.txt ($(wc -l <"$OUT/push-rejections.txt") lines)"
echo "   daemon log:       $OUT/rollcalld.log"
