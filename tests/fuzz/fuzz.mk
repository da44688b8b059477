# tests/fuzz/fuzz.mk -- libFuzzer harnesses of the parsers (tests/fuzz/README.md),
# included by GNUmakefile (LIB_SRC, WARN, LDLIBS come from there).
#
#   make fuzz                     every tests/fuzz/fuzz_*.c into build/fuzz/ (clang)
#   make fuzz-run FUZZ_TIME=60    each harness FUZZ_TIME seconds on a copy of its
#                                 corpus; fails on any crash, leak, timeout or UB
#
# Needs clang and its runtime (Debian: clang libclang-rt-14-dev).

FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ_DIR  := build/fuzz
FUZZ_SAN_LIB := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_SAN  := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
# -Wno-unknown-warning-option: the sources silence gcc-only warnings by pragma.
FUZZ_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -ffp-contract=off -pthread -Isrc \
               -Wno-unknown-warning-option -g -O1 -fno-omit-frame-pointer
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_DIR)/%)
# the library and the command-line parsers (not main.c; train_cmd.c is
# #included by fuzz_cli.c for its static parse_options)
FUZZ_LIB_SRC := $(LIB_SRC) $(filter-out src/cli/main.c src/cli/train_cmd.c,$(CLI_SRC))
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:src/%.c=$(FUZZ_DIR)/obj/%.o)

.PHONY: fuzz fuzz-run

fuzz: $(FUZZ_BIN)

$(FUZZ_DIR)/obj/%.o: src/%.c | deps-check
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN_LIB) -MMD -MP -c $< -o $@

$(FUZZ_DIR)/libcep-fuzz.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# fuzz_cli.c includes src/cli/train_cmd.c (llm.c-style), hence the dependency.
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h src/cli/train_cmd.c $(FUZZ_DIR)/libcep-fuzz.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -Itests/fuzz -MMD -MP -o $@ $< $(FUZZ_DIR)/libcep-fuzz.a $(LDLIBS)

fuzz-run: $(FUZZ_BIN)
	@sh tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_BIN)

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_BIN:=.d)
