#!/bin/sh
# test_vectors.sh -- the golden vectors end to end (spec/vectors.md):
#  - `cep vectors` regenerates the committed suite vectors/v1 byte for byte;
#  - this library's binary64 build and its binary32/bfloat16 emulations pass
#    `cep check` against the committed files (read back from disk);
#  - the worked example docs/examples/proto_cep.c, written from spec/model.md
#    without src/, passes; its deliberately broken variant fails at the first
#    step of the second phase, and the replay of that step reruns and passes;
#  - unusable input (corrupted manifest, wrong sha256, missing, extra or
#    misshapen results) exits 2 with a message naming the file.
# Usage: sh tests/test_vectors.sh build/cep   (RUNNER may wrap cep: valgrind)
CEP=${1:-build/cep}
V=vectors/v1
pass=0; fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "vectors FAIL: $*"; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cep-vectors.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
cep() { $RUNNER "$CEP" "$@"; }
set -f   # the --case / --quantity globs below are for cep, not for the shell

# 1. Regeneration, byte for byte.  Under valgrind the whole suite would take
#    too long: one small case per suite is regenerated and compared instead.
if [ -z "$RUNNER" ]; then
    if cep vectors --quiet --out "$T/v1" --source-hash "$SOURCE_HASH" 2>"$T/gen.err"; then
        if diff -r "$V" "$T/v1" >"$T/diff.txt" 2>&1; then ok
        else bad "make vectors does not reproduce $V byte for byte (run 'make vectors' and commit): $(head -c 600 "$T/diff.txt")"; fi
    else bad "cep vectors failed: $(cat "$T/gen.err")"; fi
else
    if cep vectors --quiet --out "$T/v1" --only 'traj-proto-tanh-2-3-2' 2>"$T/gen.err" &&
       diff -r "$V/traj/traj-proto-tanh-2-3-2" "$T/v1/traj/traj-proto-tanh-2-3-2" >/dev/null; then ok
    else bad "regenerated case traj-proto-tanh-2-3-2 differs: $(cat "$T/gen.err")"; fi
fi

# 2. This library against the committed suites: binary64 build with the
#    manifest's budget; MPFR emulating binary32 and bfloat16 bit for bit
#    against the in-format traces.
#    Under valgrind, every case but the paper-sized one (minutes there).
SEL=""
[ -n "$RUNNER" ] && SEL="--case *-2-3-2*,*-5-8-3*"
for s in traj step; do
    rm -rf "$T/r"
    if cep compute "$V/$s" "$T/r" $SEL && cep check "$V/$s" "$T/r" $SEL >"$T/out.txt"; then ok
    else bad "binary64 build against $V/$s: $(tail -n 5 "$T/out.txt")"; fi
    for p in binary32 bfloat16; do
        rm -rf "$T/r"
        if cep compute "$V/$s" "$T/r" --arith $p $SEL && \
           cep check "$V/$s" "$T/r" --profile $p --exact $SEL >"$T/out.txt"; then ok
        else bad "$p emulation bit for bit against $V/$s: $(tail -n 5 "$T/out.txt")"; fi
    done
done

# 3. The worked example: an independent implementation passes; the broken
#    variant fails at phase cep, step 1, on the output layer; the replay of
#    that step is a valid single-step suite that this library passes.
EX="$T/proto_cep"
if ${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -ffp-contract=off -o "$EX" \
        docs/examples/proto_cep.c -ljansson -lm 2>"$T/cc.err"; then
    sel="--case traj-proto-* --quantity free_s,cep_*"
    [ -n "$RUNNER" ] && sel="--case traj-proto-*-2-3-2,traj-proto-*-5-8-3* --quantity free_s,cep_*"
    if "$EX" "$V/traj" "$T/ex" >/dev/null && cep check "$V/traj" "$T/ex" $sel >"$T/out.txt"; then ok
    else bad "worked example does not pass: $(tail -n 5 "$T/out.txt")"; fi
    "$EX" --bug "$V/traj" "$T/exb" >/dev/null 2>&1
    cep check "$V/traj" "$T/exb" $sel --replay "$T/replay" >"$T/out.txt"; rc=$?
    if [ $rc = 1 ] && grep -q '^first failure: case traj-proto-tanh-2-3-2, phase cep, step 1, quantity cep_s, s_2\[' "$T/out.txt" &&
       grep -q 'last step that passed: case traj-proto-tanh-2-3-2, phase cep, step 0' "$T/out.txt"; then ok
    else bad "broken example: exit $rc, report: $(grep -A1 'first failure' "$T/out.txt")"; fi
    REPLAY_MANIFEST="$T/replay/manifest.json"
    if cep compute "$T/replay" "$T/rr" && cep check "$T/replay" "$T/rr" >"$T/out.txt"; then ok
    else bad "replay of the broken example's first failing step: $(tail -n 3 "$T/out.txt")"; fi
    for f in tap junit json; do
        cep check "$V/traj" "$T/exb" $sel --format $f >"$T/out.$f"; rc=$?
        case $f in
            tap)   grep -q '^not ok [0-9]* - traj-proto-tanh-2-3-2 cep_s' "$T/out.$f" ;;
            junit) grep -q '<testcase classname="traj-proto-tanh-2-3-2" name="cep_s"><failure' "$T/out.$f" ;;
            json)  grep -q '"result": "fail"' "$T/out.$f" ;;
        esac
        if [ $? = 0 ] && [ $rc = 1 ]; then ok; else bad "--format $f: exit $rc"; fi
    done
else
    bad "docs/examples/proto_cep.c does not compile: $(cat "$T/cc.err")"
fi

# 3b. The numpy walk-through (docs/vectors.md) passes too, when a python3
#     with numpy exists (make deps installs python3-numpy).
PY=""
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import numpy' >/dev/null 2>&1; then PY=$p; break; fi
done
if [ -n "$PY" ]; then
    if "$PY" docs/examples/proto_cep_numpy.py "$V/traj" "$T/np" >/dev/null &&
       cep check "$V/traj" "$T/np" --case 'traj-proto-*' --quantity 'free_s,cep_*' >"$T/out.txt"; then ok
    else bad "numpy walk-through does not pass: $(tail -n 5 "$T/out.txt")"; fi
    # and numpy reads every .npy of one case with the manifest's shapes
    if "$PY" - "$V/traj" traj-proto-tanh-5-8-3 <<'EOF'
import json, sys, numpy as np
suite, cid = sys.argv[1], sys.argv[2]
m = json.load(open(suite + "/manifest.json"))
c = [c for c in m["cases"] if c["id"] == cid][0]
for q in c["quantities"]:
    for p in q["profiles"]:
        a = np.load(f"{suite}/{cid}/{p}/{q['name']}.npy")
        assert list(a.shape) == q["shape"], (q["name"], p, a.shape)
        assert a.dtype == (np.float64 if p in ("truth64", "b64") else np.float32)
EOF
    then ok; else bad "numpy cannot load the .npy files of traj-proto-tanh-5-8-3 as the manifest says"; fi
else
    echo "vectors: note: no python3 with numpy; numpy walk-through skipped"
fi

# 3c. Every manifest, the replay's included, follows spec/vectors.schema.json
#     (JSON Schema; make deps installs python3-jsonschema), and a manifest
#     with a wrong model name does not.
PYJ=""
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import jsonschema' >/dev/null 2>&1; then PYJ=$p; break; fi
done
if [ -n "$PYJ" ]; then
    if "$PYJ" tests/validate_manifest.py spec/vectors.schema.json "$V/traj/manifest.json" \
          "$V/step/manifest.json" ${REPLAY_MANIFEST:-} >"$T/val.txt" 2>&1; then ok
    else bad "manifests do not follow spec/vectors.schema.json: $(head -n 5 "$T/val.txt")"; fi
    sed 's/"model": "energy"/"model": "enrgy"/' "$V/step/manifest.json" >"$T/badm.json"
    if ! "$PYJ" tests/validate_manifest.py spec/vectors.schema.json "$T/badm.json" >/dev/null 2>&1; then ok
    else bad "the schema accepts an unknown model name"; fi
else
    echo "vectors: note: no python3 with jsonschema; schema validation skipped"
fi

# 4. The formats agree: the C header, the TestFloat-style lines and the
#    $readmemh words of one case hold the same bit patterns.
C=step-proto-tanh-2-3-2; CD="$V/step/$C"
cat >"$T/hdr.c" <<EOF
#include <inttypes.h>
#include <stdio.h>
#include "$PWD/$CD/$C.h"
int main(void)
{
    for (int i = 0; i < STEP_PROTO_TANH_2_3_2_TRUTH64_VJP_THETA_LEN; i++)
        printf("%016" PRIX64 "\n", step_proto_tanh_2_3_2_truth64_vjp_theta[i]);
    for (int i = 0; i < STEP_PROTO_TANH_2_3_2_TRUTH32_NUDGE_S_LEN; i++)
        printf("%08" PRIX32 "\n", step_proto_tanh_2_3_2_truth32_nudge_s[i]);
    return 0;
}
EOF
if ${CC:-cc} -std=c11 -Wall -Werror -o "$T/hdr" "$T/hdr.c" 2>"$T/cc.err" && "$T/hdr" >"$T/hdr.out"; then
    { grep -v '^//' "$CD/truth64/vjp_theta.hex"; grep -v '^//' "$CD/truth32/nudge_s.hex"; } >"$T/hex.out"
    if cmp -s "$T/hdr.out" "$T/hex.out"; then ok; else bad "C header and .hex disagree for $C"; fi
else bad "C header $CD/$C.h does not compile: $(cat "$T/cc.err")"; fi
awk '$1 == "vjp_theta" { print $3 }' "$CD/truth64/vectors.txt" >"$T/tf.out"
if grep -v '^//' "$CD/truth64/vjp_theta.hex" | cmp -s - "$T/tf.out"; then ok
else bad "TestFloat-style lines and .hex disagree for $C"; fi

# 5. Unusable input: exit 2 and one line naming the file.
expect2() {
    desc=$1; shift; pat=$1; shift
    err=$(cep check "$@" 2>&1 >/dev/null); rc=$?
    if [ $rc = 2 ] && printf '%s' "$err" | grep -q -- "$pat" && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ]; then ok
    else bad "$desc: exit $rc, message: $err"; fi
}
cp -r "$V/step" "$T/s"
rm -rf "$T/r"; cep compute "$T/s" "$T/r" >/dev/null
sed 's/"schema_version": "1.0"/"schema_version": "1.0",,/' "$V/step/manifest.json" >"$T/s/manifest.json"
expect2 "manifest syntax" "$T/s/manifest.json: line" "$T/s" "$T/r"
sed 's/"schema": "cep-vectors"/"schema": "other"/' "$V/step/manifest.json" >"$T/s/manifest.json"
expect2 "manifest schema" "schema 'other'" "$T/s" "$T/r"
cp "$V/step/manifest.json" "$T/s/manifest.json"
printf 'x' >>"$T/s/step-proto-tanh-2-3-2/truth64/step_F.npy"
expect2 "sha256 mismatch" "step-proto-tanh-2-3-2/truth64/step_F.npy: sha256" "$T/s" "$T/r"
cp "$V/step/step-proto-tanh-2-3-2/truth64/step_F.npy" "$T/s/step-proto-tanh-2-3-2/truth64/step_F.npy"
rm "$T/s/step-proto-tanh-2-3-2/b32/vjp_s.hex"
expect2 "listed file missing" "b32/vjp_s.hex: listed in the manifest but missing" "$T/s" "$T/r"
cp "$V/step/step-proto-tanh-2-3-2/b32/vjp_s.hex" "$T/s/step-proto-tanh-2-3-2/b32/vjp_s.hex"
mv "$T/r/step-proto-tanh-2-3-2/vjp_s.npy" "$T/vjp_s.npy"
expect2 "results file missing" "step-proto-tanh-2-3-2/vjp_s.npy (or .txt): missing" "$T/s" "$T/r"
cp "$T/r/step-proto-tanh-2-3-2/nudge_theta.npy" "$T/r/step-proto-tanh-2-3-2/vjp_s.npy"
expect2 "results wrong shape" "vjp_s.npy: shape" "$T/s" "$T/r"
mv "$T/vjp_s.npy" "$T/r/step-proto-tanh-2-3-2/vjp_s.npy"
echo 1 >"$T/r/step-proto-tanh-2-3-2/grad.txt"
expect2 "extra results file" "grad.txt: no quantity" "$T/s" "$T/r"
rm "$T/r/step-proto-tanh-2-3-2/grad.txt"
printf '1\nzz\n' >"$T/r/step-proto-tanh-2-3-2/vjp_s.txt"; rm "$T/r/step-proto-tanh-2-3-2/vjp_s.npy"
expect2 "results text garbage" "vjp_s.txt" "$T/s" "$T/r"
expect2 "not a suite" "manifest.json: missing" "$T" "$T/r"
if cep check "$T/s" "$T/r" --case 'step-proto-tanh-5*' >/dev/null; then ok
else bad "a valid selection of the corrupted-results directory should pass"; fi

echo "vectors: $pass passed, $fail failed"
[ $fail -eq 0 ]
