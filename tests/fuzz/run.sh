#!/bin/sh
# run.sh -- run libFuzzer harnesses, one after the other (make fuzz-run).
#
#   sh tests/fuzz/run.sh SECONDS build/fuzz/fuzz_NAME...
#
# Each harness runs SECONDS seconds on a fresh working copy of its committed
# corpus (tests/fuzz/corpus/NAME -> build/fuzz/work/NAME; the committed
# corpus is never written), with -rss_limit_mb=2048 -timeout=10.  Its log is
# build/fuzz/logs/NAME.log, a crashing input build/fuzz/artifacts/NAME/.
# Prints one line per harness: execs, exec/s, cov, ft, corpus size.  Exits 1
# when any harness reported a crash, a leak, a timeout, an out-of-memory or
# undefined behaviour (libFuzzer's non-zero exit, or a sanitizer report in
# the log); 2 on bad usage.
set -u
[ $# -ge 2 ] || { echo "usage: $0 SECONDS BINARY..." >&2; exit 2; }
secs=$1
shift
case $secs in ''|*[!0-9]*) echo "$0: SECONDS '$secs' is not a number" >&2; exit 2;; esac
root=build/fuzz
failed=0
for bin in "$@"; do
    name=$(basename "$bin")
    name=${name#fuzz_}
    corpus=tests/fuzz/corpus/$name
    work=$root/work/$name
    art=$root/artifacts/$name/
    log=$root/logs/$name.log
    [ -x "$bin" ] || { echo "fuzz $name: $bin missing (make fuzz)" >&2; failed=1; continue; }
    [ -d "$corpus" ] || { echo "fuzz $name: no corpus $corpus" >&2; failed=1; continue; }
    rm -rf "$work"
    mkdir -p "$work" "$art" "$(dirname "$log")"
    before=$(ls -d /dev/shm/cep-fuzz-"$name"-* /tmp/cep-fuzz-"$name"-* 2>/dev/null)
    cp "$corpus"/* "$work"/
    # -close_fd_mask=3: the parsers' usage messages stay out of the log
    # (libFuzzer keeps its own copy of stderr for its reports).
    "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -close_fd_mask=3 -artifact_prefix="$art" "$work" > "$log" 2>&1
    rc=$?
    # A harness removes its temporary directory at exit; one killed by a
    # sanitizer report cannot: remove the one this run made.
    for d in $(ls -d /dev/shm/cep-fuzz-"$name"-* /tmp/cep-fuzz-"$name"-* 2>/dev/null); do
        case " $(echo $before) " in *" $d "*) ;; *) rm -rf "$d";; esac
    done
    # The last status line: "#N  DONE  cov: C ft: F corp: U/Sb ..." (or the
    # last line before a crash).
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    files=$(find "$work" -type f | wc -l)
    bytes=$(du -sb "$work" | cut -f1)
    verdict=ok
    if [ $rc -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: ' "$log"; then
        verdict="FAILED (exit $rc, see $log and $art)"
        failed=1
    fi
    printf 'fuzz %-11s %4ss  execs %-9s exec/s %-6s cov %-5s ft %-6s corpus %s files %s bytes  %s\n' \
        "$name" "$secs" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "$files" "$bytes" "$verdict"
done
exit $failed
