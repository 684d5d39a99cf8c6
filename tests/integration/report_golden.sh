#!/usr/bin/env bash
# The trust page and cohorts.csv of the synthetic sample trust, byte for byte as committed in
# tests/golden/: a change to a shared report piece that alters the trust breakdown's output
# shows here. Regenerate only for an intended change (render_sample PAGE N CSV), and say so.
set -euo pipefail
render=$1 golden=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for n in 6 2 0; do
	"$render" "$out/trust-$n.html" "$n" "$out/trust-$n.csv"
	for ext in html csv; do
		if ! cmp -s "$golden/trust-$n.$ext" "$out/trust-$n.$ext"; then
			diff -u "$golden/trust-$n.$ext" "$out/trust-$n.$ext" | head -n 40 >&2
			echo "FAIL: trust-$n.$ext differs from the golden file" >&2
			exit 1
		fi
		echo "ok - trust-$n.$ext byte-identical"
	done
	# Every row has the header's fields (the sample's cells hold no quoted commas).
	bad=$(awk -F, 'NR == 1 { n = NF } NF != n { print NR; exit }' "$out/trust-$n.csv")
	[ -z "$bad" ] || { echo "FAIL: trust-$n.csv line $bad has a different field count" >&2; exit 1; }
done
