#!/usr/bin/env bash
# Per-request overhead of each adapter over its bare framework, in one run:
# GET / with no cookie, and with a session cookie the handler never
# touches (no store call), through net/http, echo v4/v5, fiber v2/v3 and
# gin, each against the same framework with no middleware. In-process (no
# network); the logged-in user read uses the in-memory stores.
#
#   bash bench/adapters.sh            # COUNT=5 BENCHTIME=1s by default
#
# Prints each benchmark's median ns/op and allocs/op, then a table of the
# overhead (adapter − bare) per framework.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-5}
BENCHTIME=${BENCHTIME:-1s}
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
run() { # label dir pkg
  (cd "$2" && go test -run '^$' -bench . -benchmem -count "$COUNT" -benchtime "$BENCHTIME" "$3") |
    awk -v l="$1" '/^Benchmark/ {sub(/-[0-9]+$/, "", $1); print l, $0}' >>"$OUT"
}
run nethttp . ./middleware/internal/adaptertest/nethttpbench
run echo . ./middleware/echomw
run echo5 middleware/echo5mw .
run fiber . ./middleware/fibermw
run fiber3 middleware/fiber3mw .
run gin middleware/ginmw .
# median ns/op, cpu-ns/op and allocs/op per (framework, benchmark)
awk '{
  key=$1" "$2; k=++n[key]
  for (i=4;i<=NF;i++) {
    if ($(i)=="ns/op") ns[key,k]=$(i-1)
    if ($(i)=="cpu-ns/op") cpu[key,k]=$(i-1)
    if ($(i)=="allocs/op") al[key]=$(i-1)
  }
} END {
  for (key in n) {
    m=n[key]
    for (i=1;i<=m;i++) {v[i]=ns[key,i]; c[i]=cpu[key,i]}
    for (i=1;i<=m;i++) for (j=i+1;j<=m;j++) {
      if (v[j]<v[i]) {t=v[i];v[i]=v[j];v[j]=t}
      if (c[j]<c[i]) {t=c[i];c[i]=c[j];c[j]=t}
    }
    print key, v[int((m+1)/2)], c[int((m+1)/2)], al[key]
  }
}' "$OUT" | sort >"$OUT.med"
echo "median of $COUNT runs, -benchtime $BENCHTIME; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $(go version | cut -d' ' -f3)"
printf '%-8s %-32s %10s %10s %7s\n' framework benchmark ns/op cpu-ns/op allocs
awk '{printf "%-8s %-32s %10.0f %10.0f %7s\n", $1, $2, $3, $4, $5}' "$OUT.med"
echo
echo "overhead over the bare framework (cpu-ns/op; wall ns/op in brackets), target ≤ 1500 ns"
printf '%-8s %12s %24s %24s\n' framework bare "+ no cookie" "+ cookie untouched"
awk '
  $2 ~ /^BenchmarkBare/ {bw[$1]=$3; bc[$1]=$4}
  $2=="BenchmarkNoCookie" {nw[$1]=$3; nc[$1]=$4}
  $2=="BenchmarkSessionCookieUntouched" {uw[$1]=$3; uc[$1]=$4}
  END {for (f in bw) printf "%-8s %12.0f %14.0f (%6.0f) %14.0f (%6.0f)\n", f, bc[f], nc[f]-bc[f], nw[f]-bw[f], uc[f]-bc[f], uw[f]-bw[f]}
' "$OUT.med" | sort
rm -f "$OUT.med"
