#!/usr/bin/env bash
# The hostile-input corpus (tests/hostile): protobuf messages sent raw to rollcalld, CSV export
# folders and CTF files given to rollcall-push. tests/hostile/expected.tsv says, for each file,
# the outcome (the daemon's answer, or rollcall-push's exit status) and the clear rejection
# that must be printed (an extended regular expression matched against a line). Every file of
# the corpus must have a row, and no output may carry a name or a date of birth of the corpus's
# invented pupils. RC_CORPUS_SHOW=1 prints each output instead of checking it.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
school_with_key 100001 2012001 primary 201
school_with_key 100002 2012002 primary 201
# A small decode budget, so that a batch of empty sub-messages meets it with a small file.
ROLLCALL_DAEMON_DECODE_BUDGET_BYTES=65536 daemon_start
H=$ROLLCALL_SRC/tests/hostile
table=$H/expected.tsv

run_case() { # run_case FILE: prints "OUTCOME" on the first line, then the output
	local f=$1 out status
	case "$f" in
	wire/*)
		out=$("$RC_RAWSEND" "$RC_ENDPOINT" "$RC_SERVER_KEY" "$T/keys/100001.key" file "$H/$f" || true)
		status=$(head -n 1 <<<"$out" | sed -n 's/^status=\([A-Z]*\) .*/\1/p')
		echo "${status:-$(head -n 1 <<<"$out")}"
		printf '%s\n' "$out"
		;;
	csv/* | ctf/*)
		rm -rf "$T/case"
		mkdir -p "$T/case"
		cp -r "$H/$f" "$T/case/"
		set +e
		"$RC_BIN_PUSH" -c "$RC_CONF" --school 100001 --key "$T/keys/100001.key" --quiet \
			--give-up 30 "$T/case/$(basename "$f")" >"$T/case.out" 2>"$T/case.err"
		status=$?
		set -e
		echo "$status"
		cat "$T/case.err" "$T/case.out"
		;;
	*) rc_fail "$f: not under wire/, csv/ or ctf/" ;;
	esac
}

checked=0
while IFS=$'\t' read -r file want regex; do
	case "$file" in '' | '#'*) continue ;; esac
	[ -e "$H/$file" ] || rc_fail "expected.tsv names $file, which is not in the corpus"
	run_case "$file" >"$T/result"
	got=$(head -n 1 "$T/result")
	if [ "${RC_CORPUS_SHOW:-0}" = 1 ]; then
		echo "=== $file: $got"
		tail -n +2 "$T/result"
		continue
	fi
	[ "$got" = "$want" ] || { cat "$T/result" >&2; rc_fail "$file: outcome $got, expected $want"; }
	tail -n +2 "$T/result" | grep -qE -- "$regex" ||
		{ cat "$T/result" >&2; rc_fail "$file: no line matches /$regex/"; }
	if grep -qE 'Testperson|Testpupil|Wrongletter|Alpha|Beta|2016-05-04|2017-01-12|2015-03-04' "$T/result"; then
		cat "$T/result" >&2
		rc_fail "$file: the output carries an invented pupil's name or date of birth"
	fi
	echo "ok - $file: $got, $(tail -n +2 "$T/result" | grep -E -m1 -- "$regex" | cut -c1-110)"
	checked=$((checked + 1))
done <"$table"

# Every file of the corpus has its row.
for f in $(cd "$H" && find wire ctf -type f; cd "$H" && find csv -mindepth 1 -maxdepth 1 -type d); do
	cut -f1 "$table" | grep -qx -- "$f" || rc_fail "$f has no row in expected.tsv"
done
[ "${RC_CORPUS_SHOW:-0}" = 1 ] || echo "ok - $checked corpus files, each refused clearly"
# The daemon is still up after all of it, and its log lines are its own.
out=$("$RC_RAWSEND" "$RC_ENDPOINT" "$RC_SERVER_KEY" "$T/keys/100001.key" hello)
assert_eq "${out%% *}" "status=ACCEPTED" "the daemon still answers"
bad=$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z rollcalld\[[a-z]+\]: ' "$T/daemon.log" || true)
assert_eq "$bad" "0" "every line of the daemon's log is a log line of its own"
daemon_stop
