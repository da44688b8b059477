#!/bin/sh
# test_cli.sh -- the cep program's contract: --help, exit codes, one-line
# errors, both precisions.  Usage: sh tests/test_cli.sh build/cep
CEP=${1:-build/cep}
pass=0; fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "cli FAIL: $*"; }

# expect CODE DESCRIPTION -- ARGS...: exit code, and for code 2 exactly one line on stderr
expect() {
    code=$1; shift; desc=$1; shift
    err=$($RUNNER "$CEP" "$@" 2>&1 >/dev/null); rc=$?
    if [ "$rc" != "$code" ]; then bad "$desc: exit $rc, wanted $code ($err)"; return; fi
    if [ "$code" = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" != 1 ]; then
        bad "$desc: error is not one line: $err"; return; fi
    ok
}

expect 0 "help"            help
expect 0 "run --help"      run --help
expect 0 "version"         version
expect 2 "no command"
expect 2 "unknown command" frobnicate
expect 2 "unknown option"  run --gamma 3
expect 2 "missing value"   run --beta
expect 2 "beta zero"       run --beta 0
expect 2 "beta nan"        run --beta nan
expect 2 "beta junk"       run --beta 1e-3x
expect 2 "eta negative"    run --eta -1
expect 2 "eps zero"        run --eps 0
expect 2 "eps > 1"         run --eps 1.5
expect 2 "sizes one"       run --sizes 5
expect 2 "sizes zero"      run --sizes 5,0,3
expect 2 "sizes junk"      run --sizes 5,,3
expect 2 "sizes huge"      run --sizes 5,99999999,3
expect 2 "T < K"           run --T 5 --K 10
expect 2 "K zero"          run --K 0
expect 2 "T negative"      run --T -4
expect 2 "precision 1"     run --precision 1
expect 2 "precision junk"  run --precision quad
expect 2 "model"           run --model hopfield
expect 2 "activation"      run --activation relu
expect 2 "seed negative"   run --seed -1
expect 0 "run double"      run --precision double --T 50 --K 5
expect 0 "run mpfr 64"     run --precision 64 --T 50 --K 5 --model prototypical --activation sigmoid4
expect 0 "run --x=v form"  run --precision=double --T=30 --K=3 --eta=0

# --help documents every option the parser accepts.
help=$("$CEP" run --help)
for o in model sizes activation eps T K beta eta seed precision angle help; do
    case "$help" in *"--$o "*) ok ;; *) bad "run --help does not document --$o" ;; esac
done

# The run prints the residual and one row per step k = 0..K-1.
out=$("$CEP" run --precision double --T 60 --K 4)
rows=$(printf '%s\n' "$out" | grep -cE '^ +[0-9]+ +[0-9]')
[ "$rows" = 4 ] && ok || bad "run --K 4 printed $rows step rows"
case "$out" in *"residual"*) ok ;; *) bad "run does not print the residual" ;; esac

# ---- cep theorem --------------------------------------------------------------
tmp=$(mktemp -d)
expect 0 "theorem --help"          theorem --help
expect 2 "theorem --T"             theorem --T 100
expect 2 "theorem --beta"          theorem --beta 1e-3
expect 2 "theorem hardsigmoid"     theorem --activation hardsigmoid
expect 2 "theorem sweep order"     theorem --beta-sweep 1e-5:1e-1
expect 2 "theorem sweep junk"      theorem --beta-sweep 1e-1
expect 2 "theorem every 3"         theorem --every 3
expect 2 "theorem eta-scale 0"     theorem --eta-scale 0
expect 2 "theorem precision dbl"   theorem --precision double
expect 2 "theorem data missing"    theorem --data "$tmp/nothing" --sizes 784,10
expect 0 "vectors --help"          vectors --help
expect 0 "check --help"            check --help
expect 0 "compute --help"          compute --help
expect 2 "vectors unknown option"  vectors --frob
expect 2 "vectors level 3"         vectors --level 3
expect 2 "vectors precision 128"   vectors --precision 128
expect 2 "vectors out no value"    vectors --out
expect 2 "check one directory"     check vectors/v1/traj
expect 2 "check three directories" check vectors/v1/traj a b
expect 2 "check bad profile"       check vectors/v1/traj "$tmp" --profile binary16
expect 2 "check bad format"        check vectors/v1/traj "$tmp" --format xml
expect 2 "check bad errors"        check vectors/v1/traj "$tmp" --errors -1
expect 2 "check bad atol"          check vectors/v1/traj "$tmp" --atol nan
expect 2 "check no manifest"       check "$tmp" "$tmp"
expect 2 "check results not a dir" check vectors/v1/traj "$tmp/nothing"
expect 2 "check no case selected"  check vectors/v1/traj "$tmp" --case 'no-such-*'
expect 2 "compute bad arith"       compute vectors/v1/step "$tmp/r" --arith quad
expect 2 "compute no manifest"     compute "$tmp" "$tmp/r"
expect 0 "compute makes parents"   compute vectors/v1/step "$tmp/new/parent/dir" --case step-proto-tanh-2-3-2
# a sweep that stops at 1e-5 cannot reach the 1e-20 the PASS rule asks: FAIL, exit 1
expect 1 "theorem FAIL exit"       theorem --sizes 3,4,2 --K 4 --beta-sweep 1e-1:1e-5 --out "$tmp/r1"
# a first phase cut at 3 steps: refused with the residual, exit 1
err=$("$CEP" theorem --sizes 3,4,2 --K 2 --T-max 3 --out "$tmp/r2" 2>&1 >/dev/null); rc=$?
[ $rc = 1 ] && case "$err" in *residual*) true ;; *) false ;; esac && ok || bad "theorem T-max 3: exit $rc, $err"
[ ! -e "$tmp/r2" ] && ok || bad "a refused theorem run left $tmp/r2 behind"
# a passing run writes the report and the CSV files
out=$("$CEP" theorem --sizes 3,4,2 --K 4 --beta-sweep 1e-1:1e-24 --out "$tmp/r3" 2>/dev/null); rc=$?
[ $rc = 0 ] && ok || bad "theorem small PASS run: exit $rc"
case "$out" in *"verdict: PASS"*) ok ;; *) bad "theorem small run did not print verdict: PASS" ;; esac
for f in theorem.md sweep.csv orders.csv first_phase.csv gdd.csv summary.csv; do
    [ -s "$tmp/r3/$f" ] && ok || bad "theorem did not write $f"
done
# ---- the VF models (C-VF) ------------------------------------------------------
expect 2 "angle on a symmetric model"   theorem --angle 30
expect 2 "angle-sweep on energy"        theorem --model prototypical --angle-sweep 0:90:45
expect 2 "angle negative"               theorem --model prototypical-vf --angle -1
expect 2 "angle above 180"              theorem --model prototypical-vf --angle 181
expect 2 "angle nan"                    theorem --model energy-vf --angle nan
expect 2 "angle-sweep junk"             theorem --model energy-vf --angle-sweep 0:90
expect 2 "angle-sweep step 0"           theorem --model energy-vf --angle-sweep 0:90:0
expect 2 "angle-sweep too many"         theorem --model energy-vf --angle-sweep 0:180:0.5
expect 2 "run angle on energy"          run --angle 10
expect 0 "run prototypical-vf"          run --model prototypical-vf --angle 45 --precision double --T 50 --K 5
# energy-vf with B = W^T satisfies Theorem 1 (TC.15): PASS, exit 0
out=$("$CEP" theorem --model energy-vf --sizes 3,4,4,2 --K 4 --beta-sweep 1e-1:1e-24 --out "$tmp/v1" 2>/dev/null); rc=$?
[ $rc = 0 ] && case "$out" in *"verdict: PASS"*) true ;; *) false ;; esac && ok || bad "theorem energy-vf angle 0: exit $rc, not PASS"
# at 60 degrees: APPROXIMATE, the weight angles reported
out=$("$CEP" theorem --model energy-vf --sizes 3,4,4,2 --K 4 --angle 60 --beta-sweep 1e-1:1e-12 --out "$tmp/v2" 2>/dev/null); rc=$?
[ $rc = 0 ] && case "$out" in *"verdict: APPROXIMATE"*) true ;; *) false ;; esac && ok || bad "theorem energy-vf angle 60: exit $rc, not APPROXIMATE"
case "$out" in *"angle(B_n, W_{n+1}^T) achieved"*) ok ;; *) bad "theorem VF does not print the weight angles" ;; esac
# the sweep writes its table and figure
out=$("$CEP" theorem --model prototypical-vf --sizes 4,6,6,3 --K 4 --beta-sweep 1e-1:1e-8 --angle-sweep 0:90:45 --out "$tmp/v3" 2>/dev/null); rc=$?
[ $rc = 0 ] && ok || bad "theorem --angle-sweep: exit $rc"
for f in angle_sweep.csv angle_sweep.gp angle_sweep.dat; do
    [ -s "$tmp/v3/$f" ] && ok || bad "theorem --angle-sweep did not write $f"
done
[ "$(wc -l < "$tmp/v3/angle_sweep.csv")" = 4 ] && ok || bad "angle_sweep.csv does not have 3 angles"
ls "$tmp" | grep -q 'tmp-' && bad "a temporary report directory was left in $tmp" || ok
rm -rf "$tmp"

# ---- cep train ---------------------------------------------------------------
help=$("$CEP" train --help)
for o in preset data epochs batch seed threads out resume algo model activation sizes eps T K beta lr randbeta angle train-max test-max literal help; do
    case "$help" in *"--$o"*) ok ;; *) bad "train --help does not document --$o" ;; esac
done
tmp=$(mktemp -d)
# a small IDX data set: 4x4 images of 4 separable classes (stripes), gzip and plain
python3 - "$tmp/d" <<'PY'
import gzip, os, random, struct, sys
d = sys.argv[1]; os.makedirs(d)
def write(name, magic_dims, data, gz):
    b = struct.pack('>BBBB', 0, 0, 8, len(magic_dims)) + b''.join(struct.pack('>I', x) for x in magic_dims) + bytes(data)
    (gzip.open if gz else open)(os.path.join(d, name + ('.gz' if gz else '')), 'wb').write(b)
r = random.Random(5)
for stem, n in (('train', 240), ('t10k', 80)):
    labels = [r.randrange(4) for _ in range(n)]
    pix = []
    for c in labels:
        pix += [r.randrange(160, 256) if p // 4 == c else r.randrange(0, 60) for p in range(16)]
    write(stem + '-images-idx3-ubyte', [n, 4, 4], pix, stem == 'train')
    write(stem + '-labels-idx1-ubyte', [n], labels, False)
PY
T="train --preset ep-1h --sizes 16,12,4 --data $tmp/d --T 12 --K 4 --lr 0.2,0.4"
expect 2 "train unknown preset"    train --preset ep-3h
expect 2 "train lr count"          $T --lr 0.1 --out "$tmp/x"   # the last --lr wins
expect 2 "train epochs 0"          $T --epochs 0
expect 2 "train threads 0"         $T --threads 0
expect 2 "train batch 0"           $T --batch 0
expect 2 "train cvf on symmetric"  $T --algo cvf --epochs 1 --out "$tmp/x"
expect 2 "train no data"           train --sizes 16,12,4 --data "$tmp/nothere" --epochs 1
expect 2 "train images vs sizes"   train --preset ep-1h --data "$tmp/d" --epochs 1 --out "$tmp/x"
cp -r "$tmp/d" "$tmp/bad"; printf 'junk' > "$tmp/bad/t10k-labels-idx1-ubyte"
expect 2 "train corrupt labels"    train --preset ep-1h --sizes 16,12,4 --data "$tmp/bad" --epochs 1 --out "$tmp/x"
err=$("$CEP" train --preset ep-1h --sizes 16,12,4 --data "$tmp/bad" --epochs 1 --out "$tmp/x" 2>&1 >/dev/null)
case "$err" in *"t10k-labels-idx1-ubyte"*) ok ;; *) bad "corrupt data: message does not name the file: $err" ;; esac
python3 -c "import struct,sys; open(sys.argv[1],'wb').write(struct.pack('>BBBBI',0,0,8,1,80)+bytes([7]*80))" "$tmp/bad/t10k-labels-idx1-ubyte"
expect 2 "train label >= classes"  train --preset ep-1h --sizes 16,12,4 --data "$tmp/bad" --epochs 1 --out "$tmp/x"
# a run: CSV, checkpoint, figure, progress lines when stdout is not a terminal
out=$($RUNNER "$CEP" $T --epochs 3 --out "$tmp/a" --threads 2 2>&1); rc=$?
[ $rc = 0 ] && ok || bad "train: exit $rc: $out"
[ "$(wc -l < "$tmp/a/train.csv")" = 4 ] && ok || bad "train.csv has not 3 epochs"
[ -s "$tmp/a/checkpoint.bin" ] && ok || bad "no checkpoint"
if command -v gnuplot >/dev/null; then [ -s "$tmp/a/curve.png" ] && [ -s "$tmp/a/curve.svg" ] && ok || bad "no figure"; fi
case "$out" in *"examples ("*"ETA"*) ok ;; *) bad "no plain progress lines when stdout is not a terminal" ;; esac
last=$(tail -n 1 "$tmp/a/train.csv" | cut -d, -f5)
awk -v e="$last" 'BEGIN { exit !(e < 0.1) }' && ok || bad "train: the separable set is not learned (test error $last)"
ha=$(printf '%s\n' "$out" | sed -n 's/^theta sha256 //p')
# 1 epoch, then --resume to 3: the same parameters bit for bit, with 1 thread
"$CEP" $T --epochs 1 --out "$tmp/b" --threads 1 > /dev/null 2>&1
out=$($RUNNER "$CEP" train --resume "$tmp/b/checkpoint.bin" --data "$tmp/d" --epochs 3 --out "$tmp/b" --threads 1 2>&1); rc=$?
hb=$(printf '%s\n' "$out" | sed -n 's/^theta sha256 //p')
[ $rc = 0 ] && [ -n "$ha" ] && [ "$ha" = "$hb" ] && ok || bad "resume != uninterrupted run (exit $rc, $ha vs $hb)"
[ "$(wc -l < "$tmp/b/train.csv")" = 4 ] && ok || bad "resumed train.csv has not 3 epochs"
expect 2 "resume changes beta"     train --resume "$tmp/b/checkpoint.bin" --epochs 4 --beta 0.3
expect 2 "resume without epochs"   train --resume "$tmp/b/checkpoint.bin"
head -c 100 "$tmp/b/checkpoint.bin" > "$tmp/trunc.bin"
expect 2 "resume truncated"        train --resume "$tmp/trunc.bin" --epochs 4
# the literal engine learns the same way (its own run; C-EP on the energy model falls back to it)
out=$("$CEP" train --preset cep-1h --model energy --sizes 16,8,4 --data "$tmp/d" --T 8 --K 3 --epochs 1 --train-max 40 --test-max 20 --out "$tmp/e" 2>&1); rc=$?
[ $rc = 0 ] && case "$out" in *"literal engine"*) true ;; *) false ;; esac && ok || bad "energy model: no literal fallback (exit $rc)"
# SIGINT during a run: exit 130, the last finished epoch's files intact and resumable
"$CEP" $T --epochs 100000 --literal --out "$tmp/s" > "$tmp/s.log" 2>&1 &
pid=$!
i=0; while [ ! -s "$tmp/s/train.csv" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT $pid; wait $pid; rc=$?
[ $rc = 130 ] && ok || bad "SIGINT: exit $rc, wanted 130"
grep -q "interrupted during epoch" "$tmp/s.log" && ok || bad "SIGINT: no message"
expect 0 "resume after SIGINT"     train --resume "$tmp/s/checkpoint.bin" --data "$tmp/d" --epochs "$(( $(wc -l < "$tmp/s/train.csv") + 1 ))" --out "$tmp/s"
ls "$tmp/s" "$tmp/a" "$tmp/b" | grep -q '\.tmp' && bad "a temporary file was left behind" || ok
# --resume of a checkpoint with a NaN in theta (CRC fixed): refused naming theta[3], exit 2
python3 - "$tmp/b/checkpoint.bin" "$tmp/nan.bin" <<'PY'
import struct, sys, zlib
b = bytearray(open(sys.argv[1], 'rb').read())
theta = 16 + struct.unpack_from('<I', b, 12)[0]      # header_length at offset 12
struct.pack_into('<d', b, theta + 8 * 3, float('nan'))
struct.pack_into('<I', b, len(b) - 4, zlib.crc32(bytes(b[:-4])))
open(sys.argv[2], 'wb').write(b)
PY
err=$("$CEP" train --resume "$tmp/nan.bin" --data "$tmp/d" --epochs 9 --out "$tmp/n" 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && case "$err" in *"nan.bin: theta[3] is not finite"*) true ;; *) false ;; esac && ok || bad "resume NaN checkpoint: exit $rc, $err"
# a diverging run (--lr 1e308): stops naming the epoch, exit 1; the previous files stay
before=$(cd "$tmp/a" && sha256sum checkpoint.bin train.csv run.txt)
err=$("$CEP" $T --lr 1e308,1e308 --epochs 2 --out "$tmp/a" 2>&1 >/dev/null); rc=$?
[ $rc = 1 ] && case "$err" in *"epoch 1: "*diverged*) true ;; *) false ;; esac && ok || bad "train --lr 1e308: exit $rc, $err"
[ "$(cd "$tmp/a" && sha256sum checkpoint.bin train.csv run.txt)" = "$before" ] && ok || bad "a diverging train run changed the previous files"
rm -rf "$tmp"

# ---- atomic outputs and interruption (docs/robustness.md) ------------------------
# Each case: a first run to completion, the sha256 of every file; a second run
# whose output would differ, stopped by SIGINT or SIGTERM once it is under way;
# exit 128 + signal, every previous file byte-identical, no temporary left.
tmp=$(mktemp -d)
shas() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum); }
leftovers() { find "$1" \( -name '*.tmp*' -o -name '*.new' -o -name '*.old*' \) | head -n 3; }
# wait_for FILE PATTERN: poll (up to 30 s) until FILE exists and matches PATTERN
wait_for() {
    i=0; while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
}
# interrupted NAME SIG WANT_RC DIR: the checks after `kill -SIG $pid`
interrupted() {
    wait $pid; rc=$?
    [ $rc = "$3" ] && ok || bad "$1: SIG$2: exit $rc, wanted $3 ($(tail -n 2 "$tmp/log"))"
    [ "$(shas "$4")" = "$before" ] && ok || bad "$1: SIG$2 changed the previous files in $4"
    l=$(leftovers "$(dirname "$4")"); [ -z "$l" ] && ok || bad "$1: SIG$2 left temporaries: $l"
}
# cep theorem, stopped during the sweep (SIGINT) and while gnuplot runs (SIGTERM)
"$CEP" theorem --sizes 3,4,2 --K 4 --beta-sweep 1e-1:1e-24 --out "$tmp/th/r" > /dev/null 2>&1
before=$(shas "$tmp/th/r")
"$CEP" theorem --sizes 10,40,40,4 --out "$tmp/th/r" > "$tmp/log" 2>&1 &
pid=$!; wait_for "$tmp/log" "MPFR: beta"; kill -INT $pid
interrupted "theorem sweep" INT 130 "$tmp/th/r"
mkdir "$tmp/bin"; printf '#!/bin/sh\ntouch "%s/started"\nsleep 1\n' "$tmp" > "$tmp/bin/gnuplot"
chmod +x "$tmp/bin/gnuplot"
PATH="$tmp/bin:$PATH" "$CEP" theorem --sizes 3,4,2 --K 4 --beta-sweep 1e-1:1e-12 --out "$tmp/th/r" > "$tmp/log" 2>&1 &
pid=$!; i=0; while [ ! -e "$tmp/started" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM $pid
interrupted "theorem gnuplot" TERM 143 "$tmp/th/r"
grep -q "previous report is kept" "$tmp/log" && ok || bad "theorem SIGTERM: no message: $(cat "$tmp/log")"
# cep vectors: one case, then many, stopped between cases
"$CEP" vectors --quiet --out "$tmp/vec/v1" --only traj-proto-tanh-2-3-2 > /dev/null 2>&1
before=$(shas "$tmp/vec/v1")
"$CEP" vectors --out "$tmp/vec/v1" --only '*-[25]-*' --precision 2048 > "$tmp/log" 2>&1 &
pid=$!; wait_for "$tmp/log" "traj \[1/"; kill -INT $pid
interrupted "vectors" INT 130 "$tmp/vec/v1"
# cep compute: the double build, then the binary32 emulation (slower, other values)
"$CEP" compute vectors/v1/traj "$tmp/res/r" > /dev/null 2>&1
before=$(shas "$tmp/res/r")
"$CEP" compute vectors/v1/traj "$tmp/res/r" --arith binary32 > "$tmp/log" 2>&1 &
pid=$!; i=0; while [ -z "$(find "$tmp/res/r" -path '*compute.tmp-*/*' -name '*.npy' | head -n 1)" ] && [ $i -lt 600 ]; do
    sleep 0.05; i=$((i + 1)); done
kill -TERM $pid
interrupted "compute" TERM 143 "$tmp/res/r"
# cep train on Fashion-MNIST: a first run of one short epoch, then another seed
FM=/usr/share/datasets/fashion-mnist
if [ -r "$FM/train-images-idx3-ubyte.gz" ]; then
    "$CEP" train --preset ep-1h --data "$FM" --epochs 1 --train-max 100 --test-max 50 --out "$tmp/tr/a" > /dev/null 2>&1
    before=$(shas "$tmp/tr/a")
    "$CEP" train --preset ep-1h --data "$FM" --epochs 1 --seed 2 --train-max 20000 --test-max 50 --out "$tmp/tr/a" > "$tmp/log" 2>&1 &
    pid=$!; wait_for "$tmp/log" "examples ("; kill -TERM $pid
    interrupted "train" TERM 143 "$tmp/tr/a"
    grep -q "interrupted during epoch 1 (signal 15)" "$tmp/log" && ok || bad "train SIGTERM: no message"
fi
rm -rf "$tmp"

# ---- non-finite input and divergence (docs/robustness.md) -------------------------
tmp=$(mktemp -d)
# npyed FILE set INDEX VALUE | scale FACTOR: edit a '<f8' or '<f4' .npy in place
npyed() {
    python3 - "$@" <<'PY'
import struct, sys
path, op = sys.argv[1], sys.argv[2]
b = bytearray(open(path, 'rb').read())
off = 10 + struct.unpack_from('<H', b, 8)[0]
c = 'd' if b"'<f8'" in b[:off] else 'f'
w = struct.calcsize(c)
if op == 'scale':
    for i in range((len(b) - off) // w):
        struct.pack_into('<' + c, b, off + w * i, struct.unpack_from('<' + c, b, off + w * i)[0] * float(sys.argv[3]))
else:
    struct.pack_into('<' + c, b, off + w * int(sys.argv[3]), float(sys.argv[4]))
open(path, 'wb').write(b)
PY
}
# (1) cep compute: a NaN or Inf input is refused naming the file and index, exit 2
K=traj-proto-tanh-2-3-2
cp -r vectors/v1/traj "$tmp/s"
npyed "$tmp/s/$K/inputs/x.npy" set 1 nan
expect 2 "compute NaN input"       compute "$tmp/s" "$tmp/r" --case "$K"
err=$("$CEP" compute "$tmp/s" "$tmp/r" --case "$K" 2>&1 >/dev/null)
case "$err" in *"$K/inputs/x.npy: value 1 is not finite"*) ok ;; *) bad "compute NaN input: $err" ;; esac
npyed "$tmp/s/$K/inputs/x.npy" set 1 0.5; npyed "$tmp/s/$K/inputs/theta0.npy" set 4 -inf
err=$("$CEP" compute "$tmp/s" "$tmp/r" --case "$K" 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && case "$err" in *"theta0.npy: value 4 is not finite"*) true ;; *) false ;; esac && ok || bad "compute -inf theta0: exit $rc, $err"
[ -z "$(ls -A "$tmp/r" 2>/dev/null)" ] && ok || bad "a refused compute left files in $tmp/r"
cp "vectors/v1/traj/$K/inputs/theta0.npy" "$tmp/s/$K/inputs/theta0.npy"
# (2) cep check: a NaN among the expected values is refused (exit 2, file and index);
#     a NaN among the results under test is a failure at its place (exit 1)
"$CEP" compute vectors/v1/traj "$tmp/good" --case "$K" > /dev/null 2>&1
cp -r "$tmp/s/$K/truth64" "$tmp/t64"
npyed "$tmp/s/$K/truth64/free_s.npy" set 7 nan
err=$("$CEP" check "$tmp/s" "$tmp/good" --case "$K" --no-sha 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && case "$err" in *"truth64/free_s.npy: expected value 7 (row "*"is NaN"*) true ;; *) false ;; esac && ok || bad "check NaN expected: exit $rc, $err"
rm -rf "$tmp/s/$K/truth64"; cp -r "$tmp/t64" "$tmp/s/$K/truth64"
npyed "$tmp/good/$K/cep_s.npy" set 5 nan
out=$("$CEP" check vectors/v1/traj "$tmp/good" --case "$K" 2>&1); rc=$?
[ $rc = 1 ] && case "$out" in *"FAIL $K cep step 1 cep_s s_1[0]"*) true ;; *) false ;; esac && ok || bad "check NaN result: exit $rc, $out"
case "$out" in *nan*|*NaN*) ok ;; *) bad "check NaN result: the NaN is not shown: $out" ;; esac
# (3) cep train --resume with a NaN checkpoint and (4) cep train --lr huge: in the cep train section
# (4) divergence: a message naming what diverged, non-zero exit, no NaN written
err=$("$CEP" run --precision double --beta 1e300 2>&1 >/dev/null); rc=$?
[ $rc = 1 ] && case "$err" in *"second phase"*diverged*) true ;; *) false ;; esac && ok || bad "run huge beta: exit $rc, $err"
err=$("$CEP" run --precision double --eta 1e300 2>&1 >/dev/null); rc=$?
[ $rc = 1 ] && case "$err" in *"second phase"*diverged*) true ;; *) false ;; esac && ok || bad "run huge eta: exit $rc, $err"
python3 - vectors/v1/traj/manifest.json "$tmp/s/manifest.json" "$K" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m['cases'] = [c for c in m['cases'] if c['id'] == sys.argv[3]]
m['cases'][0]['beta'] = 1e-44     # (s_{k+1} - s_k) / beta overflows binary32, not binary64
json.dump(m, open(sys.argv[2], 'w'))
PY
"$CEP" compute "$tmp/s" "$tmp/ov" > /dev/null 2>&1 && ok || bad "compute beta 1e-44 in binary64 failed"
before=$(shas "$tmp/ov")
for a in binary32 bfloat16; do
    err=$("$CEP" compute "$tmp/s" "$tmp/ov" --arith $a 2>&1 >/dev/null); rc=$?
    [ $rc = 1 ] && case "$err" in *"case $K: "*diverged*) true ;; *) false ;; esac && ok || bad "compute --arith $a overflow: exit $rc, $err"
    [ "$(shas "$tmp/ov")" = "$before" ] && ok || bad "a diverging compute --arith $a changed the results"
done
[ -z "$(leftovers "$tmp/ov")" ] && ok || bad "a diverging compute left a staging directory"
err=$("$CEP" theorem --model prototypical --activation identity --sizes 3,40,40,2 --K 2 --T-max 8000 \
      --beta-sweep 1e-1:1e-3 --precision 64 --out "$tmp/thd" 2>&1 >/dev/null); rc=$?
[ $rc = 1 ] && case "$err" in *"first phase diverged"*) true ;; *) false ;; esac && ok || bad "theorem diverging first phase: exit $rc, $err"
[ ! -e "$tmp/thd" ] && ok || bad "a diverging theorem run wrote $tmp/thd"
rm -rf "$tmp"

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
