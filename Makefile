# i2vfs: the only build file. make, make run, make test, make bench, make format.

CC       ?= cc
PKGS     := fuse3 libcurl libcjson libavcodec libavformat libavutil libswscale x264 libcrypto
BUILD    := build
MOUNT    ?= mnt

WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wold-style-definition -Wwrite-strings \
            -Wpointer-arith -Wcast-qual -Wformat=2 -Wundef -Wvla \
            -Wimplicit-fallthrough -Werror
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE $(WARN) -I. -MMD -MP -pthread
LDLIBS   += -pthread -lm

ifneq ($(SANITIZE),)
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
BUILD    := build/san
endif

# pkg-config runs only when building, so `make deps` works on a bare machine.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

LIB_SRC  := $(sort $(wildcard core/*.c fs/*.c jobs/*.c providers/*.c providers/local/*.c))
LIB_ASM  := providers/catalog_data.S
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(LIB_ASM:%.S=$(BUILD)/%.o)
LIB      := $(BUILD)/libi2vfs.a
BIN      := $(BUILD)/i2vfs

# The helper of tests/integration/test_syscalls.sh: syscalls run on a local
# folder and on the mount, compared.
SYSCALLS_SRC := $(sort $(wildcard tests/integration/syscalls*.c))
SYSCALLS     := $(BUILD)/tests/syscalls

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
INTEG    := $(sort $(wildcard tests/integration/test_*.sh))

.PHONY: all deps run test unit integration bench soak format check-format clean

all: $(BIN) $(UNIT_BIN) $(SYSCALLS)

deps:
	@scripts/install-deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.S providers/catalog.json
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/main.o $(LIB)
	$(CC) $(LDFLAGS) $^ -o $@ $(PKG_LIBS) $(LDLIBS)

# A unit test links only core/ and the modules its tests/unit/<test>.mk
# names (test_foo_MODULES := jobs/foo providers/bar), which keeps the
# layering honest: a module that reaches for a higher layer fails to link.
# Module groups the .mk files may name instead of listing every file.
modules_in = $(patsubst %.c,%,$(wildcard $(1)))
CATALOG_MODULES  := $(call modules_in,providers/catalog*.c providers/validate*.c) providers/catalog_data
RENDERER_MODULES := $(call modules_in,providers/local/*.c) providers/probe
PROVIDER_MODULES := $(call modules_in,providers/*.c providers/local/*.c) providers/catalog_data
JOBS_MODULES     := $(call modules_in,jobs/*.c)
-include $(wildcard tests/unit/*.mk)
CORE_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard core/*.c))
.SECONDEXPANSION:
$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJ) $$(addprefix $(BUILD)/,$$(addsuffix .o,$$($$*_MODULES)))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) $< $(filter %.o,$^) -o $@ $(PKG_LIBS) $(LDLIBS)

$(SYSCALLS): $(SYSCALLS_SRC) tests/integration/syscalls.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) $(SYSCALLS_SRC) -o $@

run: deps
	@$(MAKE) --no-print-directory $(BIN)
	@mkdir -p $(MOUNT)
	$(BIN) -f $(MOUNT)

test: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-tests.sh $(BUILD) $(UNIT_BIN) -- $(INTEG)

unit: all
	@scripts/run-tests.sh $(BUILD) $(UNIT_BIN) --

integration: all
	@scripts/run-tests.sh $(BUILD) -- $(INTEG)

bench: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench.sh $(BUILD)

# Crash safety at length (not part of make test): the harness of
# tests/integration/test_crash.sh with SOAK_KILLS SIGKILLs (at least 100)
# and more jobs; prints kills, jobs, duplicates, partials, torn records and
# the seed (SEED=S replays a run).
SOAK_KILLS ?= 120
soak: deps
	@$(MAKE) --no-print-directory $(BIN)
	@KILLS=$(SOAK_KILLS) JOBS=12 I2VFS_BIN=$(BIN) tests/integration/test_crash.sh

# The benchmark's helper (scripts/bench.sh builds it); not part of make test.
BENCH_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard providers/local/*.c)) \
             $(BUILD)/providers/probe.o
$(BUILD)/bench/bench_render: tests/bench/bench_render.c $(CORE_OBJ) $(BENCH_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) $(filter-out %.c,$^) $< -o $@ $(PKG_LIBS) $(LDLIBS)

# libFuzzer targets (tests/fuzz/fuzz_<x>.c, with fuzz_<x>.mk naming the
# modules it links and its -max_len), built with clang, ASan and UBSan into
# build/fuzz/. make fuzz runs each for FUZZ_SECONDS on a copy of the
# checked-in corpus and prints runs, new inputs and crashes; fuzz-short is
# the pass for CI. Neither is part of make test.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build/fuzz
FUZZ_CFLAGS  := -O1 -g -std=c11 -D_GNU_SOURCE $(WARN) -I. -MMD -MP -pthread \
                -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_BIN     := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
-include $(wildcard tests/fuzz/*.mk)
.PRECIOUS: $(FUZZ_BUILD)/%.o
$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -c $< -o $@
$(FUZZ_BUILD)/%.o: %.S providers/catalog.json
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -c $< -o $@
$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(CORE_OBJ:$(BUILD)/%=$(FUZZ_BUILD)/%) $$(addprefix $(FUZZ_BUILD)/,$$(addsuffix .o,$$(fuzz_$$*_MODULES)))
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) $< $(filter %.o,$^) -o $@ $(PKG_LIBS) $(LDLIBS)

.PHONY: fuzz fuzz-short
fuzz: $(FUZZ_BIN)
	@tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(foreach b,$(notdir $(FUZZ_BIN)),$(b):$($(b)_MAX_LEN))
fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10

# Every unit test binary under valgrind (plain build: valgrind and ASan do
# not mix); a definite or indirect leak or any memory error fails it.
# tests/valgrind.supp holds third-party suppressions only. Not part of
# make test: about 2 minutes on 2 cores, test_cloud and test_kenburns_render
# the longest (30 s each).
.PHONY: valgrind
valgrind: $(UNIT_BIN)
	@if [ -n "$(SANITIZE)" ]; then echo "make valgrind runs the plain build: drop SANITIZE" >&2; exit 1; fi
	@scripts/valgrind.sh tests/valgrind.supp $(UNIT_BIN)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
