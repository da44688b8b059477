#!/bin/sh
# test_limits.sh -- the documented maximums (docs/robustness.md, "Limits")
# are refused with a message naming the limit, exit 2, before anything large
# is allocated.  "Before any allocation" is tested by running each refusal
# with at most 256 MiB of memory (`ulimit -v`; ASan's allocation cap in a
# sanitizer build): a program that tried to allocate what the input asks
# for would fail with "out of memory" (exit 1), not with the limit's
# message.  Usage: sh tests/test_limits.sh build/cep
CEP=${1:-build/cep}
case "$CEP" in /*) ;; *) CEP="$PWD/$CEP" ;; esac
pass=0; fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "limits FAIL: $*"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cep_limits_XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# limited CMD...: CMD with at most 256 MiB.  AddressSanitizer reserves
# terabytes of shadow address space, so `ulimit -v` cannot bound a sanitizer
# build (make check SANITIZE=1); its own cap on one allocation does the same
# job there.  No $RUNNER: under valgrind the limit would bind valgrind itself.
if grep -q __asan_init "$CEP" 2>/dev/null; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}max_allocation_size_mb=256:allocator_may_return_null=1"
    limited() { "$@"; }
else
    limited() { (ulimit -v 262144; "$@"); }
fi

# refused TEXT DESCRIPTION -- ARGS...: exit 2, stderr contains TEXT, under 256 MiB
refused() {
    text=$1; shift; desc=$1; shift
    err=$(limited "$CEP" "$@" 2>&1 >/dev/null); rc=$?
    if [ "$rc" != 2 ]; then bad "$desc: exit $rc, wanted 2 ($err)"; return; fi
    case "$err" in *"$text"*) ok ;; *) bad "$desc: message does not say '$text': $err" ;; esac
}

# ---- network and horizon (src/cep.h: CEP_MAX_*) ------------------------------------
refused "[1, 1048576]"    "layer size 2^20 + 1"    run --sizes 1048577,2,2
refused "2 to 17"         "18 sizes (17 layers)"   run --sizes 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2
refused "2^28 parameters" "2^41 parameters"        run --sizes 1048576,1048576,10
refused "2^28 parameters" "theorem: 2^41 parameters" theorem --sizes 1048576,1048576,10
refused "[1, 16777216]"   "T = 2^24 + 1"           run --T 16777217
refused "[1, 16777216]"   "K = 2^24 + 1"           theorem --K 16777217
refused "T >= K"          "K > T"                  run --T 10 --K 11
refused "[2, 1048576]"    "precision 2^20 + 1"     run --precision 1048577
refused "[2, 1048576]"    "theorem precision"      theorem --precision 99999999999
refused "1..16777216"      "train T"                train --T 16777217
refused "1..1000000"      "train epochs"           train --epochs 1000001
refused "1..4096"         "train batch"            train --batch 4097
refused "1..256"          "train threads"          train --threads 257
refused "[0, 2^64-1]"     "seed 2^64"             run --seed 18446744073709551616

# ---- files: sizes declared in headers are checked before reading ----------------------
# IDX: a header declaring 60000 x 65536 x 65536 bytes (2^48), a 16-byte file
mkdir -p idx
python3 -c "
import struct
open('idx/train-images-idx3-ubyte','wb').write(struct.pack('>BBBBIII',0,0,8,3,60000,65536,65536))
open('idx/train-labels-idx1-ubyte','wb').write(struct.pack('>BBBBI',0,0,8,1,60000)+bytes(60000))
open('idx/t10k-images-idx3-ubyte','wb').write(struct.pack('>BBBBIII',0,0,8,3,1,28,28)+bytes(784))
open('idx/t10k-labels-idx1-ubyte','wb').write(struct.pack('>BBBBI',0,0,8,1,1)+bytes(1))
"
refused "limit of 2^31 bytes" "IDX header of 2^48 bytes (theorem)" theorem --data idx --sizes 784,10,10
refused "train-images-idx3-ubyte" "IDX header of 2^48 bytes (train, file named)" train --data idx --epochs 1

# .npy: a results file whose header declares 2^40 elements
suite=$(cd "$OLDPWD" && pwd)/vectors/v1/step
case_id=step-energy-identity-2-3-2
mkdir -p res/$case_id
python3 -c "
import sys
h=\"{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776,), }\"
h=h+' '*(117-len(h))+'\n'
open(sys.argv[1],'wb').write(b'\x93NUMPY\x01\x00'+len(h).to_bytes(2,'little')+h.encode()+bytes(64))
" res/$case_id/step_F.npy
refused "step_F.npy" ".npy of 2^40 elements (file named)" check "$suite" res --case $case_id
err=$(limited "$CEP" check "$suite" res --case $case_id 2>&1 >/dev/null)
case "$err" in *"2^28"*|*"limit"*|*"elements"*) ok ;; *) bad ".npy of 2^40 elements: the limit is not named: $err" ;; esac

# manifest: more than 2^28 bytes (a sparse file: nothing is written to disk)
mkdir -p big
truncate -s 300M big/manifest.json
refused "2^28" "manifest of 300 MB (check)"   check big res
refused "2^28" "manifest of 300 MB (compute)" compute big res2

# checkpoint: more than 2^31 bytes (sparse), and a header whose P disagrees
python3 -c "
import struct
open('big.ckpt','wb').write(b'CEPCKPT1'+struct.pack('<II',1,8))
"
truncate -s 3G big.ckpt
refused "2^31" "checkpoint of 3 GB" train --data idx --resume big.ckpt --epochs 2

# ---- what is not a documented maximum: the machine's memory -----------------------------
# A network inside every limit whose arrays do not fit the memory: "out of
# memory", exit 1, no crash (the first phase's trajectory here is 2^24 x 110
# binary64 numbers, 14.8 GB, above the 256 MiB allowed).
err=$(limited "$CEP" run --precision double --T 16777216 --K 2 --sizes 100,100,10 2>&1 >/dev/null); rc=$?
[ "$rc" = 1 ] && case "$err" in *"out of memory"*) true ;; *) false ;; esac && ok ||
    bad "memory exhausted: exit $rc, wanted 1 with 'out of memory' ($err)"

echo "limits: $pass passed, $fail failed"
[ "$fail" = 0 ]
