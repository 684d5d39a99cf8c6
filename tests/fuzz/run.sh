#!/usr/bin/env bash
# Runs a libFuzzer target for a bounded time over its committed seed corpus (read only: what
# it finds goes into a scratch folder) and fails, naming the crashing input, when it crashes.
# Usage: run.sh TARGET_BINARY SEED_CORPUS_DIR SECONDS
set -euo pipefail
bin=$1 seeds=$2 secs=$3
[ -x "$bin" ] || { echo "FAIL: $bin not built" >&2; exit 1; }
[ -d "$seeds" ] && [ -n "$(ls -A "$seeds")" ] || { echo "FAIL: no seed corpus in $seeds" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/rollcall-fuzz-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
set +e
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=1048576 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" \
	>"$work/log" 2>&1
status=$?
set -e
tail -n 12 "$work/log"
if [ $status -ne 0 ]; then
	for f in "$work"/artifacts/*; do
		[ -e "$f" ] || continue
		echo "--- crashing input $(basename "$f") (base64; add it to $seeds once fixed):"
		base64 -w 76 "$f" | head -n 40
	done
	grep -m 20 -E 'ERROR|SUMMARY|#[0-9]+ 0x' "$work/log" >&2 || true
	echo "FAIL: $(basename "$bin") exited $status" >&2
	exit 1
fi
echo "ok - $(basename "$bin"): $(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$work/log" | awk '{ print $2 }') runs in $secs s, no crash"
