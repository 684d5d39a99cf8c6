# The figures of a TSM pack for one school, computed here from the register export files alone
# (no Rollcall code), for tests/integration/tsm.sh to compare with the pack's CSV files. The
# rules are domain.md's, written again from the text:
#   headline population: compulsory school age in the pack's academic year, not a boarder, at
#   least one possible session in the period; categories on the edges given (E0..E3, in basis
#   points); 5% bands over 20 possible sessions or more; SA / PA at 50% / 10%; at risk and
#   falling: ytd category at_risk_pa and the last 4 school weeks FALL basis points below the rest
#   of the year; an attendance-return episode: 20 or more possible sessions of G/N/O/U in a row
#   (other possible codes break it, sessions not counted do not), still going on the day; the
#   sickness return: 30 I sessions this year, or a run of I reaching its 30th session this year,
#   or a forecast (a run of I of 10 still going, or 20 I sessions this year); the penalty
#   threshold: 10 G/N/O/U in the 10 most recent school weeks. Lists hold pupils on roll on the day.
# Run with tests/tools/csv.awk (awk -f csv.awk -f tsm_expected.awk). Input files, in order: the
# school's open sessions ("date session", sorted), pupils.csv, its current marks ("upn date
# session code", sorted by upn, date, session).
# Variables: D (the pack's day), TFIRST (the term's first day), E0..E3, FALL, URN.
# Output lines: C,urn,period,category,pupils,pct  B,urn,period,band,pupils,pct
#   P,urn,upn,surname,forename,nc_year,attendance_pct,category,flags
#   X,urn,upn,surname,forename,window_start,window_end,unauthorised_sessions
function monday(s) { return dnum(s) - (dnum(s) + 3) % 7 }
function pct(n, d, t) { if (d == 0) return ""; t = int((n * 2000 / d + 1) / 2); return int(t / 10) "." (t % 10) }
function ay_of(s) { return substr(s, 6, 2) + 0 >= 8 ? substr(s, 1, 4) + 0 : substr(s, 1, 4) - 1 }
function compulsory(dob, ay) { return dob >= (ay - 16) "-09-01" && dob <= (ay - 5) "-08-31" }
function category(a, p) {
	if (a * 10000 <= E0 * p) return "expected"
	if (a * 10000 < E1 * p) return "at_risk_pa"
	if (a * 10000 <= E2 * p) return "pa"
	if (a * 10000 < E3 * p) return "at_risk_sa"
	return "sa"
}
function header(n, i) { for (i in H) delete H[i]; for (i = 1; i <= n; i++) H[F[i]] = i }
function col(name) { return (name in H) ? H[name] : 0 }
BEGIN {
	split("/ \\ L K V P W B J", a, " "); for (i in a) kind[a[i]] = "P"
	split("C1 M J1 S C2 C T R I E H F", a, " "); for (i in a) kind[a[i]] = "A"
	split("G N O U", a, " "); for (i in a) kind[a[i]] = "U"
	AY = ay_of(D); YFIRST = AY "-08-01"
	split("expected at_risk_pa pa at_risk_sa sa", cats, " ")
	split("00-05 05-10 10-15 15-20 20-25 25-30 30-35 35-40 40-45 45-50 50+", bands, " ")
	split("ytd term last4w", periods, " ")
	split("SA PA AT_RISK ATTENDANCE_RETURN SICKNESS_RETURN PENALTY_THRESHOLD", flagname, " ")
}
FILENAME == ARGV[1] {
	# school weeks: Mondays of the weeks with an open session on or before D
	if ($1 <= D && !(monday($1) in wk)) { wk[monday($1)] = 1; weeks[++nweeks] = monday($1) }
	next
}
FILENAME == ARGV[2] && FNR == 1 {
	header(csv($0)) # pupils.csv is CSV, the other two separated by spaces
	cu = col("upn"); cs = col("surname"); cf = col("forename"); cd = col("date_of_birth")
	cn = col("nc_year"); ca = col("admission_date"); cl = col("leaving_date"); cb = col("boarder")
	# the 4th and 10th most recent school weeks (the sessions come sorted)
	L4 = weeks[nweeks - 3 > 0 ? nweeks - 3 : 1]; PEN = weeks[nweeks - 9 > 0 ? nweeks - 9 : 1]
	next
}
FILENAME == ARGV[2] {
	csv($0)
	u = F[cu]; sur[u] = F[cs]; fore[u] = F[cf]; dob[u] = F[cd]; nc[u] = F[cn]; adm[u] = F[ca]
	lv[u] = F[cl]; brd[u] = F[cb]; pupil[u] = 1
	next
}
{
	u = $1; d = $2; k = kind[$4]
	if (!(u in pupil) || d > D || d < adm[u] || (lv[u] != "" && d > lv[u]) || k == "") next
	n = dnum(d)
	if (d >= YFIRST) { pos[u, 1]++; if (k != "P") ab[u, 1]++ }
	if (d >= TFIRST) { pos[u, 2]++; if (k != "P") ab[u, 2]++ }
	if (n >= L4) { pos[u, 3]++; if (k != "P") ab[u, 3]++ }
	if (k == "U") {
		if (n >= PEN) gnou[u]++
		run[u]++; if (run[u] == 20) qday[u] = d
	} else run[u] = 0
	if ($4 == "I") {
		irun[u]++; if (irun[u] == 30 && d >= YFIRST) reached[u] = 1
		if (d >= YFIRST) iyear[u]++
	} else irun[u] = 0
}
END {
	for (u in pupil) {
		onroll = adm[u] <= D && (lv[u] == "" || lv[u] >= D)
		comp = compulsory(dob[u], AY)
		for (p = 1; p <= 3; p++) {
			if (!comp || brd[u] == "Y" || pos[u, p] == 0) continue
			c = category(ab[u, p] + 0, pos[u, p]); ncat[p, c]++; npop[p]++
			if (pos[u, p] >= 20) { b = int(ab[u, p] * 20 / pos[u, p]); if (b > 10) b = 10; nband[p, b]++; nbanded[p]++ }
		}
		f = ""
		if (onroll && comp && brd[u] != "Y" && pos[u, 1] > 0) {
			a1 = ab[u, 1] + 0; p1 = pos[u, 1]
			flag[1] = a1 * 2 >= p1; flag[2] = a1 * 10 >= p1
			p4 = pos[u, 3] + 0; a4 = ab[u, 3] + 0; pr = p1 - p4; ar = a1 - a4
			flag[3] = category(a1, p1) == "at_risk_pa" && L4 >= dnum(YFIRST) && p4 > 0 && pr > 0 &&
			        10000 * ((pr - ar) * p4 - (p4 - a4) * pr) >= FALL * pr * p4
		} else flag[1] = flag[2] = flag[3] = 0
		flag[4] = onroll && run[u] >= 20 && compulsory(dob[u], ay_of(qday[u]))
		flag[5] = onroll && comp && (reached[u] || iyear[u] >= 30 || irun[u] >= 10 || iyear[u] >= 20)
		flag[6] = onroll && comp && gnou[u] >= 10
		for (i = 1; i <= 6; i++) if (flag[i]) f = f (f == "" ? "" : ";") flagname[i]
		if (f != "")
			print "P," URN "," u "," sur[u] "," fore[u] "," nc[u] "," pct(pos[u, 1] - ab[u, 1], pos[u, 1]) "," (pos[u, 1] ? category(ab[u, 1] + 0, pos[u, 1]) : "") "," f
		if (flag[6])
			print "X," URN "," u "," sur[u] "," fore[u] "," dstr(PEN) "," D "," gnou[u]
	}
	for (p = 1; p <= 3; p++) {
		for (i = 1; i <= 5; i++) print "C," URN "," periods[p] "," cats[i] "," ncat[p, cats[i]] + 0 "," pct(ncat[p, cats[i]], npop[p])
		for (b = 0; b <= 10; b++) print "B," URN "," periods[p] "," bands[b + 1] "," nband[p, b] + 0 "," pct(nband[p, b], nbanded[p])
	}
}
