# The CSV reader the test tools' awk programs share (awk -f csv.awk -f PROGRAM.awk).
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
