#!/usr/bin/env bash
# Formatting is checked: every C source and header of the repository must be as clang-format
# (the repository's .clang-format) writes it. Prints the files that are not, with clang-format's
# first complaints, and fails.
set -euo pipefail
cd "${ROLLCALL_SRC:?}"
command -v clang-format >/dev/null || { echo "FAIL: clang-format not found (./dev deps installs it)" >&2; exit 1; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files '*.c' '*.h')
else
	mapfile -t files < <(find . -path './build*' -prune -o \( -name '*.c' -o -name '*.h' \) -print)
fi
[ ${#files[@]} -gt 0 ] || { echo "FAIL: no C files found" >&2; exit 1; }
bad=0
for f in "${files[@]}"; do
	if ! out=$(clang-format --dry-run --Werror "$f" 2>&1); then
		echo "not formatted: $f"
		printf '%s\n' "$out" | head -n 6
		bad=$((bad + 1))
	fi
done
[ $bad -eq 0 ] || { echo "FAIL: $bad of ${#files[@]} files not formatted (clang-format -i FILE)" >&2; exit 1; }
echo "ok - all ${#files[@]} C files formatted ($(clang-format --version | head -n 1))"
