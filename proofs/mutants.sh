#!/bin/sh
# mutants.sh -- the proof mutation suite (`make proofs-mutants`, proofs/proofs.mk).
#
# Each line of proofs/mutants.tsv is a small semantic bug (a mutant) in one
# function of src/.  For each mutant, in a fresh scratch tree
# $BUILD/mutants/<id>/ (a copy of src/, proofs/ and GNUmakefile taken once at
# the start of the run, so that every mutant sees the same tree), the script
#   1. replaces the original text by the mutated one (the original must occur
#      exactly once in the file, else the mutant is "invalid"),
#   2. compiles the translation units that include the file with $CC
#      (-fsyntax-only; a mutant that does not compile is "invalid"),
#   3. with MUTANT_TESTS=1, builds the library and the cmocka test programs
#      (tests/test_*.c) there and runs them, recording which fail,
#   4. runs WP (proofs/run_wp.sh, EVA=0, one frama-c job) on the functions of
#      the mutant only, and gives the verdict
#        rejected  WP leaves at least one goal unproved (the first is named)
#                  or a property of those functions is not established,
#        survived  every goal is proved: the contracts do not see the bug,
#        invalid   the mutant cannot be applied, compiled or parsed/typed
#                  by Frama-C;
# then deletes the scratch tree.  Mutants run one at a time (each WP run
# uses WP_PAR goals at once).  It prints one line per mutant as it finishes
# and a total line, writes the report (proofs/mutants.md; with MUTANTS set,
# a subset, $BUILD/mutants/mutants.md unless MUTANT_REPORT says otherwise)
# and exits 1 when any mutant survived or is invalid.
#
# Environment (all optional; proofs.mk passes them):
#   MUTANTS          ids to run ("T01 M05"; default: all of the table)
#   MUTANT_TSV       the table (default proofs/mutants.tsv)
#   MUTANT_TIMEOUT   WP_TIMEOUT of the mutant runs, seconds (default 20: a
#                    mutant is rejected by a goal that is NOT proved)
#   MUTANT_TESTS     1: also build and run the cmocka tests of each mutant
#   MUTANT_TESTS_SKIP  test programs not run (default test_allocfail: the
#                    allocation-failure sweep, 30 s, checks error paths only)
#   MUTANT_TEST_TIMEOUT  seconds per test program (default 300)
#   MUTANT_WP        0: no WP run (with MUTANT_TESTS=1: the tests only,
#                    to fill in the last column of the table)
#   MUTANT_KEEP      1: keep the scratch trees (debugging)
#   MUTANT_UPDATE_TSV  1 (with MUTANT_TESTS=1): write the tests that kill each
#                    mutant run into the last column of the table
#   MUTANT_REPORT    where the report goes
#   MUTANT_COMMAND   the command line recorded in the report
#   BUILD, CC, PROVERS, WP_PAR, FRAMAC   as for run_wp.sh
set -u
t0=$(date +%s)
BUILD=${BUILD:-build}
CC=${CC:-cc}
PROVERS=${PROVERS:-z3,cvc4}
WP_PAR=${WP_PAR:-2}
FRAMAC=${FRAMAC:-frama-c}
TSV=${MUTANT_TSV:-proofs/mutants.tsv}
MUTANTS=${MUTANTS:-}
MUTANT_TIMEOUT=${MUTANT_TIMEOUT:-20}
MUTANT_TESTS=${MUTANT_TESTS:-0}
MUTANT_TESTS_SKIP=${MUTANT_TESTS_SKIP-test_allocfail}
MUTANT_TEST_TIMEOUT=${MUTANT_TEST_TIMEOUT:-300}
MUTANT_WP=${MUTANT_WP:-1}
MUTANT_KEEP=${MUTANT_KEEP:-0}
if [ -n "$MUTANTS" ]; then REPORT=${MUTANT_REPORT:-$BUILD/mutants/mutants.md}
else REPORT=${MUTANT_REPORT:-proofs/mutants.md}; fi
COMMAND=${MUTANT_COMMAND:-sh proofs/mutants.sh}

top=$PWD
root=$BUILD/mutants
base=$root/_base
results=$root/results.tsv
tab=$(printf '\t')
# the project's flags with -Werror undone: a mutant may leave a variable
# unused, which is still C (it must compile, not be warning-free)
TEST_CFLAGS="-O2 -g -Wno-error"

die() { echo "mutants: $*" >&2; exit 2; }
[ -f "$TSV" ] || die "no table $TSV"
command -v python3 >/dev/null 2>&1 || die "python3 is needed (text substitution)"
command -v jq >/dev/null 2>&1 || die "jq is needed (make proofs-deps)"

mkdir -p "$root"
# ---- the selected mutants, checked: 7 fields, known ids -------------------------------
python3 - "$TSV" "$MUTANTS" >"$root/list.tsv" <<'EOF' || die "bad table $TSV or MUTANTS"
import sys
rows, seen = [], set()
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    line = line.rstrip("\n")
    if not line.strip() or line.lstrip().startswith("#"):
        continue
    f = line.split("\t")
    if len(f) != 7 or not all(x.strip() for x in f):
        sys.exit(f"mutants: {sys.argv[1]}:{n}: expected 7 non-empty tab-separated fields, got {len(f)}")
    if f[0] in seen:
        sys.exit(f"mutants: {sys.argv[1]}:{n}: duplicate id {f[0]}")
    seen.add(f[0]); rows.append(f)
want = sys.argv[2].replace(",", " ").split()
unknown = [w for w in want if w not in seen]
if unknown:
    sys.exit("mutants: unknown ids: " + " ".join(unknown))
for f in rows:
    if not want or f[0] in want:
        print("\t".join(f))
EOF
nsel=$(wc -l <"$root/list.tsv")
[ "$nsel" -gt 0 ] || die "no mutant selected"

# ---- the snapshot every mutant starts from -------------------------------------------
rm -rf "$base"
mkdir -p "$base"
cp -pR src proofs GNUmakefile "$base"/ || die "cannot copy the tree to $base"
base_fail=
tests=
if [ "$MUTANT_TESTS" = 1 ]; then
    cp -pR tests "$base"/ && ln -s "$top/vectors" "$base/vectors" || die "cannot copy tests/"
    for t in tests/test_*.c; do
        t=${t#tests/}; t=${t%.c}
        case " $MUTANT_TESTS_SKIP " in *" $t "*) continue ;; esac
        tests="$tests $t"
    done
    bins=$(for t in $tests; do printf ' build/tests/%s' "$t"; done)
    echo "mutants: building the unmutated library and tests in $base"
    # shellcheck disable=SC2086 # bins is a list
    make -C "$base" --no-print-directory -j2 CC="$CC" CFLAGS="$TEST_CFLAGS" $bins \
        >"$root/base-build.log" 2>&1 || { tail -n 20 "$root/base-build.log" >&2; die "the unmutated tree does not build"; }
    for t in $tests; do
        (cd "$base" && timeout "$MUTANT_TEST_TIMEOUT" "build/tests/$t" >/dev/null 2>&1 </dev/null) ||
            base_fail="$base_fail $t"
    done
    [ -z "$base_fail" ] ||
        echo "mutants: WARNING: failing before any mutation (not counted as kills):$base_fail" >&2
fi

# ---- one mutant -------------------------------------------------------------------------
# apply DIR FILE ORIG REPL: the substitution, or a message and exit 1
apply() {
    python3 - "$@" <<'EOF'
import sys, os
d, f, o, r = sys.argv[1:5]
o, r = o.replace("\\n", "\n"), r.replace("\\n", "\n")
p = os.path.join(d, "src", f)
try:
    s = open(p, encoding="utf-8").read()
except OSError as e:
    sys.exit(f"cannot read src/{f}: {e.strerror}")
n = s.count(o)
if n != 1:
    sys.exit(f"original text occurs {n} times in src/{f} (must be exactly once)")
open(p, "w", encoding="utf-8").write(s.replace(o, r))
EOF
}

# tus FILE: the translation units that compile src/FILE (a *_source.c is
# included by its instantiation units)
tus() {
    case $1 in
        *_source.c) grep -rl --include='*.c' "#include \"$1\"" src | grep -v '_source\.c$' ;;
        *.c) echo "src/$1" ;;
        *) grep -rl --include='*.c' "#include \"$1\"" src ;;
    esac
}

# wp_verdict DIR: "verdict<TAB>goal<TAB>detail" from the WP run in DIR
wp_verdict() {
    out=$1/build/proofs
    if [ ! -s "$out/wp.1.json" ] || [ ! -s "$out/properties.1.csv" ] ||
       grep -q '^proofs: frama-c failed' "$1/build/run_wp.out"; then
        why=$(grep -m 1 -E '\[kernel\].*(rror|nvalid)|User Error|Fatal' "$out/wp.1.log" 2>/dev/null |
              sed 's/^\[kernel[^]]*\] //' | cut -c1-160)
        [ -n "$why" ] || why=$(tail -n 1 "$1/build/run_wp.out" | cut -c1-160)
        printf 'invalid\t-\tframa-c: %s\n' "$why"; return
    fi
    counts=$(jq -r '."wp:global"."wp:main" | "\(.valid // 0) \(.total // 0)"' "$out/wp.1.json")
    valid=${counts% *}; total=${counts#* }
    if [ "$total" = 0 ]; then
        printf 'invalid\t-\tno WP goal for the listed functions (names?)\n'; return
    fi
    if [ "$valid" != "$total" ]; then
        # first unproved goal as wp.log lists it: "[wp] [Failed] Goal NAME" (a
        # proved one reads "[wp] [Qed] Goal NAME : Valid (6ms)")
        g=$(sed -n 's/^\[wp\] \[\([^]]*\)\] Goal \([^ ]*\)\(.*\)$/\1|\2|\3/p' "$out/wp.1.log" |
            awk -F'|' '$3 !~ /^ : Valid/ { print $2 " (" $1 ")"; exit }')
        if [ -z "$g" ]; then  # from the JSON: a goal whose main status is not valid
            g=$(jq -r '[."wp:functions"[] | to_entries[] | select(.key != "wp:section") |
                        select((.value."wp:main".valid // 0) < (.value."wp:main".total // 0)) | .key] |
                       first // "?"' "$out/wp.1.json")
        fi
        printf 'rejected\t%s\t%s/%s goals proved\n' "$g" "$valid" "$total"; return
    fi
    if [ -s "$out/open.tsv" ]; then
        p=$(head -n 1 "$out/open.tsv" | awk -F'\t' '{ print $2 " " $3 ": " $4 }')
        printf 'rejected\t%s\tall %s goals proved, a property not established\n' "$p" "$total"; return
    fi
    printf 'survived\t-\tall %s goals proved\n' "$total"
}

: >"$results"
n_rej=0; n_surv=0; n_inv=0; n_done=0
printf 'mutants: %d to run (WP timeout %s s%s)\n' "$nsel" "$MUTANT_TIMEOUT" \
    "$( [ "$MUTANT_TESTS" = 1 ] && echo ", cmocka tests:$tests")"
while IFS="$tab" read -r id file fns orig repl desc _kills <&3; do
    m0=$(date +%s)
    d=$root/$id
    rm -rf "$d"
    cp -pR "$base" "$d" || die "cannot copy $base to $d"
    verdict=; goal=-; detail=; killed=-
    if ! msg=$(apply "$d" "$file" "$orig" "$repl" 2>&1); then
        echo "mutants: $id: $msg" >&2
        verdict=invalid; detail=$msg
    fi
    # gcc: the units that include the file, syntax only
    if [ -z "$verdict" ]; then
        units=$(cd "$d" && tus "$file")
        [ -n "$units" ] || units="src/$file"
        for u in $units; do
            if ! (cd "$d" && $CC -std=c11 -D_POSIX_C_SOURCE=200809L -ffp-contract=off -pthread -Isrc \
                     -fsyntax-only "$u") >"$d/gcc.log" 2>&1; then
                verdict=invalid
                detail="gcc: $(grep -m 1 'error' "$d/gcc.log" | cut -c1-160)"
                break
            fi
        done
    fi
    # the cmocka tests
    if [ -z "$verdict" ] && [ "$MUTANT_TESTS" = 1 ]; then
        # shellcheck disable=SC2086 # bins is a list
        if ! make -C "$d" --no-print-directory -j2 CC="$CC" CFLAGS="$TEST_CFLAGS" $bins \
                >"$d/build.log" 2>&1; then
            verdict=invalid
            detail="gcc: $(grep -m 1 'error' "$d/build.log" | cut -c1-160)"
        else
            killed=
            for t in $tests; do
                case " $base_fail " in *" $t "*) continue ;; esac
                (cd "$d" && timeout "$MUTANT_TEST_TIMEOUT" "build/tests/$t" >"build/tests/$t.log" 2>&1 </dev/null) ||
                    killed="${killed:+$killed,}$t"
            done
            [ -n "$killed" ] || killed=-
        fi
    fi
    # WP on the listed functions
    if [ -z "$verdict" ] && [ "$MUTANT_WP" != 0 ]; then
        mkdir -p "$d/build"
        (cd "$d" && BUILD=build EVA=0 WP_FCT="$fns" WP_TIMEOUT="$MUTANT_TIMEOUT" WP_CACHE=none \
            WP_PAR="$WP_PAR" PROVERS="$PROVERS" FRAMAC="$FRAMAC" CC="$CC" REPORT_DIR=build/proofs \
            sh proofs/run_wp.sh >build/run_wp.out 2>&1 </dev/null)
        v=$(wp_verdict "$d")
        verdict=$(echo "$v" | cut -f1); goal=$(echo "$v" | cut -f2); detail=$(echo "$v" | cut -f3)
    fi
    [ -n "$verdict" ] || { verdict="not run"; detail="MUTANT_WP=0"; }
    case $verdict in
        rejected) n_rej=$((n_rej + 1)) ;;
        survived) n_surv=$((n_surv + 1)) ;;
        invalid) n_inv=$((n_inv + 1)) ;;
    esac
    n_done=$((n_done + 1))
    secs=$(( $(date +%s) - m0 ))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$file" "$fns" "$desc" "$verdict" "$goal" \
        "$detail" "$killed" "$secs" >>"$results"
    line="$id $verdict"
    [ "$goal" = - ] || line="$line $goal"
    line="$line ($detail)"
    [ "$MUTANT_TESTS" != 1 ] || line="$line, tests: $killed"
    echo "$line, $secs s"
    [ "$MUTANT_KEEP" = 1 ] || rm -rf "$d"
done 3<"$root/list.tsv"
[ "$MUTANT_KEEP" = 1 ] || rm -rf "$base"
whole=$(( $(date +%s) - t0 ))
total_line="mutants: $n_done run: $n_rej rejected, $n_surv survived, $n_inv invalid, in $whole s"

# ---- the report -------------------------------------------------------------------------
fv=$("$FRAMAC" -version 2>/dev/null | head -n 1)
why3v=$(why3 --version 2>/dev/null | head -n 1)
z3v=$(z3 --version 2>/dev/null | head -n 1)
cvc4v=$(cvc4 --version 2>/dev/null | head -n 1 | sed 's/^This is //')
ccv=$($CC --version 2>/dev/null | head -n 1)
mkdir -p "$(dirname "$REPORT")"
MR_COMMAND=$COMMAND MR_DATE=$(date -u '+%Y-%m-%d %H:%M UTC') MR_CORES=$(nproc) \
MR_TOOLS="Frama-C $fv, $why3v, $z3v, $cvc4v; $ccv" MR_CC=$CC MR_PROVERS=$PROVERS \
MR_TIMEOUT=$MUTANT_TIMEOUT MR_PAR=$WP_PAR MR_TESTS=$MUTANT_TESTS MR_TESTLIST=$tests \
MR_SKIP=$MUTANT_TESTS_SKIP MR_BASEFAIL=$base_fail MR_TSV=$TSV MR_WP=$MUTANT_WP \
MR_TOTALS="$n_done mutants: $n_rej rejected, $n_surv survived, $n_inv invalid" MR_WHOLE=$whole \
python3 - "$results" "$REPORT.tmp" <<'EOF' || die "cannot write $REPORT"
import os, sys
E = os.environ
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
def cell(s): return s.replace("|", "\\|")
def code(s): return "`" + s + "`" if s not in ("-", "") else "-"
o = open(sys.argv[2], "w", encoding="utf-8")
w = o.write
w("# Proof mutation suite: WP against small bugs\n\n")
w("Generated by `make proofs-mutants` (proofs/mutants.sh, table proofs/mutants.tsv); do not edit.\n\n")
w(f"Command: `{E['MR_COMMAND']}`; {E['MR_DATE']}; {E['MR_CORES']} cores.\n")
w(f"{E['MR_TOOLS']}.\n")
if E["MR_WP"] != "0":
    w("WP on the mutated functions only: `-wp -wp-rte -wp-model typed+real -warn-special-float none\n")
    w(f"-wp-prover {E['MR_PROVERS']} -wp-timeout {E['MR_TIMEOUT']} -wp-par {E['MR_PAR']}`, no cache, EVA not run.\n")
else:
    w("WP not run (MUTANT_WP=0).\n")
w("A mutant is **rejected** when WP leaves a goal unproved (or a property of\n")
w("those functions is not established), **survived** when every goal is proved\n")
w("(the contracts do not state what the bug breaks), **invalid** when it cannot be\n")
w(f"applied, compiled by {E['MR_CC']} or parsed by Frama-C.  Seconds: the whole mutant\n")
w("(copy, compilation, tests when run, WP).\n")
if E["MR_TESTS"] == "1":
    w(f"cmocka tests run:{E['MR_TESTLIST']} (not run: {E['MR_SKIP'] or 'none'}"
      + (f"; failing unmutated, not counted:{E['MR_BASEFAIL']}" if E["MR_BASEFAIL"] else "") + ").\n")
else:
    w("cmocka tests not run in this run (MUTANT_TESTS=1 runs them); the column gives\n")
    w("the kills recorded in proofs/mutants.tsv.\n")
w("\n| id | file | function | mutation | WP verdict | first unproved goal | cmocka tests that kill it | seconds |\n")
w("|---|---|---|---|---|---|---|---:|\n")
kills = {}
for l in open(E["MR_TSV"], encoding="utf-8"):
    f = l.rstrip("\n").split("\t")
    if len(f) == 7 and not f[0].startswith("#"):
        kills[f[0]] = f[6]
for r in rows:
    mid, f, fns, desc, v, goal, detail, killed, secs = r
    if E["MR_TESTS"] != "1":
        killed = kills.get(mid, "?")
    vv = ("**" + v + "**" if v in ("survived", "invalid") else v) + (" (" + detail + ")" if detail else "")
    w(f"| {mid} | src/{f} | {cell(fns).replace(',', ', ')} | {cell(desc)} | {cell(vv)} | "
      f"{code(cell(goal))} | {cell(killed.replace(',', ', '))} | {secs} |\n")
w(f"\n**{E['MR_TOTALS']}**; whole run {E['MR_WHOLE']} s.\n")
EOF
mv -f "$REPORT.tmp" "$REPORT"
if [ "$MUTANT_TESTS" = 1 ] && [ "${MUTANT_UPDATE_TSV:-0}" = 1 ]; then
    python3 - "$results" "$TSV" <<'EOF' || die "cannot update $TSV"
import sys, os
kills = {}
for l in open(sys.argv[1], encoding="utf-8"):
    r = l.rstrip("\n").split("\t")
    if len(r) == 9 and r[4] != "invalid":
        kills[r[0]] = r[7]
out = []
for l in open(sys.argv[2], encoding="utf-8"):
    f = l.rstrip("\n").split("\t")
    if len(f) == 7 and not l.lstrip().startswith("#") and f[0] in kills:
        f[6] = kills[f[0]]
        l = "\t".join(f) + "\n"
    out.append(l)
open(sys.argv[2] + ".tmp", "w", encoding="utf-8").write("".join(out))
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
EOF
    echo "mutants: tests that kill each mutant written to $TSV"
fi
echo "$total_line"
echo "mutants: report in $REPORT"
[ $n_surv -eq 0 ] && [ $n_inv -eq 0 ] || exit 1
exit 0
