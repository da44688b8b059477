#!/bin/sh
# run_eva.sh -- the EVA run of `make proofs` (see proofs/proofs.mk, README.md).
#
# Runs Frama-C EVA (abstract interpretation, IEEE 754 semantics) on
# proofs/eva_driver.c, which executes the embedded default network (free
# phase, C-EP phase, BPTT) in binary64 on interval inputs.  Writes
#   $BUILD/proofs/eva.log          EVA's log
#   $BUILD/proofs/eva_alarms.tsv   one line per alarm: file:line, function, kind
#   $BUILD/proofs/eva_result       "alarms=<n> seconds=<s> status=<ok|failed>"
# run_wp.sh puts these in proofs/report.md and fails the run unless EVA
# finished and reported 0 alarms.  Exits non-zero only when frama-c itself
# fails (so that the report is still written).
#
# Environment (all optional): BUILD, CC, FRAMAC (see run_wp.sh), and
#   EVA_PRECISION  -eva-precision (default 2)
#   EVA_UNROLL     -eva-auto-loop-unroll (default 600: the driver's loops are
#                  unrolled completely; at 96 EVA merges iterations and
#                  reports 4 false alarms)
set -eu

BUILD=${BUILD:-build}
CC=${CC:-cc}
FRAMAC=${FRAMAC:-frama-c}
EVA_PRECISION=${EVA_PRECISION:-2}
EVA_UNROLL=${EVA_UNROLL:-600}

out=$BUILD/proofs
. proofs/lib.sh
proofs_headers "$out/include" "$CC"

log=$out/eva.log
csv=$out/eva_properties.csv
rm -f "$log" "$csv" "$out/eva_result" "$out/eva_alarms.tsv"
echo "proofs: EVA on proofs/eva_driver.c (-eva-precision $EVA_PRECISION, about 2 min)"
start=$(date +%s)
set +e
"$FRAMAC" -machdep x86_64 -pp-annot \
    -cpp-extra-args="-Isrc -Iproofs -I$out/include" \
    proofs/eva_driver.c \
    -eva -eva-precision "$EVA_PRECISION" -eva-auto-loop-unroll "$EVA_UNROLL" \
    -warn-special-float nan \
    -then -report-csv "$csv" >"$log" 2>&1
rc=$?
set -e
secs=$(( $(date +%s) - start ))
if [ $rc -ne 0 ] || [ ! -s "$csv" ]; then
    tail -n 30 "$log" >&2
    echo "alarms=? seconds=$secs status=failed" >"$out/eva_result"
    echo "proofs: EVA failed (frama-c exit $rc), log in $log" >&2
    exit 1
fi
# "N alarms generated" (or "No alarms") is EVA's own count in its summary.
n=$(sed -n 's/^ *\([0-9][0-9]*\) alarms\{0,1\} generated.*/\1/p' "$log" | tail -n 1)
if [ -z "$n" ] && grep -q 'No alarm' "$log"; then n=0; fi
[ -n "$n" ] || n='?'
# the alarms themselves, from the property list (kind "Alarm"-like entries
# are the RTE properties EVA emitted with a status other than valid)
awk -F'\t' 'NR > 1 && $5 ~ /^(mem_access|index_bound|signed_overflow|unsigned_overflow|division_by_zero|float_to_int|is_nan_or_infinite|is_nan|shift|initialization|dangling_pointer|pointer_value|ptr_comparison|differing_blocks|separation|overlap|function_pointer|bool_value)/ && $6 !~ /^Valid/ {
    print $1 ":" $3 "\t" $4 "\t" $5 "\t" $6 }' "$csv" >"$out/eva_alarms.tsv" || true
# 0 alarms is not enough: EVA stops propagating a path at a property it
# finds invalid (e.g. a loop invariant broken by a wrong loop bound) and at
# code that never terminates, and then reports fewer alarms because it
# analysed less.  (Measured: with t_zero's bound broken, EVA said "0 alarms"
# after 3 s and 20% coverage.)  So any invalid property, or any function
# EVA finds non-terminating, fails the run too.
invalid=$(sed -n 's/.* \([0-9][0-9]*\) invalid .*/\1/p' "$log" | awk '{ s += $1 } END { print s + 0 }')
invalid=$(( invalid + $(grep -c 'got status invalid' "$log" || true) ))
nonterm=$(grep -c 'NON TERMINATING' "$log" || true)
coverage=$(sed -n 's/.*functions analyzed (out of [0-9]*): \([0-9]*%\) coverage.*/\1/p' "$log" | tail -n 1)
status=ok
[ "$n" = 0 ] && [ "$invalid" = 0 ] && [ "$nonterm" = 0 ] || status=failed
echo "alarms=$n seconds=$secs status=$status invalid=$invalid nonterminating=$nonterm coverage=${coverage:-?}" >"$out/eva_result"
echo "proofs: EVA: $n alarms, $invalid invalid properties, $nonterm non-terminating functions, function coverage ${coverage:-?}, in $secs s"
