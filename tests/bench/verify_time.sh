#!/bin/sh
# verify_time.sh -- wall time of the main job (`make verify`'s `cep theorem`
# on the embedded default) and of the documented paper-sized run.
# Usage: sh tests/bench/verify_time.sh build/cep
CEP=${1:-build/cep}
out=$(mktemp -d)
now() { date +%s.%N; }
t0=$(now)
"$CEP" theorem --out "$out/verify" >/dev/null 2>&1; rc=$?
t1=$(now)
printf 'main job (make verify: cep theorem, default network): %.1f s, exit %d (target: < 120 s)\n' \
    "$(awk "BEGIN{print $t1 - $t0}")" "$rc"
t0=$(now)
"$CEP" theorem --model prototypical --sizes 784,512,10 --activation tanh --eps 1 --K 10 \
    --beta-sweep 1e-2:1e-12 --precision 128 --out "$out/paper" >/dev/null 2>&1; rc=$?
t1=$(now)
printf 'paper-sized run (prototypical 784-512-10, MPFR 128, beta 1e-2..1e-12): %.1f s, exit %d\n' \
    "$(awk "BEGIN{print $t1 - $t0}")" "$rc"
rm -rf "$out"
