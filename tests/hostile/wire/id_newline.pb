°çx
rollcalld[info]: forged line