#!/bin/sh
# run_wp.sh -- the WP run of `make proofs` (see proofs/proofs.mk, README.md).
#
# Proves the ACSL contracts of the binary64 core with Frama-C WP in the
# typed+real model, then writes the table of goals proved / total per file
# and function to proofs/report.md and WP's raw JSON report to
# proofs/report.json.  Exits non-zero when
#   - frama-c fails (parse error, bad annotation, ..), or
#   - any WP goal is not proved, or
#   - any property of src/ or proofs/ (Frama-C's consolidated status) is
#     neither valid nor "considered valid", except the properties of the
#     trusted functions (WP_TRUSTED), whose bodies WP does not check.
#
# Environment (all optional; proofs.mk passes them):
#   BUILD        build directory (default build); the run writes $BUILD/proofs/
#   CC           C compiler, used to locate <mpfr.h> and <gmp.h> (default cc)
#   PROVERS      WP provers (default z3,cvc4)
#   WP_TIMEOUT   seconds (wall clock) per goal and prover (default 60)
#   WP_PAR       parallel goals (default 2)
#   WP_CACHE     WP cache mode: none, update, .. (default none)
#   WP_TUS       translation units (default proofs/wp_*.c)
#   WP_TRUSTED   functions whose contracts are trusted, bodies not proved
#   WP_SKIP      functions out of WP's scope (the MPFR side of a mixed file)
#   WP_GROUP     functions proved by a second, concurrent frama-c job (empty:
#                one job); ignored with WP_FCT
#   REPORT_DIR   where report.md and report.json go (default proofs)
#   FUNCTIONAL   function<TAB>yes|partial|no<TAB>reason: the report's "functional
#                contract" column (default proofs/functional.tsv)
#   FRAMAC       frama-c executable (default frama-c)
#   EVA          0: do not run EVA (development; the verdict says so); else
#                proofs/run_eva.sh runs alongside WP (EVA_PRECISION, EVA_UNROLL)
#   WP_FCT       only these functions (comma-separated, instantiated names
#                such as t_dot_d): a partial run for development; the
#                verdict then covers those functions only and says so
set -eu

t0=$(date +%s)
BUILD=${BUILD:-build}
CC=${CC:-cc}
PROVERS=${PROVERS:-z3,cvc4}
WP_TIMEOUT=${WP_TIMEOUT:-60}
WP_PAR=${WP_PAR:-2}
WP_CACHE=${WP_CACHE:-none}
WP_TUS=${WP_TUS:-$(ls proofs/wp_*.c)}
WP_TRUSTED=${WP_TRUSTED:-cep_vec_new_d cep_vec_free_d}
WP_SKIP=${WP_SKIP:-cep_scope_enter_mp cep_scope_leave_mp}
# a partial run (WP_FCT) must not overwrite the committed report
if [ -n "${WP_FCT:-}" ]; then REPORT_DIR=${REPORT_DIR:-${BUILD:-build}/proofs}; fi
REPORT_DIR=${REPORT_DIR:-proofs}
EVA=${EVA:-1}
FRAMAC=${FRAMAC:-frama-c}
WP_FCT=${WP_FCT:-}
WP_GROUP=${WP_GROUP:-}
FUNCTIONAL=${FUNCTIONAL:-proofs/functional.tsv}

out=$BUILD/proofs
mkdir -p "$out/include" "$REPORT_DIR"

# ---- Why3: a configuration for the installed provers, never committed ----
export WHY3CONFIG="$PWD/$BUILD/why3.conf"
why3 config detect >"$out/why3-detect.log" 2>&1 ||
    { cat "$out/why3-detect.log" >&2; echo "proofs: why3 config detect failed" >&2; exit 1; }

# ---- mpfr.h and gmp.h, alone in a directory (Frama-C uses its own libc) ----
. proofs/lib.sh
proofs_headers "$out/include" "$CC"

comma() { echo "$*" | tr -s ' ' ','; }

# ---- WP ----------------------------------------------------------------------
# Two frama-c jobs run at once when WP_GROUP is set (the default, see
# proofs.mk): WP's own simplifier (Qed) runs inside the frama-c process, one
# goal at a time, and on the large algorithm functions it, not the provers,
# takes most of the time; two processes keep both cores busy.  Job 1 proves
# the functions of WP_GROUP, job 2 all the others; their reports are merged
# below (each function's properties taken from the job that proved it).
json=$out/wp.json
csv=$out/properties.csv
log=$out/wp.log
rm -f "$json" "$csv" "$out"/wp.[12].json "$out"/properties.[12].csv
[ -z "$WP_FCT" ] || WP_GROUP=
start=$(date +%s)

# wp_job N FCT-OPTIONS..: one frama-c run, writing wp.N.json, properties.N.csv, wp.N.log
wp_job() {
    n=$1; shift
    # shellcheck disable=SC2086 # WP_TUS is a list of file names
    "$FRAMAC" -machdep x86_64 -pp-annot \
        -cpp-extra-args="-Isrc -Iproofs -I$out/include" \
        $WP_TUS \
        -wp -wp-rte -wp-model typed+real -warn-special-float none \
        -wp-prover "$PROVERS" -wp-timeout "$WP_TIMEOUT" -wp-par "$WP_PAR" \
        -wp-session "$out/session.$n" -wp-cache "$WP_CACHE" \
        "$@" \
        -wp-report-json "$out/wp.$n.json" \
        -then -report-csv "$out/properties.$n.csv" >"$out/wp.$n.log" 2>&1
}
skip=$(comma $WP_TRUSTED $WP_SKIP)
# EVA (run_eva.sh, single-threaded) runs alongside WP; its result is read
# after both are done.
eva_pid=
if [ "$EVA" != 0 ]; then
    rm -f "$out/eva_result"
    BUILD="$BUILD" CC="$CC" sh proofs/run_eva.sh >"$out/eva.out" 2>&1 &
    eva_pid=$!
fi
set +e
if [ -n "$WP_GROUP" ]; then
    wp_job 1 -wp-fct "$(comma $WP_GROUP)" &
    pid1=$!
    wp_job 2 -wp-skip-fct "$(comma $WP_TRUSTED $WP_SKIP $WP_GROUP)"
    rc2=$?
    wait $pid1
    rc=$?
    [ $rc -ne 0 ] || rc=$rc2
    cat "$out/wp.1.log" "$out/wp.2.log" >"$log"
else
    wp_job 1 -wp-skip-fct "$skip" ${WP_FCT:+-wp-fct "$WP_FCT"}
    rc=$?
    cp "$out/wp.1.log" "$log"
fi
secs=$(( $(date +%s) - start ))
if [ -n "$eva_pid" ]; then
    wait "$eva_pid"
    cat "$out/eva.out"
fi
set -e
for n in 1 2; do
    [ -n "$WP_GROUP" ] || [ $n = 1 ] || continue
    if [ $rc -ne 0 ] || [ ! -s "$out/wp.$n.json" ] || [ ! -s "$out/properties.$n.csv" ]; then
        tail -n 40 "$out/wp.$n.log" >&2
        echo "proofs: frama-c failed (exit $rc), full log in $out/wp.$n.log" >&2
        exit 1
    fi
done
if [ -n "$WP_GROUP" ]; then
    # JSON: the functions of both jobs (disjoint), totals summed per prover
    jq -s '{ "wp:global": (map(."wp:global" // {} | to_entries) | add | group_by(.key) |
               map({ key: .[0].key, value: { total: (map(.value.total // 0) | add),
                                             valid: (map(.value.valid // 0) | add) } }) |
               from_entries),
             "wp:functions": (map(."wp:functions" // {}) | add),
             "wp:axiomatics": (map(."wp:axiomatics" // {}) | add) }' \
        "$out/wp.1.json" "$out/wp.2.json" >"$json"
    # CSV: a function's properties from the job that analysed it
    awk -F'\t' -v group=" $WP_GROUP " '
        FNR == 1 { file++; if (file == 1) print; next }
        { mine = index(group, " " $4 " ") > 0 }
        (file == 1 && mine) || (file == 2 && !mine)' \
        "$out/properties.1.csv" "$out/properties.2.csv" >"$csv.split"
    # A function's precondition is established at its call sites ("precondition
    # of f" rows, one per call, in the caller's job); Frama-C consolidates them
    # per job, so a function called from both jobs reads Unknown in each.
    # Recompute it over the call sites of both jobs: Valid when every one is.
    awk -F'\t' -v OFS='\t' '
        FNR == NR { if ($5 ~ /^precondition of /) { k = substr($5, 17) SUBSEP $7; seen[k] = 1
                                                     if ($6 !~ /^Valid/) bad[k] = 1 }
                    next }
        FNR > 1 && $5 == "precondition" && (($4 SUBSEP $7) in seen) {
            $6 = (($4 SUBSEP $7) in bad) ? "Unknown" : "Valid (at every call site)" }
        { print }' "$csv.split" "$csv.split" >"$csv"
    rm -f "$csv.split"
else
    cp "$out/wp.1.json" "$json"
    cp "$out/properties.1.csv" "$csv"
fi

# ---- the table -----------------------------------------------------------------
# function -> file, from Frama-C's property list (our sources only)
awk -F'\t' 'NR > 1 && ($1 ~ /^(src|proofs)/) && $4 != "" && !seen[$4]++ {
    print $4 "\t" $1 "/" $2 }' "$csv" >"$out/fn_files.tsv"
# function, proved, total (WP goals; a lemma section is named after its axiomatic)
jq -r '."wp:functions" // {} | to_entries[] |
       [.key, (.value."wp:section"."wp:main".valid // 0),
              (.value."wp:section"."wp:main".total // 0)] | @tsv' "$json" >"$out/fn_goals.tsv"
jq -r '."wp:axiomatics" // {} | to_entries[] |
       ["lemmas " + .key, (.value."wp:section"."wp:main".valid // 0),
              (.value."wp:section"."wp:main".total // 0)] | @tsv' "$json" >>"$out/fn_goals.tsv" 2>/dev/null || true

# properties of our sources that are not established (statuses other than
# Valid / Valid under hypotheses / Considered valid)
awk -F'\t' -v trusted=" $WP_TRUSTED " -v skip=" $WP_SKIP " -v only=",$WP_FCT," '
    NR > 1 && ($1 ~ /^(src|proofs)/) && $6 !~ /^(Valid|Considered valid)/ {
        f = $4; if (index(trusted, " " f " ") || index(skip, " " f " ")) next
        if (only != ",," && !index(only, "," f ",")) next
        print $1 "/" $2 ":" $3 "\t" f "\t" $5 "\t" $6 "\t" $7 }' "$csv" >"$out/open.tsv"
# trusted contracts: specified-only functions of our sources (Considered valid)
awk -F'\t' 'NR > 1 && ($1 ~ /^(src|proofs)/) && $6 == "Considered valid" && !seen[$4]++ {
    print $4 "\t" $1 "/" $2 }' "$csv" >"$out/considered.tsv"

# the time margin: the slowest prover run of a proved goal (wp.log lines such as
# "[wp] [CVC4 1.8] Goal NAME : Valid (Qed:866ms) (27.6s) (1040259)"), and how
# many took over a quarter of the limit.  The limit is wall-clock time; on a
# loaded machine (CI: two jobs and EVA on two cores) a 28 s goal timed out
# at 40 s, so the margin is worth watching.
slowest=$(awk -v lim="$WP_TIMEOUT" '
    / Goal / && / : Valid / && !/\[Qed\]/ {
        t = -1
        for (i = 1; i <= NF; i++)
            if ($i ~ /^\([0-9.]+m?s\)$/) {
                v = $i; gsub(/[()]/, "", v)
                t = (v ~ /ms$/) ? substr(v, 1, length(v) - 2) / 1000 : substr(v, 1, length(v) - 1) + 0
            }
        for (i = 1; i <= NF; i++) if ($i == "Goal") g = $(i + 1)
        if (t > max) { max = t; goal = g }
        if (t > lim / 4) over++
    }
    END { if (goal != "") printf "%.1f s (`%s`); %d prover runs took over %g s (a quarter of the limit)", max, goal, over, lim / 4 }' "$log")

versions=$("$FRAMAC" -version 2>/dev/null | head -n 1)
why3v=$(why3 --version 2>/dev/null | head -n 1)
z3v=$(z3 --version 2>/dev/null | head -n 1)
cvc4v=$(cvc4 --version 2>/dev/null | head -n 1 | sed 's/^This is //')

# file, function, proved, total -- one line per function with WP goals
awk -F'\t' 'FNR == NR { file[$1] = $2; next }
    { f = $1; fl = (f in file) ? file[f] : "(logic)"; print fl "\t" f "\t" $2 "\t" $3 }' \
    "$out/fn_files.tsv" "$out/fn_goals.tsv" | sort -t "$(printf '\t')" -k1,1 -k2,2 >"$out/table.tsv"
# layer of a file: src/<layer>/..., the lemma functions of proofs/ apart
layer_of='function layer(f) { if (f ~ /^src\//) { split(f, a, "/"); return a[2] }
                            if (f ~ /^proofs\//) return "lemma functions (proofs/)"; return "other" }'

# does the contract state what the function computes? (FUNCTIONAL: function,
# yes | partial | no, reason; '#' comments).  A function of the table that is
# not listed, or whose verdict is none of the three, reads "?" (warning).
if [ -f "$FUNCTIONAL" ]; then
    awk -F'\t' -v OFS='\t' '!/^[ \t]*#/ && NF >= 2 { print $1, $2, $3 }' "$FUNCTIONAL" >"$out/functional.tsv"
else
    echo "proofs: WARNING: $FUNCTIONAL not found: every functional contract reads ?" >&2
    : >"$out/functional.tsv"
fi
unlisted=$( { cut -f2 "$out/table.tsv"; for f in $WP_TRUSTED; do echo "$f"; done; } |
    awk -F'\t' 'FNR == NR { if ($2 ~ /^(yes|partial|no)$/) ok[$1] = 1; next }
                 !($1 in ok) && !seen[$1]++ { printf "%s ", $1 }' "$out/functional.tsv" - )
bad=$(awk -F'\t' '$2 !~ /^(yes|partial|no)$/ { printf "%s (%s) ", $1, $2 }' "$out/functional.tsv")
[ -z "$bad" ] || echo "proofs: WARNING: $FUNCTIONAL: verdict not yes, partial or no: $bad" >&2
[ -z "$unlisted" ] ||
    echo "proofs: WARNING: no functional-contract verdict in $FUNCTIONAL (reads ?): $unlisted" >&2
# fc_of: awk function, "yes" or "partial: reason" .. of a function (fc[] loaded)
fc_of='function fc_of(f) { if (!(f in fc)) return "?"
                        return (fc[f] == "yes" || why[f] == "") ? fc[f] : fc[f] ": " why[f] }'

# EVA's result (run_eva.sh)
eva_alarms='?'; eva_secs='?'; eva_status=missing; eva_detail=
if [ "$EVA" = 0 ]; then eva_status="not run (EVA=0)"
elif [ -s "$out/eva_result" ]; then
    eva_alarms=$(sed -n 's/.*alarms=\([^ ]*\).*/\1/p' "$out/eva_result")
    eva_secs=$(sed -n 's/.*seconds=\([^ ]*\).*/\1/p' "$out/eva_result")
    eva_status=$(sed -n 's/.*status=\([^ ]*\).*/\1/p' "$out/eva_result")
    eva_detail=$(sed -n 's/.*invalid=\([^ ]*\) nonterminating=\([^ ]*\) coverage=\([^ ]*\).*/\1 invalid properties, \2 non-terminating functions, function coverage \3/p' "$out/eva_result")
fi

report=$REPORT_DIR/report.md
{
    echo "# Proof report: WP on the binary64 core, EVA on the default network"
    echo
    echo "Generated by \`make proofs\` (proofs/run_eva.sh, proofs/run_wp.sh); do not edit."
    echo "Frama-C $versions, $why3v, $z3v, $cvc4v."
    echo
    echo "## WP"
    echo
    echo "Options: \`-wp -wp-rte -wp-model typed+real -warn-special-float none"
    echo "-wp-prover $PROVERS -wp-timeout $WP_TIMEOUT -wp-par $WP_PAR\` on $(echo $WP_TUS | sed 's/ /, /g');"
    if [ -n "$WP_GROUP" ]; then
        echo "two concurrent frama-c jobs (the first on WP_GROUP: $(echo $WP_GROUP | sed 's/ /, /g')),"
        echo "EVA alongside; WP ${secs} s, whole run $(( $(date +%s) - t0 )) s on $(nproc) cores."
    else
        echo "one frama-c job; WP ${secs} s, whole run $(( $(date +%s) - t0 )) s on $(nproc) cores."
    fi
    [ -z "$slowest" ] || echo "Slowest prover run of a proved goal, of the $WP_TIMEOUT s limit: $slowest."
    echo "Not analysed by WP in this run (\`-wp-skip-fct\`, WP_SKIP): $(echo $WP_SKIP | sed 's/ /, /g')."
    [ -z "$WP_FCT" ] || echo "Partial run: only $WP_FCT (WP_FCT)."
    echo "Values are proved in real arithmetic (typed+real model): they hold for"
    echo "ideal reals, not for IEEE 754 rounding, overflow or NaN (proofs/TRUST.md)."
    echo
    echo "| layer | functions | goals proved | goals total | functional contract yes / partial / no |"
    echo "|---|---:|---:|---:|---:|"
    awk -F'\t' "$layer_of"'
        FNR == NR { if ($2 ~ /^(yes|partial|no)$/) fc[$1] = $2; next }
        { L = layer($1); n[L]++; p[L] += $3; t[L] += $4; if (!(L in seen)) { seen[L] = 1; order[++k] = L }
          v = ($2 in fc) ? fc[$2] : "?"; c[L, v]++ }
        END { for (i = 1; i <= k; i++) { L = order[i]
                q = c[L, "?"] ? sprintf(" / %d ?", c[L, "?"]) : ""
                printf "| %s | %d | %d | %d | %d / %d / %d%s |\n", L, n[L], p[L], t[L],
                       c[L, "yes"], c[L, "partial"], c[L, "no"], q } }' "$out/functional.tsv" "$out/table.tsv"
    jq -r '."wp:global"."wp:main" | "| **all** | | **\(.valid // 0)** | **\(.total // 0)** | |"' "$json"
    echo
    echo "| file | function | goals proved | goals total | | functional contract |"
    echo "|---|---|---:|---:|---|---|"
    awk -F'\t' "$fc_of"'
        FNR == NR { if ($2 ~ /^(yes|partial|no)$/) { fc[$1] = $2; why[$1] = $3 }; next }
        { ok = ($3 == $4) ? "ok" : "**UNPROVED**"
          printf "| %s | %s | %d | %d | %s | %s |\n", $1, $2, $3, $4, ok, fc_of($2) }' \
        "$out/functional.tsv" "$out/table.tsv"
    for f in $WP_TRUSTED; do
        fl=$(awk -F'\t' -v f="$f" '$1 == f { print $2 }' "$out/fn_files.tsv")
        fcv=$(echo "$f" | awk -F'\t' "$fc_of"'
            FNR == NR { if ($2 ~ /^(yes|partial|no)$/) { fc[$1] = $2; why[$1] = $3 }; next }
            { print fc_of($1) }' "$out/functional.tsv" -)
        echo "| ${fl:-src/tensor/tensor_source.c} | $f | - | - | trusted: body not checked by WP | $fcv |"
    done
    echo
    echo "Trusted contracts (no body in the analysed code, \"considered valid\"):"
    echo
    awk -F'\t' '{ printf "- `%s` (%s)\n", $1, $2 }' "$out/considered.tsv"
    for f in $WP_TRUSTED; do
        echo "- \`$f\`: contract trusted, body skipped (WP 25 has no heap model)"
    done
    if [ -s "$out/open.tsv" ]; then
        echo
        echo "Properties not established:"
        echo
        awk -F'\t' '{ printf "- %s `%s` %s: %s\n", $1, $2, $3, $4 }' "$out/open.tsv"
    fi
    echo
    echo "## EVA"
    echo
    echo "\`frama-c -eva -eva-precision ${EVA_PRECISION:-2} -eva-auto-loop-unroll ${EVA_UNROLL:-600}\`"
    echo "on proofs/eva_driver.c (default network 10-16-16-4, energy, tanh;"
    echo "free phase T = 12, C-EP phase K = 4, BPTT; interval inputs): **$eva_alarms alarms**"
    echo "(${eva_detail:+$eva_detail; }status $eva_status, $eva_secs s)."
    if [ -s "$out/eva_alarms.tsv" ]; then
        echo
        echo "| location | function | alarm | status |"
        echo "|---|---|---|---|"
        awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$out/eva_alarms.tsv"
    fi
} >"$report.tmp"
# written whole, then renamed: an interrupted run leaves the last report intact
cp "$json" "$REPORT_DIR/report.json.tmp"
mv -f "$REPORT_DIR/report.json.tmp" "$REPORT_DIR/report.json"
mv -f "$report.tmp" "$report"

# ---- verdict -----------------------------------------------------------------------
cat "$report"
echo
echo "proofs: WP took ${secs} s (log: $log)"
if ! jq -e '."wp:global"."wp:main" | (.total // 0) > 0 and (.valid // 0) == .total' "$json" >/dev/null; then
    echo "proofs: FAILED: some WP goals are not proved (see $report, $log)" >&2
    exit 1
fi
if [ -s "$out/open.tsv" ]; then
    echo "proofs: FAILED: properties not established:" >&2
    cat "$out/open.tsv" >&2
    exit 1
fi
if [ "$EVA" = 0 ]; then
    echo "proofs: EVA not run (EVA=0): not a complete check" >&2
elif [ "$eva_status" != ok ]; then
    echo "proofs: FAILED: EVA: $eva_alarms alarms${eva_detail:+, $eva_detail}, status $eva_status (see $report, $out/eva.log)" >&2
    exit 1
fi
if [ -n "$WP_FCT" ]; then
    echo "proofs: all WP goals of $WP_FCT proved (partial run: WP_FCT)"
elif [ "$EVA" = 0 ]; then
    echo "proofs: all WP goals proved (not analysed: $WP_SKIP; EVA not run)"
else
    echo "proofs: all WP goals proved (not analysed: $WP_SKIP), EVA: 0 alarms"
fi
