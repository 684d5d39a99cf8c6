# Shared by the package tests: builds the Debian package of the build being tested with CPack
# (the same CPackConfig.cmake "cmake --build build --target package" uses) into a folder of the
# test's own. Source after harness.sh.

# pkg_build DIR: the .deb in DIR; sets PKG_DEB to its path.
pkg_build() {
	local dir=$1
	[ -f "$ROLLCALL_BUILD/CPackConfig.cmake" ] || rc_fail "no CPackConfig.cmake in $ROLLCALL_BUILD"
	cpack --config "$ROLLCALL_BUILD/CPackConfig.cmake" -B "$dir" >"$dir.log" 2>&1 ||
		{ cat "$dir.log" >&2; rc_fail "cpack failed"; }
	PKG_DEB=$(ls "$dir"/rollcall_*.deb 2>/dev/null | head -n 1)
	[ -n "$PKG_DEB" ] || { cat "$dir.log" >&2; rc_fail "cpack made no rollcall_*.deb in $dir"; }
	rm -rf "$dir/_CPack_Packages"
}

# The programs, units and conffiles the package must hold (the units are every unit in deploy/).
PKG_PROGRAMS="rollcall rollcall-gen rollcall-push rollcall-worker rollcalld"
PKG_CONFFILES="/etc/rollcall/push.env /etc/rollcall/rollcall.conf"
pkg_units() { (cd "$ROLLCALL_SRC/deploy" && ls -- *.service *.timer) | sort; }
