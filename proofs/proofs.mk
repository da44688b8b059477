# proofs/proofs.mk -- `make proofs`: Frama-C WP on the binary64 core.
#
# Included by GNUmakefile (`include proofs/proofs.mk`); also usable alone:
#     make -f proofs/proofs.mk proofs
# Knobs: PROVERS, WP_TIMEOUT (seconds per goal and prover), WP_PAR
# (parallel goals), WP_CACHE (none: always run the provers; update: reuse
# $(BUILD)/proofs/session).  The run writes proofs/report.md (table of goals
# proved / total per file and function) and proofs/report.json (WP's raw
# report), and fails when any goal is unproved.  See proofs/README.md.

BUILD      ?= build
CC         ?= cc
PROVERS    ?= z3,cvc4
WP_TIMEOUT ?= 10
WP_PAR     ?= 2
WP_CACHE   ?= none

# Translation units (binary64 only) and the functions WP does not prove:
# trusted wrappers (contract assumed, body not checked) and the MPFR side of
# src/scalar/scope.c (out of scope).
WP_TUS     ?= proofs/wp_util.c proofs/wp_binary64.c
WP_TRUSTED ?= cep_vec_new_d cep_vec_free_d
WP_SKIP    ?= cep_scope_enter_mp cep_scope_leave_mp

# Debian 12 packages of the proof toolchain (there is no `frama-c` package).
PROOF_DEB_PACKAGES := frama-c-base why3 z3 cvc4 jq

proofs_missing_pkgs = $(shell command -v dpkg-query >/dev/null 2>&1 && for p in $(PROOF_DEB_PACKAGES); do \
  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done)

.PHONY: proofs proofs-deps

# Installs the toolchain when run as root, else says what is missing.
proofs-deps:
	@miss="$(proofs_missing_pkgs)"; \
	if [ -z "$$miss" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then echo "proofs: installing $$miss"; \
	  (apt-get install -y -q $$miss >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null && apt-get install -y -q $$miss)) || \
	  { echo "proofs: apt-get failed to install: $$miss" >&2; exit 1; }; \
	else echo "proofs: missing Debian packages: $$miss"; \
	  echo "run:  sudo apt-get install -y $$miss"; exit 1; fi

proofs: proofs-deps
	@BUILD="$(BUILD)" CC="$(CC)" PROVERS="$(PROVERS)" WP_TIMEOUT="$(WP_TIMEOUT)" \
	  WP_PAR="$(WP_PAR)" WP_CACHE="$(WP_CACHE)" WP_TUS="$(WP_TUS)" \
	  WP_TRUSTED="$(WP_TRUSTED)" WP_SKIP="$(WP_SKIP)" \
	  sh proofs/run_wp.sh
