# proofs/proofs.mk -- `make proofs`: Frama-C WP on the binary64 core.
#
# Included by GNUmakefile (`include proofs/proofs.mk`), whose install_pkgs
# it uses.
# It runs EVA on proofs/eva_driver.c first (proofs/run_eva.sh).
# Knobs: EVA_PRECISION, EVA_UNROLL (see run_eva.sh), WP_FCT (a partial run
# on some functions, for development; report in $(BUILD)/proofs), EVA=0 (skip
# EVA, for development), PROVERS, WP_TIMEOUT (seconds per goal and prover), WP_PAR
# (parallel goals), WP_CACHE (none: always run the provers; update: reuse
# $(BUILD)/proofs/session).  The run writes proofs/report.md (table of goals
# proved / total per file and function) and proofs/report.json (WP's raw
# report), and fails when any goal is unproved.  See proofs/README.md.

PROVERS    ?= z3,cvc4
WP_TIMEOUT ?= 20
WP_PAR     ?= 2
WP_CACHE   ?= none
WP_FCT     ?=
EVA        ?= 1
EVA_PRECISION ?= 2
EVA_UNROLL    ?= 600

# Translation units (binary64 only) and the functions WP does not prove:
# trusted wrappers (contract assumed, body not checked) and the MPFR side of
# src/scalar/scope.c (out of scope).
WP_TUS     ?= proofs/wp_util.c proofs/wp_binary64.c
WP_TRUSTED ?= cep_vec_new_d cep_vec_free_d
WP_SKIP    ?= cep_scope_enter_mp cep_scope_leave_mp

# Debian 12 packages of the proof toolchain (there is no `frama-c` package).
PROOF_DEB_PACKAGES := frama-c-base why3 z3 cvc4 jq

.PHONY: proofs proofs-deps

# Installs the toolchain when run as root, else says what is missing.
proofs-deps:
	$(call install_pkgs,proofs,$(PROOF_DEB_PACKAGES))

# EVA first (it only records its result), then WP, which writes the report
# of both and gives the verdict.
proofs: proofs-deps
	@if [ "$(EVA)" != 0 ]; then BUILD="$(BUILD)" CC="$(CC)" EVA_PRECISION="$(EVA_PRECISION)" \
	  EVA_UNROLL="$(EVA_UNROLL)" sh proofs/run_eva.sh || true; fi
	@BUILD="$(BUILD)" CC="$(CC)" PROVERS="$(PROVERS)" WP_TIMEOUT="$(WP_TIMEOUT)" \
	  WP_PAR="$(WP_PAR)" WP_CACHE="$(WP_CACHE)" WP_TUS="$(WP_TUS)" \
	  WP_TRUSTED="$(WP_TRUSTED)" WP_SKIP="$(WP_SKIP)" WP_FCT="$(WP_FCT)" EVA="$(EVA)" \
	  sh proofs/run_wp.sh
