#!/bin/sh
# run_all.sh -- run every test program, then the CLI checks; print one
# summary line and fail when anything failed.  RUNNER may wrap each program
# (valgrind); CEP names the cep binary for the CLI checks.
total=0; failed=0; progs=0
for t in "$@"; do
    progs=$((progs + 1))
    out=$($RUNNER "$t" 2>&1); rc=$?
    printf '%s\n' "$out"
    n=$(printf '%s\n' "$out" | sed -n 's/.*PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
    total=$((total + ${n:-0}))
    if [ $rc -ne 0 ]; then failed=$((failed + 1)); echo "FAILED: $t (exit $rc)"; fi
done
out=$(RUNNER="$RUNNER" sh tests/test_cli.sh "$CEP" 2>&1); rc=$?
printf '%s\n' "$out"
n=$(printf '%s\n' "$out" | sed -n 's/^cli: \([0-9]*\) passed.*/\1/p')
total=$((total + ${n:-0}))
if [ $rc -ne 0 ]; then failed=$((failed + 1)); echo "FAILED: tests/test_cli.sh"; fi
out=$(RUNNER="$RUNNER" sh tests/test_limits.sh "$CEP" 2>&1); rc=$?
printf '%s\n' "$out"
n=$(printf '%s\n' "$out" | sed -n 's/^limits: \([0-9]*\) passed.*/\1/p')
total=$((total + ${n:-0}))
progs=$((progs + 1))
if [ $rc -ne 0 ]; then failed=$((failed + 1)); echo "FAILED: tests/test_limits.sh"; fi
out=$(RUNNER="$RUNNER" sh tests/test_vectors.sh "$CEP" 2>&1); rc=$?
printf '%s\n' "$out"
n=$(printf '%s\n' "$out" | sed -n 's/^vectors: \([0-9]*\) passed.*/\1/p')
total=$((total + ${n:-0}))
progs=$((progs + 1))
if [ $rc -ne 0 ]; then failed=$((failed + 1)); echo "FAILED: tests/test_vectors.sh"; fi
echo "=== cep test summary: $total tests passed in $((progs + 1)) programs, $failed program(s) failed ==="
[ $failed -eq 0 ]
