#!/usr/bin/env bash
# The trust attendance page in a real browser: render_sample writes the page for a synthetic
# trust, headless Chromium (Debian's package) loads it from file:// and we check that the DOM
# renders (title, tables, charts), that the page logs nothing to the console and requests nothing
# but itself (Chromium's net log), and that a screenshot and an A4 PDF come out.
# RC_HTML_PAGE=FILE checks that page instead of rendering one; RC_HTML_OUT=DIR keeps the page,
# the screenshot and the PDF there.
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

RENDER=$ROLLCALL_BUILD/tests/tools/render_sample
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

# A test installs nothing: ./dev deps (run by ./dev test) installs Debian's chromium.
[ -x "$CHROMIUM" ] || rc_fail "$CHROMIUM not found: run ./dev deps (or apt-get install chromium)"

rc_setup
PAGE=$T/index.html
if [ -n "${RC_HTML_PAGE:-}" ]; then
	cp "$RC_HTML_PAGE" "$PAGE"
else
	[ -x "$RENDER" ] || rc_fail "render_sample not built ($RENDER)"
	"$RENDER" "$PAGE" || rc_fail "render_sample failed"
fi
[ -s "$PAGE" ] || rc_fail "no page written"
URL="file://$PAGE"

# chromium STEP ARGS...: one headless run with its own profile, console log ($T/STEP.err) and
# net log ($T/STEP.net.json). Every host name resolves to nothing, so even a request the checks
# below would miss could not leave the machine.
chromium_run() {
	local step=$1
	shift
	mkdir -p "$T/home-$step"
	set +e
	HOME="$T/home-$step" XDG_CONFIG_HOME="$T/home-$step" XDG_CACHE_HOME="$T/home-$step" \
		timeout 45 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --no-first-run \
		--disable-sync --disable-extensions --disable-default-apps --no-default-browser-check \
		--user-data-dir="$T/profile-$step" --host-resolver-rules='MAP * ~NOTFOUND' \
		--enable-logging=stderr --v=0 --log-net-log="$T/$step.net.json" \
		--hide-scrollbars "$@" "$URL" >"$T/$step.out" 2>"$T/$step.err"
	local status=$?
	set -e
	[ $status -eq 0 ] || { tail -n 20 "$T/$step.err" >&2; rc_fail "chromium ($step) exited $status"; }
}

# check_logs STEP: no console message at all (the page has no script, so any message is an
# error: a blocked or failed load, a CSP violation), and no request made for the page to
# anything but a file:// URL. The net log has one event per line; requests started for a page
# carry its initiator, the browser's own background requests "not an origin" (those find no
# host either, see above).
check_logs() {
	local step=$1 bad
	if grep -E ':CONSOLE[:(]' "$T/$step.err" >"$T/$step.console"; then
		cat "$T/$step.console" >&2
		rc_fail "$step: the page wrote to the console"
	fi
	[ -s "$T/$step.net.json" ] || rc_fail "$step: no net log written"
	bad=$(grep '"initiator":"' "$T/$step.net.json" | grep -v '"initiator":"not an origin"' |
		sed -n 's/.*"url":"\([^"]*\)".*/\1/p' | grep -v '^file://' | sort -u || true)
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" >&2
		rc_fail "$step: the page requested something other than itself"
	fi
	bad=$(grep '"network_isolation_key":"file://' "$T/$step.net.json" |
		sed -n 's/.*"url":"\([^"]*\)".*/\1/p' | grep -v '^file://' | sort -u || true)
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" >&2
		rc_fail "$step: a request was made on the page's behalf"
	fi
	echo "ok - $step: no console message, no request but the page"
}

# (a) The DOM as the browser built it.
chromium_run dom --dump-dom
check_logs dom
DOM=$T/dom.out
assert_grep '<html lang="en-GB"' "$DOM" "lang en-GB"
assert_grep '<title>Trust attendance .* as of [0-9]{1,2} [A-Z][a-z]+ [0-9]{4}</title>' "$DOM" "title"
assert_grep '<h1>Trust attendance' "$DOM" "heading"
for id in school-table category-table cohort-table cohort-matrix trend-table data-quality; do
	assert_grep "id=\"$id\"" "$DOM" "element #$id"
done
svgs=$(grep -o '<svg' "$DOM" | wc -l || true)
[ "$svgs" -ge 5 ] || rc_fail "only $svgs SVG charts in the DOM"
echo "ok - $svgs inline SVG charts"
tables=$(grep -o '<table' "$DOM" | wc -l || true)
[ "$tables" -ge 5 ] || rc_fail "only $tables tables in the DOM"
echo "ok - $tables tables"
if grep -qiE '<script|<iframe|<img|<link' "$DOM"; then
	rc_fail "script, frame, image or link element in the DOM"
fi
echo "ok - no script, frame, image or link"
if [ -z "${RC_HTML_PAGE:-}" ]; then
	# A school name with markup stays text: escaped in the page, no element in the DOM.
	assert_grep 'Oak &amp; Ash &lt;Juniors&gt;' "$DOM" "escaped school name"
	if grep -qi '<juniors' "$DOM"; then rc_fail "a school name became an element"; fi
fi

# (c) What a person sees, and what the printer gets.
chromium_run shot --window-size=1280,2400 --screenshot="$T/page.png"
check_logs shot
[ -s "$T/page.png" ] || rc_fail "no screenshot"
[ "$(head -c 4 "$T/page.png" | tail -c 3)" = PNG ] || rc_fail "screenshot is not a PNG"
[ "$(stat -c %s "$T/page.png")" -gt 20000 ] || rc_fail "screenshot is nearly empty"
echo "ok - screenshot ($(stat -c %s "$T/page.png") bytes)"

chromium_run pdf --no-pdf-header-footer --print-to-pdf="$T/page.pdf"
check_logs pdf
[ -s "$T/page.pdf" ] || rc_fail "no PDF"
[ "$(head -c 5 "$T/page.pdf")" = "%PDF-" ] || rc_fail "print output is not a PDF"
[ "$(stat -c %s "$T/page.pdf")" -gt 10000 ] || rc_fail "PDF is nearly empty"
if command -v pdfinfo >/dev/null; then
	pdfinfo "$T/page.pdf" >"$T/pdfinfo"
	pages=$(sed -n 's/^Pages: *//p' "$T/pdfinfo")
	[ "${pages:-0}" -ge 2 ] || rc_fail "PDF has ${pages:-0} pages"
	# A4 is 595 x 842 points.
	assert_grep '^Page size: +59[45](\.[0-9]+)? x 84[12](\.[0-9]+)? pts' "$T/pdfinfo" "A4 pages"
fi
echo "ok - PDF ($(stat -c %s "$T/page.pdf") bytes)"

if [ -n "${RC_HTML_OUT:-}" ]; then
	mkdir -p "$RC_HTML_OUT"
	cp "$PAGE" "$T/page.png" "$T/page.pdf" "$RC_HTML_OUT/"
	echo "kept page, screenshot and PDF in $RC_HTML_OUT"
fi
echo "html_chromium: all checks passed"
