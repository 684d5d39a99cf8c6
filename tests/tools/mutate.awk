# One random night of register changes for the refresh-property test: reads the school's export
# state (pupils.csv, calendar.csv) and its current marks (cur.csv: upn,date,session,code, as
# stored), and writes the next export to push into out/ (pupils.csv and calendar.csv in full,
# marks.csv with only the new rows). POSIX awk (mawk); deterministic for a seed.
#
#   awk -f csv.awk -v seed=N -v out=DIR -v day=YYYY-MM-DD -v exported=YYYY-MM-DD -v first=YYYY-MM-DD \
#       -v la=NNN -v estab=NNNN -f mutate.awk pupils.csv calendar.csv cur.csv
#
# day: the last day marked so far; exported: the last export date used (characteristics change
# from a date on or after it); first: the earliest day changes may touch. Prints
# "day=D exported=E ops=..." for the next round.
#
# The changes, each with its own chance: new school days marked for everyone on roll; past
# marks amended; N marks recoded; a joiner admitted on a past day with marks since; a leaver
# with a past leaving date; a leaver re-admitted (a new spell); characteristics (FSM, PP, SEN,
# boarder, year group) changed from a past date; a past day closed or reopened in the calendar.

function quote(s) { return s ~ /[,"]/ ? "\"" s "\"" : s }
function pick(n) { return int(rand() * n) + 1 }
function chance(p) { return rand() < p }

# UPN with its check letter (domain.md §9): LA, establishment, two digits, serial.
function upn(serial,   d, s, i) {
	d = sprintf("%03d%04d99%03d", la, estab, serial)
	s = 0
	for (i = 1; i <= 12; i++) s += substr(d, i, 1) * (i + 1)
	return substr("ABCDEFGHJKLMNPQRTUVWXYZ", s % 23 + 1, 1) d
}

function on_roll(i, d) { return adm[i] <= d && (lv[i] == "" || d <= lv[i]) }

# A code for pupil i on a new day: a few pupils are often away unauthorised or ill, so runs
# long enough for the returns happen.
function code_for(i, pm,   r, k) {
	r = rand(); k = kind[i]
	if (k == 1 && r < 0.85) return "N"
	if (k == 2 && r < 0.85) return "I"
	r = rand()
	if (r < 0.80) return pm ? "\\" : "/"
	if (r < 0.84) return "N"
	if (r < 0.88) return "I"
	if (r < 0.90) return "L"
	if (r < 0.92) return "M"
	if (r < 0.94) return "O"
	if (r < 0.95) return "G"
	if (r < 0.96) return "U"
	if (r < 0.97) return "B"
	if (r < 0.98) return "Y1"
	return "C"
}

function mark(u, d, s, code, amend) {
	printf "%s,%s,%s,%s,%s,%sT%s,%s,%s,\n", u, d, s, code, code == "L" ? 5 : code == "U" ? 35 : "",
	       amend ? day : d, amend ? "16:00:00Z" : (s == "AM" ? "08:50:00Z" : "13:10:00Z"),
	       amend ? "Office (Attendance officer)" : "Register (Class teacher)",
	       amend ? "Property test: recoded" : "" > (out "/marks.csv")
	nmarks++
}

# Marks for pupil i on every open session of the days in (from, to] not marked yet (a pupil
# re-admitted may have marks stored after the leaving date they were later given).
function mark_days(i, from, to,   k, u) {
	u = P[i, "upn"]
	for (k = 1; k <= nday; k++)
		if (days[k] > from && days[k] <= to && on_roll(i, days[k])) {
			if (open[days[k], "AM"] && !have[u, days[k], "AM"]) mark(u, days[k], "AM", code_for(i, 0), 0)
			if (open[days[k], "PM"] && !have[u, days[k], "PM"]) mark(u, days[k], "PM", code_for(i, 1), 0)
		}
}

# A random day with an open session in [a, b], or "" when there is none.
function open_day(a, b,   k, n, c) {
	n = 0
	for (k = 1; k <= nday; k++)
		if (days[k] >= a && days[k] <= b && (open[days[k], "AM"] || open[days[k], "PM"])) c[++n] = days[k]
	return n ? c[pick(n)] : ""
}

BEGIN { FS = ","; srand(seed) }
FNR == 1 { file++; header = $0; nf = csv($0); for (k = 1; k <= nf; k++) col[file, F[k]] = k
	if (file == 1) { phead = $0; pnf = nf }
	if (file == 2) chead = $0
	next }
file == 1 {
	np++; csv($0)
	line[np] = $0
	P[np, "upn"] = F[col[1, "upn"]]; ix[F[col[1, "upn"]]] = np
	adm[np] = F[col[1, "admission_date"]]; lv[np] = F[col[1, "leaving_date"]]
	for (k = 1; k <= pnf; k++) cell[np, k] = F[k]
	kind[np] = chance(0.08) ? 1 : chance(0.08) ? 2 : 0
	next
}
file == 2 {
	csv($0)
	d = F[col[2, "date"]]; s = F[col[2, "session"]]
	if (!(d in seen)) { seen[d] = 1; days[++nday] = d }
	open[d, s] = F[col[2, "open"]] == "Y"
	crow[d, s] = $0; cterm[d, s] = F[col[2, "term"]]
	next
}
file == 3 {
	csv($0)
	nm++; mu[nm] = F[1]; md[nm] = F[2]; ms[nm] = F[3]; mc[nm] = F[4]
	have[F[1], F[2], F[3]] = 1
	next
}

END {
	ops = ""
	printf "%s\n", "upn,date,session,code,minutes_late,recorded_at,recorded_by,amendment_reason,comment" > (out "/marks.csv")

	# characteristics (from a date between the last export and today)
	newexp = exported
	if (chance(0.3)) {
		newexp = open_day(exported, day); if (newexp == "") newexp = exported
		for (n = pick(3); n > 0; n--) {
			i = pick(np); r = pick(5)
			if (r == 1) c = col[1, "fsm"]
			else if (r == 2) c = col[1, "pupil_premium"]
			else if (r == 3) c = col[1, "boarder"]
			else if (r == 4) c = col[1, "sen"]
			else c = col[1, "nc_year"]
			v = cell[i, c]
			if (r <= 3) cell[i, c] = v == "Y" ? "N" : "Y"
			else if (r == 4) cell[i, c] = v == "N" ? "K" : v == "K" ? "E" : "N"
			else cell[i, c] = v == "6" ? "5" : v == "5" ? "6" : v
			changed[i] = 1
		}
		ops = ops " chars@" newexp
	}
	# a leaver
	if (chance(0.15)) {
		i = pick(np)
		if (lv[i] == "") {
			d = open_day(adm[i] > first ? adm[i] : first, day)
			if (d != "") { lv[i] = d; cell[i, col[1, "leaving_reason"]] = "Moved away"; changed[i] = 1; ops = ops " leaver@" d }
		}
	}
	# a leaver re-admitted: a new spell
	if (chance(0.1)) {
		for (i = 1; i <= np; i++)
			if (lv[i] != "" && lv[i] < day) {
				d = open_day(dstr_next(lv[i]), day)
				if (d == "" || d <= lv[i]) break
				old = lv[i]; adm[i] = d; lv[i] = ""
				cell[i, col[1, "leaving_reason"]] = ""
				if (col[1, "entered_on"]) cell[i, col[1, "entered_on"]] = d
				changed[i] = 1; ops = ops " readmit@" d
				mark_days(i, dstr_prev(d), day)
				break
			}
	}
	# a joiner, admitted on a past day
	if (chance(0.2)) {
		d = open_day(first, day)
		if (d != "") {
			np++; i = np
			for (k = 1; k <= pnf; k++) cell[i, k] = cell[1, k]
			P[i, "upn"] = upn(100 + np); ix[P[i, "upn"]] = i
			cell[i, col[1, "upn"]] = P[i, "upn"]
			cell[i, col[1, "surname"]] = "Joiner"
			adm[i] = d; lv[i] = ""
			cell[i, col[1, "leaving_reason"]] = ""
			if (col[1, "entered_on"]) cell[i, col[1, "entered_on"]] = d
			if (col[1, "previous_school"]) cell[i, col[1, "previous_school"]] = ""
			if (col[1, "destination_school"]) cell[i, col[1, "destination_school"]] = ""
			if (col[1, "destination_address"]) cell[i, col[1, "destination_address"]] = ""
			if (col[1, "destination_start"]) cell[i, col[1, "destination_start"]] = ""
			kind[i] = pick(3) - 1
			changed[i] = 1; ops = ops " joiner@" d
			mark_days(i, dstr_prev(d), day)
		}
	}
	# past marks amended, and N recoded
	if (nm > 0 && chance(0.5)) {
		for (n = pick(6); n > 0; n--) {
			k = pick(nm)
			if (!amendable(k)) continue
			c = code_for(pick(np), ms[k] == "PM")
			if (c != mc[k]) { mark(mu[k], md[k], ms[k], c, 1); mc[k] = c }
		}
		ops = ops " amend"
	}
	if (chance(0.4)) {
		for (k = 1; k <= nm; k++)
			if (mc[k] == "N" && amendable(k) && chance(0.3)) {
				c = substr("/IMOGC", pick(6), 1)
				if (c == "/" && ms[k] == "PM") c = "\\"
				mark(mu[k], md[k], ms[k], c, 1); mc[k] = c
			}
		ops = ops " recodeN"
	}
	# a past day closed, or reopened
	cal_changed = 0
	if (chance(0.15)) {
		d = open_day(first, day)
		if (d != "") { open[d, "AM"] = 0; open[d, "PM"] = 0; cal_changed = 1; ops = ops " close@" d }
	}
	if (chance(0.08)) {
		for (k = 1; k <= nday; k++)
			if (days[k] >= first && days[k] <= day && !open[days[k], "AM"] && cterm[days[k], "AM"] != "") {
				open[days[k], "AM"] = open[days[k], "PM"] = 1; cal_changed = 1
				ops = ops " reopen@" days[k]
				break
			}
	}
	# new days for everyone on roll
	newday = day
	if (chance(0.7)) {
		for (n = pick(3); n > 0; n--) {
			d = ""
			for (k = 1; k <= nday; k++)
				if (days[k] > newday && (open[days[k], "AM"] || open[days[k], "PM"])) { d = days[k]; break }
			if (d == "") break
			for (i = 1; i <= np; i++) mark_days(i, newday, d)
			newday = d
		}
		ops = ops " days->" newday
	}

	print phead > (out "/pupils.csv")
	for (i = 1; i <= np; i++) {
		cell[i, col[1, "admission_date"]] = adm[i]
		cell[i, col[1, "leaving_date"]] = lv[i]
		row = ""
		for (k = 1; k <= pnf; k++) row = row (k > 1 ? "," : "") quote(cell[i, k])
		print row > (out "/pupils.csv")
	}
	print chead > (out "/calendar.csv")
	for (k = 1; k <= nday; k++) {
		print days[k] ",AM," (open[days[k], "AM"] ? "Y" : "N") "," cterm[days[k], "AM"] > (out "/calendar.csv")
		print days[k] ",PM," (open[days[k], "PM"] ? "Y" : "N") "," cterm[days[k], "PM"] > (out "/calendar.csv")
	}
	printf "day=%s exported=%s marks=%d ops=%s\n", newday, newexp, nmarks, ops
}

# Mark k may be amended: in the days changes touch, on a pupil's current spell, not a Z.
function amendable(k,   i) {
	if (md[k] < first || mc[k] == "Z" || !(mu[k] in ix)) return 0
	i = ix[mu[k]]
	return on_roll(i, md[k])
}

# The calendar's next and previous days (days[] holds weekdays only; weekends are never open).
function dstr_next(d,   k) { for (k = 1; k <= nday; k++) if (days[k] > d) return days[k]; return d }
function dstr_prev(d,   k) { for (k = nday; k >= 1; k--) if (days[k] < d) return days[k]; return "0000-00-00" }
