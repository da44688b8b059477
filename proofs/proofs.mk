# proofs/proofs.mk -- `make proofs`: Frama-C WP on the binary64 core.
#
# Included by GNUmakefile (`include proofs/proofs.mk`), whose install_pkgs
# it uses.
# It runs EVA on proofs/eva_driver.c (proofs/run_eva.sh) alongside WP.
# Knobs: EVA_PRECISION, EVA_UNROLL (see run_eva.sh), WP_FCT (a partial run
# on some functions, for development; report in $(BUILD)/proofs), EVA=0 (skip
# EVA, for development), PROVERS, WP_TIMEOUT (seconds per goal and prover), WP_PAR
# (parallel goals), WP_CACHE (none: always run the provers; update: reuse
# $(BUILD)/proofs/session).  The run writes proofs/report.md (table of goals
# proved / total per file and function) and proofs/report.json (WP's raw
# report), and fails when any goal is unproved.  See proofs/README.md.

PROVERS    ?= z3,cvc4
WP_TIMEOUT ?= 60
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

# Two frama-c jobs share the work (run_wp.sh): the first proves WP_GROUP,
# the second every other function.  WP's simplifier and its Why3 task
# generation run inside the frama-c process, one goal at a time, so one job
# leaves a core idle much of the time.  The group was chosen from the
# per-function costs of a measured run (docs in proofs/README.md) so that
# both jobs take about as long; WP_GROUP= runs a single job.
WP_GROUP   ?= m_step_vjp_d bptt_run_d cep_bptt_d bptt_step_d cep_free_phase_d \
              cep_free_phase_converge_d m_G_d total_input_d

# Debian 12 packages of the proof toolchain (there is no `frama-c` package).
PROOF_DEB_PACKAGES := frama-c-base why3 z3 cvc4 jq

.PHONY: proofs proofs-deps proofs-mutants proofs-mutants-ci

# Installs the toolchain when run as root, else says what is missing.
proofs-deps:
	$(call install_pkgs,proofs,$(PROOF_DEB_PACKAGES))

# run_wp.sh starts EVA (run_eva.sh) alongside WP, then writes the report of
# both and gives the verdict.
proofs: proofs-deps
	@EVA_PRECISION="$(EVA_PRECISION)" EVA_UNROLL="$(EVA_UNROLL)" BUILD="$(BUILD)" CC="$(CC)" PROVERS="$(PROVERS)" WP_TIMEOUT="$(WP_TIMEOUT)" \
	  WP_PAR="$(WP_PAR)" WP_CACHE="$(WP_CACHE)" WP_TUS="$(WP_TUS)" \
	  WP_TRUSTED="$(WP_TRUSTED)" WP_SKIP="$(WP_SKIP)" WP_FCT="$(WP_FCT)" EVA="$(EVA)" \
	  WP_GROUP="$(WP_GROUP)" \
	  sh proofs/run_wp.sh

# ---- the proof mutation suite (proofs/mutants.sh, table proofs/mutants.tsv) ----
# Each mutant is a small semantic bug in one function; WP runs on that
# function only, in a scratch copy $(BUILD)/mutants/<id>/, and must leave a
# goal unproved ("rejected").  Knobs: MUTANTS (ids, default all; a subset
# writes its report to $(BUILD)/mutants/mutants.md, the whole suite to
# proofs/mutants.md), MUTANT_TIMEOUT (WP_TIMEOUT of the mutant runs, default
# 20 s), MUTANT_TESTS=1 (also build and run the cmocka tests of each mutant).
# Fails when any mutant survived (all goals proved) or is invalid.
MUTANTS        ?=
MUTANT_TIMEOUT ?= 20
MUTANT_TESTS   ?= 0
# A quick subset for CI: tensor, model and algorithm layers.
MUTANTS_CI     ?= T01 T02 T03 T04 M01 M02 A01 A02 A03 A04 A05 A06 A07 A08  # the mutants WP rejects today (measured); algo layer: none yet

proofs-mutants: proofs-deps
	@MUTANTS="$(MUTANTS)" MUTANT_TIMEOUT="$(MUTANT_TIMEOUT)" MUTANT_TESTS="$(MUTANT_TESTS)" \
	  BUILD="$(BUILD)" CC="$(CC)" PROVERS="$(PROVERS)" WP_PAR="$(WP_PAR)" \
	  MUTANT_COMMAND="make proofs-mutants$(if $(MUTANTS), MUTANTS=\"$(MUTANTS)\")$(if $(filter-out 20,$(MUTANT_TIMEOUT)), MUTANT_TIMEOUT=$(MUTANT_TIMEOUT))$(if $(filter 1,$(MUTANT_TESTS)), MUTANT_TESTS=1)" \
	  sh proofs/mutants.sh

proofs-mutants-ci: proofs-deps
	@MUTANTS="$(MUTANTS_CI)" MUTANT_TIMEOUT="$(MUTANT_TIMEOUT)" MUTANT_TESTS="$(MUTANT_TESTS)" \
	  BUILD="$(BUILD)" CC="$(CC)" PROVERS="$(PROVERS)" WP_PAR="$(WP_PAR)" \
	  MUTANT_COMMAND="make proofs-mutants-ci (MUTANTS_CI=$(MUTANTS_CI))" \
	  sh proofs/mutants.sh
