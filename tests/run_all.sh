#!/bin/sh
# run_all.sh -- run every test program, then the shell suites (CLI,
# limits, golden vectors); print one summary line and fail when anything
# failed.  RUNNER may wrap each program (valgrind); CEP names the cep binary
# for the shell suites.
total=0; failed=0; progs=0
for t in "$@"; do
    progs=$((progs + 1))
    out=$($RUNNER "$t" 2>&1); rc=$?
    printf '%s\n' "$out"
    n=$(printf '%s\n' "$out" | sed -n 's/.*PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
    total=$((total + ${n:-0}))
    if [ $rc -ne 0 ]; then failed=$((failed + 1)); echo "FAILED: $t (exit $rc)"; fi
done
# shell_suite NAME: tests/test_NAME.sh, whose last line is "NAME: N passed, M failed"
shell_suite() {
    progs=$((progs + 1))
    out=$(RUNNER="$RUNNER" sh "tests/test_$1.sh" "$CEP" 2>&1); rc=$?
    printf '%s\n' "$out"
    n=$(printf '%s\n' "$out" | sed -n "s/^$1: \([0-9]*\) passed.*/\1/p")
    total=$((total + ${n:-0}))
    if [ $rc -ne 0 ]; then failed=$((failed + 1)); echo "FAILED: tests/test_$1.sh"; fi
}
shell_suite cli
shell_suite limits
shell_suite vectors
echo "=== cep test summary: $total tests passed in $progs programs, $failed program(s) failed ==="
[ $failed -eq 0 ]
