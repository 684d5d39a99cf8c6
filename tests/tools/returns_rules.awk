# The LA returns of domain.md §6 worked out from a register export, independently of Rollcall's
# code: the figures a test compares with the returns the workers wrote. POSIX awk (mawk).
#
#   (with tests/tools/csv.awk: awk -f csv.awk -f returns_rules.awk)
#   mode=flatten  FILES: trust.csv, then each school's calendar.csv, pupils.csv, marks.csv
#                 (folders named by URN). Prints tab-separated records to be sorted
#                 (LC_ALL=C sort -t TAB -k2,2 -k3,3 -k4,4 -k5,5):
#                 S urn "" "" "" la max_mark_date junior_year first_session
#                 P urn upn 0000-00-00 "" dob admission leaving nc entered previous reason
#                   dest_school dest_address dest_start
#                 M urn upn date session code comment   (current marks of open sessions)
#   mode=rules    the sorted records; -v months="2025-09 2025-10"; prints the expected rows.
#   mode=actual   FILES: the returns' CSVs; prints their rows in the same form.
#
# Expected rows (|-separated):
#   A|la|urn|upn|episode_start|qualified_on|episode_sessions|ongoing|last_known_cause|month
#   S|la|urn|upn|status|reason|illness_sessions_ytd|longest_illness_run|first_illness_date|month
#   N|la|urn|upn|admission_date|entered_on|due_by|previous_school|month
#   D|la|urn|upn|leaving_date|deletion_ground|destination_school|destination_address|
#     destination_start|month


function header(n,   i) { for (i in H) delete H[i]; for (i = 1; i <= n; i++) H[F[i]] = i }

# (dnum and dstr, day arithmetic, come from csv.awk.)
function ncrank(v) { return v == "N1" ? -2 : v == "N2" ? -1 : v == "R" ? 0 : v + 0 }

BEGIN {
	FS = mode == "rules" ? "\t" : ","; OFS = "\t"
	nmonths = split(months, month_list, " ")
	split("/ \\ L K V P W B C1 M J1 S C2 C T R I E G N O U", a, " ")
	for (i in a) possible[a[i]] = 1
	split("G N O U", a, " ")
	for (i in a) gnou[a[i]] = 1
}

# ---- flatten ------------------------------------------------------------------------------
mode == "flatten" && FNR == 1 {
	file = FILENAME; sub(/.*\//, "", file)
	n = split(FILENAME, parts, "/"); urn = parts[n - 1]
	header(csv($0))
	next
}
mode == "flatten" && file == "trust.csv" { csv($0); la_of[F[H["school_urn"]]] = F[H["la_code"]]; next }
mode == "flatten" && file == "calendar.csv" {
	csv($0)
	if (F[H["open"]] == "Y") {
		open[urn, F[H["date"]], F[H["session"]]] = 1
		ay = F[H["date"]] < substr(F[H["date"]], 1, 4) "-08-01" ? substr(F[H["date"]], 1, 4) - 1 : substr(F[H["date"]], 1, 4) + 0
		if (!((urn, ay) in first_open) || F[H["date"]] < first_open[urn, ay]) first_open[urn, ay] = F[H["date"]]
	}
	next
}
mode == "flatten" && file == "pupils.csv" {
	csv($0)
	u = F[H["upn"]]; k = urn SUBSEP u
	pupils[k] = 1
	nc = F[H["nc_year"]]
	if (nc != "" && (!(urn in junior) || ncrank(nc) < ncrank(junior[urn]))) junior[urn] = nc
	entered = F[H["entered_on"]] != "" ? F[H["entered_on"]] : F[H["admission_date"]]
	prec[k] = "P" OFS urn OFS u OFS "0000-00-00" OFS "" OFS F[H["date_of_birth"]] OFS F[H["admission_date"]] OFS F[H["leaving_date"]] OFS nc OFS entered OFS F[H["previous_school"]] OFS F[H["leaving_reason"]] OFS F[H["destination_school"]] OFS F[H["destination_address"]] OFS F[H["destination_start"]]
	next
}
mode == "flatten" && file == "marks.csv" {
	csv($0)
	m = urn SUBSEP F[H["upn"]] SUBSEP F[H["date"]] SUBSEP F[H["session"]]
	code[m] = F[H["code"]]; note[m] = F[H["comment"]]
	if (!(urn in maxdate) || F[H["date"]] > maxdate[urn]) maxdate[urn] = F[H["date"]]
	next
}

# ---- the returns' CSVs --------------------------------------------------------------------
mode == "actual" && FNR == 1 {
	file = FILENAME; sub(/.*\//, "", file)
	n = split(FILENAME, parts, "/"); month = parts[n - 1]
	header(csv($0))
	next
}
mode == "actual" {
	csv($0)
	head = F[H["la_code"]] "|" F[H["school_urn"]] "|" F[H["upn"]]
	if (file == "attendance-return.csv")
		print "A|" head "|" F[H["episode_start"]] "|" F[H["qualified_on"]] "|" F[H["episode_sessions"]] "|" F[H["ongoing"]] "|" F[H["last_known_cause"]] "|" month
	else if (file == "sickness-return.csv")
		print "S|" head "|" F[H["status"]] "|" F[H["reason"]] "|" F[H["illness_sessions_ytd"]] "|" F[H["longest_illness_run"]] "|" F[H["first_illness_date"]] "|" month
	else if (file == "new-pupil-return.csv")
		print "N|" head "|" F[H["admission_date"]] "|" F[H["entered_on"]] "|" F[H["due_by"]] "|" F[H["previous_school"]] "|" month
	else if (file == "deletion-return.csv")
		print "D|" head "|" F[H["leaving_date"]] "|" F[H["deletion_ground"]] "|" F[H["destination_school"]] "|" F[H["destination_address"]] "|" F[H["destination_start"]] "|" month
	next
}

# ---- the rules ----------------------------------------------------------------------------
mode == "rules" && $1 == "S" {
	split($0, R, "\t")
	pupil_done()
	s_la = R[6]; s_max = R[7]; s_junior = R[8]; s_first = R[9]
	next
}
mode == "rules" && $1 == "P" {
	split($0, R, "\t")
	pupil_done()
	cur = R[2] SUBSEP R[3]; urn = R[2]; upn = R[3]
	dob = R[6]; adm = R[7]; lv = R[8]; nc = R[9]; entered = R[10]; prev = R[11]
	reason = R[12]; dschool = R[13]; daddr = R[14]; dstart = R[15]
	ns = 0
	next
}
mode == "rules" && $1 == "M" {
	split($0, R, "\t")
	if (!possible[R[6]]) next
	ns++; sd[ns] = R[4]; sc[ns] = R[6]; sn[ns] = R[7]
	next
}
mode == "rules" { next }

# Runs (of G/N/O/U when kind is "U", of I when "I") over the sessions up to asof: arrays
# rs (start), rz (last session), rq (day of the q-th session), rl (sessions), rc (last comment),
# re (end_day: the day of the breaking session, the day after leaving, or "" while open).
# Returns the count.
function runs(kind, asof, q,   i, n, in_run, hit) {
	n = 0; in_run = 0
	for (i = 1; i <= ns && sd[i] <= asof; i++) {
		hit = kind == "U" ? (sc[i] in gnou) : sc[i] == "I"
		if (hit) {
			if (!in_run) { n++; in_run = 1; rs[n] = sd[i]; rq[n] = ""; rl[n] = 0; rc[n] = ""; re[n] = "" }
			rl[n]++; rz[n] = sd[i]
			if (rl[n] == q) rq[n] = sd[i]
			if (sn[i] != "") rc[n] = sn[i]
		} else if (in_run) {
			re[n] = sd[i]; in_run = 0
		}
	}
	if (in_run && lv != "" && lv <= asof) re[n] = dstr(dnum(lv) + 1)
	return n
}

function pupil_done(   mi, M, y, mo, first, last, asof, ay, lo, hi, comp, n, i, total, first_ill, reached, reached_before, rows, ongoing, olen, longest, onroll, excluded) {
	if (cur == "") return
	for (mi = 1; mi <= nmonths; mi++) {
		M = month_list[mi]; y = substr(M, 1, 4) + 0; mo = substr(M, 6, 2) + 0
		first = M "-01"
		last = dstr(dnum(sprintf("%04d-%02d-01", mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1)) - 1)
		ay = mo >= 8 ? y : y - 1
		lo = (ay - 16) "-09-01"; hi = (ay - 5) "-08-31"
		comp = dob >= lo && dob <= hi

		# new pupil and deletion returns: from the admission register alone
		excluded = nc == s_junior && adm == s_first
		if (entered >= first && entered <= last && !excluded)
			print "N|" s_la "|" urn "|" upn "|" adm "|" entered "|" dstr(dnum(entered) + 5) "|" prev "|" M
		if (lv >= first && lv <= last)
			print "D|" s_la "|" urn "|" upn "|" lv "|" reason "|" dschool "|" daddr "|" dstart "|" M

		asof = s_max < last ? s_max : last
		if (asof < first || !comp) continue

		# attendance return: episodes whose 20th session falls in the month
		n = runs("U", asof, 20)
		for (i = 1; i <= n; i++)
			if (rq[i] >= first && rq[i] <= last)
				print "A|" s_la "|" urn "|" upn "|" rs[i] "|" rq[i] "|" rl[i] "|" (re[i] == "" || re[i] > last ? "Y" : "N") "|" rc[i] "|" M

		# sickness return
		total = 0; first_ill = ""; reached = ""
		for (i = 1; i <= ns && sd[i] <= asof; i++) {
			if (sd[i] < ay "-08-01" || sc[i] != "I") continue
			if (first_ill == "") first_ill = sd[i]
			if (++total == 30) reached = sd[i]
		}
		reached_before = reached != "" && reached < first
		n = runs("I", asof, 30)
		rows = 0; ongoing = 0; olen = 0; longest = 0
		for (i = 1; i <= n; i++) {
			if (rz[i] < ay "-08-01") continue
			if (rl[i] > longest) longest = rl[i]
			if (re[i] == "" || re[i] > last) { ongoing = i; olen = rl[i] }
			if (rq[i] == "") continue
			if (rq[i] >= ay "-08-01" && rq[i] < first) reached_before = 1
			if (rq[i] >= first && rq[i] <= last) { sick("REACHED", "CONTINUOUS", total, first_ill, M); rows++ }
		}
		if (rows == 0 && reached >= first && reached <= last) { sick("REACHED", "CUMULATIVE", total, first_ill, M); rows++ }
		onroll = asof >= adm && (lv == "" || asof <= lv)
		if (rows == 0 && !reached_before && onroll) {
			if (ongoing && olen >= 10) sick("FORECAST", "CONTINUOUS", total, first_ill, M)
			else if (total >= 20) sick("FORECAST", "CUMULATIVE", total, first_ill, M)
		}
		flush_sick(longest)
	}
	cur = ""
}
# Sickness rows carry the month's totals; longest is the longest run up to the month's end,
# so rows wait until every run is seen.
function sick(status, reason, total, first_ill, M) {
	pend[++npend] = "S|" s_la "|" urn "|" upn "|" status "|" reason "|" total "|LONGEST|" first_ill "|" M
}
function flush_sick(longest,   i, r) {
	for (i = 1; i <= npend; i++) { r = pend[i]; sub(/LONGEST/, longest, r); print r }
	npend = 0
}

END {
	if (mode == "flatten") {
		for (k in prec) {
			split(k, f, SUBSEP)
			print prec[k]
		}
		for (m in code) {
			split(m, f, SUBSEP)
			if (!((f[1], f[3], f[4]) in open) || !((f[1] SUBSEP f[2]) in pupils)) continue
			print "M", f[1], f[2], f[3], f[4] == "AM" ? 0 : 1, code[m], note[m]
		}
		for (u in la_of) {
			d = maxdate[u]; ay = d < substr(d, 1, 4) "-08-01" ? substr(d, 1, 4) - 1 : substr(d, 1, 4) + 0
			print "S", u, "", "", "", la_of[u], d, junior[u], first_open[u, ay]
		}
	}
	if (mode == "rules")
		pupil_done()
}
