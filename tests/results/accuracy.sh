#!/bin/sh
# accuracy.sh -- the accuracy runs of docs/results.md: each preset given
# (default: the four 1-hidden-layer ones) for EPOCHS epochs (default 10) with
# seeds 1 2 3 on the default data, then a table of mean and spread per epoch
# (build/results/summary.md) and a figure (build/results/accuracy.{png,svg}).
#   sh tests/results/accuracy.sh [preset ...]        EPOCHS=10 SEEDS="1 2 3" CEP=build/cep
set -eu
CEP=${CEP:-build/cep}
EPOCHS=${EPOCHS:-10}
SEEDS=${SEEDS:-"1 2 3"}
OUT=${OUT:-build/results}
EXTRA=${EXTRA:-}
presets=${*:-"ep-1h cep-1h cvf-1h bptt-1h"}
mkdir -p "$OUT"
for p in $presets; do
  for s in $SEEDS; do
    d="$OUT/$p-s$s"
    if [ -f "$d/train.csv" ] && [ "$(tail -n 1 "$d/train.csv" | cut -d, -f1)" = "$EPOCHS" ]; then
      echo "accuracy: $d done already"; continue
    fi
    echo "accuracy: $p seed $s, $EPOCHS epochs -> $d"
    # shellcheck disable=SC2086
    "$CEP" train --preset "$p" --epochs "$EPOCHS" --seed "$s" --out "$d" $EXTRA | grep '^epoch [0-9]*/[0-9]*: train'
  done
done
# summary: per preset and epoch, mean and min..max of train and test error over the seeds
{
  echo "| preset | epoch | train error % (mean, min..max) | test error % (mean, min..max) | s/epoch |"
  echo "|---|---:|---|---|---:|"
  for p in $presets; do
    cat "$OUT/$p"-s*/train.csv | awk -F, -v p="$p" '
      $1 ~ /^[0-9]+$/ { e=$1; n[e]++; tr=100*$3; te=100*$5; st[e]+=tr; ste[e]+=te; sec[e]+=$6;
        if (n[e]==1 || tr<mn[e]) mn[e]=tr; if (n[e]==1 || tr>mx[e]) mx[e]=tr;
        if (n[e]==1 || te<mne[e]) mne[e]=te; if (n[e]==1 || te>mxe[e]) mxe[e]=te; if (e>last) last=e }
      END { for (e=1; e<=last; e++) printf "| %s | %d | %.2f (%.2f..%.2f) | %.2f (%.2f..%.2f) | %.1f |\n",
              p, e, st[e]/n[e], mn[e], mx[e], ste[e]/n[e], mne[e], mxe[e], sec[e]/n[e] }'
  done
} > "$OUT/summary.md"
cat "$OUT/summary.md"
# figure: mean test (solid) and train (dashed) error per preset
for p in $presets; do
  awk -F'|' -v p="$p" '$2 ~ " "p" " { gsub(/ /,"",$3); split($4,a," "); split($5,b," "); print $3, a[1], b[1] }' \
    "$OUT/summary.md" > "$OUT/$p.dat"
done
{
  echo "set grid; set key top right; set xlabel 'epoch'; set ylabel 'error (%), mean of the seeds'; set logscale y"
  echo "set title 'cep train on Fashion-MNIST: test (solid) and train (dashed) error'"
  for term in "pngcairo size 900,600" "svg size 900,600"; do
    ext=png; case $term in svg*) ext=svg;; esac
    echo "set terminal $term; set output 'accuracy.$ext'"
    printf "plot "
    i=1; first=1
    for p in $presets; do
      [ $first = 1 ] || printf ", "
      first=0
      printf "'%s.dat' using 1:3 with linespoints lc %d lw 2 title '%s test', '%s.dat' using 1:2 with lines lc %d dt 2 title '%s train'" "$p" $i "$p" "$p" $i "$p"
      i=$((i + 1))
    done
    echo
  done
} > "$OUT/accuracy.gp"
(cd "$OUT" && gnuplot accuracy.gp) && echo "figure: $OUT/accuracy.png, $OUT/accuracy.svg"
