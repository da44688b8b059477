# lib.sh -- shell functions shared by proofs/run_wp.sh and proofs/run_eva.sh.

# proofs_headers DIR CC: a directory holding only links to the system's
# <mpfr.h> and <gmp.h>.  cep.h includes <mpfr.h>; Frama-C must see the real
# declarations but keep its own libc for everything else, so the system
# include directories are not given to it.
proofs_headers() {
    mkdir -p "$1"
    for h in mpfr.h gmp.h; do
        p=$(printf '#include <%s>\n' "$h" | $2 -E -M -x c - 2>/dev/null |
            tr ' \\' '\n\n' | grep "/$h\$" | head -n 1) || true
        [ -n "$p" ] || { echo "proofs: cannot find <$h> (install libmpfr-dev)" >&2; exit 1; }
        ln -sf "$p" "$1/$h"
    done
}
