#!/usr/bin/env bash
# A report page in a real browser: the trust attendance page (render_sample writes it for a
# synthetic trust) or, with RC_HTML_KIND=tsm, a TSM pack (render_tsm_sample writes the sample
# school's). Headless Chromium (Debian's package) loads it from file:// and we check that the DOM
# renders (title, tables, charts), that the page logs nothing to the console and requests nothing
# but itself (Chromium's net log), and that a screenshot, an A4 PDF and a picture of the PDF's
# first page come out.
# RC_HTML_PAGE=FILE checks that page instead of rendering one; RC_HTML_OUT=DIR keeps the page,
# the screenshot, the PDF and its first page (page1.png) there.
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

KIND=${RC_HTML_KIND:-trust}
RENDER=$ROLLCALL_BUILD/tests/tools/render_sample
[ "$KIND" = tsm ] && RENDER=$ROLLCALL_BUILD/tests/tools/render_tsm_sample
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

# A test installs nothing: ./dev deps (run by ./dev test) installs Debian's chromium.
[ -x "$CHROMIUM" ] || rc_fail "$CHROMIUM not found: run ./dev deps (or apt-get install chromium)"

rc_setup
PAGE=$T/index.html
if [ -n "${RC_HTML_PAGE:-}" ]; then
	cp "$RC_HTML_PAGE" "$PAGE"
elif [ "$KIND" = tsm ]; then
	[ -x "$RENDER" ] || rc_fail "render_tsm_sample not built ($RENDER)"
	mkdir "$T/pack"
	"$RENDER" "$T/pack" || rc_fail "render_tsm_sample failed"
	cp "$T/pack/pack.html" "$PAGE"
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
if [ "$KIND" = tsm ]; then
	assert_grep '<title>TSM pack .+ (Autumn|Spring|Summer) term [0-9]{4}/[0-9]{2}</title>' "$DOM" "title"
	assert_grep '<h1>' "$DOM" "heading"
	ids="trend-table benchmark-table category-table band-table cohort-table reason-table late-table data-quality"
	min_svgs=6 min_tables=8
else
	assert_grep '<title>Trust attendance .* as of [0-9]{1,2} [A-Z][a-z]+ [0-9]{4}</title>' "$DOM" "title"
	assert_grep '<h1>Trust attendance' "$DOM" "heading"
	ids="school-table category-table cohort-table cohort-matrix trend-table data-quality"
	min_svgs=5 min_tables=5
fi
for id in $ids; do
	assert_grep "id=\"$id\"" "$DOM" "element #$id"
done
svgs=$(grep -o '<svg' "$DOM" | wc -l || true)
[ "$svgs" -ge "$min_svgs" ] || rc_fail "only $svgs SVG charts in the DOM"
echo "ok - $svgs inline SVG charts"
tables=$(grep -o '<table' "$DOM" | wc -l || true)
[ "$tables" -ge "$min_tables" ] || rc_fail "only $tables tables in the DOM"
echo "ok - $tables tables"
if grep -qiE '<script|<iframe|<img|<link' "$DOM"; then
	rc_fail "script, frame, image or link element in the DOM"
fi
echo "ok - no script, frame, image or link"
if [ -z "${RC_HTML_PAGE:-}" ]; then
	# A name with markup stays text: escaped in the page, no element in the DOM.
	if [ "$KIND" = tsm ]; then
		assert_grep 'Oak &amp; Ash &lt;Primary&gt;' "$DOM" "escaped school name"
		assert_grep 'O.Brien &lt;b&gt;' "$DOM" "escaped pupil name"
		if grep -qi '<primary' "$DOM"; then rc_fail "a school name became an element"; fi
	else
		assert_grep 'Oak &amp; Ash &lt;Juniors&gt;' "$DOM" "escaped school name"
		if grep -qi '<juniors' "$DOM"; then rc_fail "a school name became an element"; fi
	fi
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
	want_pages=2
	[ "$KIND" = tsm ] && want_pages=4 # the pack's sections start on pages of their own
	[ "${pages:-0}" -ge "$want_pages" ] || rc_fail "PDF has ${pages:-0} pages"
	# A4 is 595 x 842 points.
	assert_grep '^Page size: +59[45](\.[0-9]+)? x 84[12](\.[0-9]+)? pts' "$T/pdfinfo" "A4 pages"
fi
echo "ok - PDF ($(stat -c %s "$T/page.pdf") bytes)"
# The first printed page as a picture: what the meeting sees first (the charts are on it).
if command -v pdftoppm >/dev/null; then
	pdftoppm -r 80 -png -f 1 -l 1 -singlefile "$T/page.pdf" "$T/page1" ||
		rc_fail "pdftoppm could not draw the first page"
	[ "$(stat -c %s "$T/page1.png")" -gt 20000 ] || rc_fail "the first printed page is nearly empty"
	echo "ok - first printed page drawn ($(stat -c %s "$T/page1.png") bytes)"
fi

if [ -n "${RC_HTML_OUT:-}" ]; then
	mkdir -p "$RC_HTML_OUT"
	cp "$PAGE" "$T/page.png" "$T/page.pdf" "$RC_HTML_OUT/"
	[ -f "$T/page1.png" ] && cp "$T/page1.png" "$RC_HTML_OUT/"
	echo "kept page, screenshot and PDF in $RC_HTML_OUT"
fi
echo "html_chromium: all checks passed"
