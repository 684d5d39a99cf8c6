#!/usr/bin/env bash
# The manual and the --help texts say the same thing: every option (and, for rollcall, every
# command) in a program's --help is in the SYNOPSIS, OPTIONS or COMMANDS of its man page and
# the other way round; every option the program's code accepts is in its --help; every page
# formats without a groff warning; rollcall.conf(5) lists every key --check-config prints.
source "$(dirname "$0")/harness.sh"
rc_setup
MAN=$ROLLCALL_BUILD/man
command -v groff >/dev/null || rc_fail "groff not found (apt-get install groff-base)"

# options FILE: the options a text mentions, one a line, sorted.
options() {
	{
		grep -oE -- '--[a-z][a-z0-9-]*' "$1" || true
		grep -oE -- '(^|[][[:space:],(|])-[a-zA-Z]([^[:alnum:]-]|$)' "$1" |
			grep -oE -- '-[a-zA-Z]' || true
	} | sort -u
}

# man_text PAGE: the page as plain text (ASCII hyphens, no overstrike, not justified, so words
# stay one space apart).
man_text() { sed '/^\.TH/a .ad l' "$1" | groff -man -Tascii -P-c -P-b -P-o -P-u 2>/dev/null; }

# man_sections TEXT SECTION...: the lines of those sections of a formatted page.
man_sections() {
	local text=$1
	shift
	awk -v want=" $* " '/^[A-Z][A-Z ]*$/ { on = index(want, " " $0 " ") > 0; next } on' "$text"
}

# same WHAT A B: the two sorted lists are equal, or fail naming what is in one and not the other.
same() {
	local what=$1 a=$2 b=$3 only_a only_b
	only_a=$(comm -23 "$a" "$b" | tr '\n' ' ')
	only_b=$(comm -13 "$a" "$b" | tr '\n' ' ')
	[ -z "$only_a$only_b" ] || rc_fail "$what: only in --help: [${only_a% }]; only in the man page: [${only_b% }]"
	echo "ok - $what ($(wc -l <"$a") items)"
}

check_program() { # NAME BINARY PAGE SOURCE...
	local name=$1 bin=$2 page=$3
	shift 3
	[ -f "$MAN/$page" ] || rc_fail "$MAN/$page not built"
	"$bin" --help >"$T/$name.help" || rc_fail "$name --help failed"
	if groff -man -ww -z -Tutf8 "$MAN/$page" 2>&1 | grep -q .; then
		groff -man -ww -z -Tutf8 "$MAN/$page" >&2
		rc_fail "$page: groff warnings"
	fi
	man_text "$MAN/$page" >"$T/$name.man.txt"
	man_sections "$T/$name.man.txt" SYNOPSIS OPTIONS COMMANDS >"$T/$name.man.opt"
	options "$T/$name.help" >"$T/$name.help.o"
	options "$T/$name.man.opt" >"$T/$name.man.o"
	same "$name: options in --help and $page" "$T/$name.help.o" "$T/$name.man.o"
	# What the code accepts: getopt_long tables and options compared as strings.
	{ cat "$@" | grep -oE '\{"[a-z][a-z0-9-]*", *(no|required|optional)_argument' || true; } |
		sed -E 's/^\{"([^"]*)".*/--\1/' >"$T/$name.code.o"
	{ cat "$@" | grep -oE '"--[a-z][a-z0-9-]*"' || true; } | tr -d '"' >>"$T/$name.code.o"
	sort -u -o "$T/$name.code.o" "$T/$name.code.o"
	[ -s "$T/$name.code.o" ] || rc_fail "$name: no options found in its source"
	missing=$(comm -23 "$T/$name.code.o" "$T/$name.help.o" | tr '\n' ' ')
	[ -z "$missing" ] || rc_fail "$name: the code accepts [${missing% }] but --help does not say so"
	echo "ok - $name: every option the code accepts is in --help ($(wc -l <"$T/$name.code.o"))"
}

S=$ROLLCALL_SRC
check_program rollcalld "$RC_BIN_DAEMON" rollcalld.8 "$S"/daemon/*.c
check_program rollcall-worker "$RC_BIN_WORKER" rollcall-worker.8 "$S"/worker/*.c
check_program rollcall "$RC_BIN_ADMIN" rollcall.8 "$S"/tools/admin/*.c
check_program rollcall-push "$RC_BIN_PUSH" rollcall-push.1 "$S"/tools/push/*.c
check_program rollcall-gen "$RC_BIN_GEN" rollcall-gen.1 "$S"/tools/gen/*.c

# rollcall's commands: the first words of the command lines of --help and of COMMANDS.
# (A command is one or two lowercase words at the start of the line, one space apart.)
commands() { sed -nE "s/^$1([a-z]+ [a-z]+)( .*|\$)/\\1/p; t; s/^$1([a-z]+)( .*|\$)/\\1/p" | sort -u; }
commands '  ' <"$T/rollcall.help" >"$T/cmd.help"
man_sections "$T/rollcall.man.txt" COMMANDS | commands '       ' >"$T/cmd.man"
[ "$(wc -l <"$T/cmd.help")" -ge 10 ] || rc_fail "rollcall --help: commands not found"
same "rollcall: commands in --help and rollcall.8" "$T/cmd.help" "$T/cmd.man"

# rollcall.conf(5) is generated from the table --check-config prints: every key is in it.
groff -man -ww -z -Tutf8 "$MAN/rollcall.conf.5" 2>&1 | grep -q . && rc_fail "rollcall.conf.5: groff warnings"
man_text "$MAN/rollcall.conf.5" >"$T/conf.txt"
env -u ROLLCALL_DATABASE_CONNINFO "$RC_BIN_DAEMON" -c /dev/null --check-config |
	awk '/^\[/ { s = $0 } /^[a-z_]+ = / { print s " " $1 }' >"$T/conf.keys"
[ "$(wc -l <"$T/conf.keys")" -ge 15 ] || rc_fail "--check-config printed too few keys"
while read -r section key; do
	awk -v s="   $section" -v k="       $key" '$0 == s { on = 1; next } /^   \[/ { on = 0 } on && ($0 == k || index($0, k " ") == 1) { f = 1 } END { exit !f }' "$T/conf.txt" ||
		rc_fail "rollcall.conf.5 has no entry for $section $key"
done <"$T/conf.keys"
echo "ok - rollcall.conf.5 documents all $(wc -l <"$T/conf.keys") keys, each in its section"
