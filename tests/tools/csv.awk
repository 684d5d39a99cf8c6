# What the test tools' awk programs share (awk -f csv.awk -f PROGRAM.awk): the CSV reader and
# day arithmetic.
# RFC 4180 fields of line into F[1..n]; returns n. Quoted fields only where there are quotes.
function csv(line,   n, i, c, f, q, len) {
	if (index(line, "\"") == 0)
		return split(line, F, ",")
	n = 0; f = ""; q = 0; len = length(line)
	for (i = 1; i <= len; i++) {
		c = substr(line, i, 1)
		if (q) {
			if (c == "\"") {
				if (substr(line, i + 1, 1) == "\"") { f = f "\""; i++ } else q = 0
			} else f = f c
		} else if (c == "\"") q = 1
		else if (c == ",") { F[++n] = f; f = "" }
		else f = f c
	}
	F[++n] = f
	return n
}

# Day arithmetic on YYYY-MM-DD (days since 1970-01-01, proleptic Gregorian).
function dnum(s,   y, m, d) {
	y = substr(s, 1, 4) + 0; m = substr(s, 6, 2) + 0; d = substr(s, 9, 2) + 0
	if (m <= 2) { y--; m += 12 }
	return 365 * y + int(y / 4) - int(y / 100) + int(y / 400) + int((153 * (m - 3) + 2) / 5) + d - 719469
}
function dstr(n,   z, era, doe, yoe, y, doy, mp, d, m) {
	z = n + 719468; era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9
	if (m <= 2) y++
	return sprintf("%04d-%02d-%02d", y, m, d)
}
