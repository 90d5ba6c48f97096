# vigil: a plain Makefile with pkg-config.  See README.md.
#
#   make            build bin/vigild, bin/vigil, bin/vigil-sim
#   make check      build with ASan+UBSan into build/check and run every test
#   make bench      build optimised and run the benchmarks
#   make install    install under $(DESTDIR)$(PREFIX)

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share/vigil

CC        ?= cc
PKG_CONFIG ?= pkg-config
BUILD     ?= build/release
OPT       ?= -O2 -g
SAN       ?=
V         ?=
Q         := $(if $(filter 1,$(V)),,@)

# Install what the build needs on a bare machine (quick no-op when present).
ifeq ($(filter clean distclean,$(MAKECMDGOALS)),)
DEPS_STATUS := $(shell sh contrib/deps.sh --if-missing 1>&2; echo $$?)
ifneq ($(DEPS_STATUS),0)
$(error contrib/deps.sh could not install the dependencies)
endif
endif

NCURSES_PC := $(shell $(PKG_CONFIG) --exists ncursesw && echo ncursesw || echo ncurses)
PKGS_COMMON := jansson libsodium
PKGS_SERVER := libuv libwebsockets jansson sqlite3 libsodium inih
PKGS_CLIENT := libuv libwebsockets libcurl jansson libsodium inih
PKGS_TUI    := $(PKGS_CLIENT) $(NCURSES_PC)
PKGS_SIM    := libcurl jansson libsodium inih
PKGS_TEST   := cmocka

pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1))
pc_libs   = $(shell $(PKG_CONFIG) --libs $(1))

WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-unused-parameter
CSTD     := -std=c11
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT      := -O1 -g
endif
ALL_CFLAGS = $(CSTD) $(OPT) $(WARN) $(SANFLAGS) -MMD -MP -Isrc/common \
    -DVIGIL_DATADIR='"$(DATADIR)"' $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

COMMON_SRC := $(wildcard src/common/*.c)
SERVER_SRC := $(filter-out src/server/main.c,$(wildcard src/server/*.c))
CLIENT_SRC := $(wildcard src/client/*.c)
CLI_SRC    := $(wildcard src/cli/*.c)
TUI_SRC    := $(wildcard src/tui/*.c)
SIM_SRC    := $(wildcard src/sim/*.c)

obj = $(patsubst src/%.c,$(BUILD)/obj/%.o,$(1))

COMMON_OBJ := $(call obj,$(COMMON_SRC))
SERVER_OBJ := $(call obj,$(SERVER_SRC))
SIM_OBJ    := $(call obj,$(SIM_SRC))
CLIENT_OBJ := $(call obj,$(CLIENT_SRC))
CLI_OBJ    := $(call obj,$(CLI_SRC))
TUI_OBJ    := $(call obj,$(TUI_SRC))

PROGRAMS := $(BUILD)/bin/vigild $(BUILD)/bin/vigil $(BUILD)/bin/vigil-sim

UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all check unit e2e bench install uninstall clean demo lint
.DEFAULT_GOAL := all

all: $(PROGRAMS)
	@mkdir -p bin
	@for p in $(PROGRAMS); do ln -sf ../$$p bin/; done

$(BUILD)/obj/common/%.o: src/common/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(call pc_cflags,$(PKGS_COMMON)) -c -o $@ $<

$(BUILD)/obj/server/%.o: src/server/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc/server $(call pc_cflags,$(PKGS_SERVER)) -c -o $@ $<

$(BUILD)/obj/sim/%.o: src/sim/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc/sim $(call pc_cflags,$(PKGS_SIM)) -c -o $@ $<

$(BUILD)/obj/client/%.o: src/client/%.c
	@echo "  CC      $<"
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc/client $(call pc_cflags,$(PKGS_CLIENT)) -c -o $@ $<

$(BUILD)/obj/cli/%.o: src/cli/%.c
	@echo "  CC      $<"
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc/client -Isrc/cli -Isrc/tui $(call pc_cflags,$(PKGS_TUI)) -c -o $@ $<

$(BUILD)/obj/tui/%.o: src/tui/%.c
	@echo "  CC      $<"
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc/client -Isrc/tui -Isrc/cli $(call pc_cflags,$(PKGS_TUI)) -c -o $@ $<

$(BUILD)/bin/vigil: $(COMMON_OBJ) $(CLIENT_OBJ) $(CLI_OBJ) $(TUI_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc_libs,$(PKGS_TUI)) -lm

$(BUILD)/bin/vigild: $(COMMON_OBJ) $(SERVER_OBJ) $(BUILD)/obj/server/main.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc_libs,$(PKGS_SERVER)) -lm

$(BUILD)/bin/vigil-sim: $(COMMON_OBJ) $(SIM_OBJ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc_libs,$(PKGS_SIM)) -lm

# Unit tests link the common, server, client-library and console objects (no main).
# The console asks for a password with the prompt of the headless commands.
CLI_LIB_OBJ := $(BUILD)/obj/cli/prompt.o
$(BUILD)/tests/%: tests/unit/%.c $(COMMON_OBJ) $(SERVER_OBJ) $(CLIENT_OBJ) $(TUI_OBJ) $(CLI_LIB_OBJ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc/server -Isrc/client -Isrc/tui -Isrc/cli \
	    $(call pc_cflags,$(PKGS_SERVER) $(PKGS_TUI) $(PKGS_TEST)) \
	    -o $@ $< $(COMMON_OBJ) $(SERVER_OBJ) $(CLIENT_OBJ) $(TUI_OBJ) $(CLI_LIB_OBJ) $(ALL_LDFLAGS) \
	    $(call pc_libs,$(PKGS_SERVER) $(PKGS_TUI) $(PKGS_TEST)) -lm

# A hand-rolled WebSocket client for the stream tests (plain libc).
$(BUILD)/tests/wsprobe: tests/e2e/wsprobe.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(OPT) $(WARN) -Wno-missing-prototypes $(SANFLAGS) -o $@ $<

# Benchmark helpers link like unit tests.
$(BUILD)/tests/bench_%: tests/bench/bench_%.c $(COMMON_OBJ) $(SERVER_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Isrc/server $(call pc_cflags,$(PKGS_SERVER)) \
	    -o $@ $< $(COMMON_OBJ) $(SERVER_OBJ) $(ALL_LDFLAGS) \
	    $(call pc_libs,$(PKGS_SERVER)) -lm

# The console benchmark's terminal: a pty and libc only.
$(BUILD)/tests/bench_console: tests/bench/bench_console.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) -lutil -lm

# The test suite: sanitizers on, every unit and end-to-end test, one summary line.
check:
	$(MAKE) BUILD=build/check SAN=1 all-check
	@BUILD=build/check sh tests/run.sh

all-check: $(PROGRAMS) $(UNIT_BIN) $(BUILD)/tests/wsprobe

BENCH_BIN := $(patsubst tests/bench/%.c,build/bench/tests/%,$(wildcard tests/bench/bench_*.c))

bench:
	$(MAKE) BUILD=build/bench OPT="-O2 -g -DNDEBUG" build/bench/bin/vigild \
	    build/bench/bin/vigil-sim build/bench/bin/vigil $(BENCH_BIN)
	@BUILD=build/bench sh tests/bench/run.sh

# A private server, simulated sites and guards, and the console: see README.md.
demo: all
	./bin/vigil demo

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr --suppress=unknownMacro --suppress=missingIncludeSystem \
	    -Isrc/common -Isrc/server -Isrc/client -Isrc/tui -Isrc/cli src

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DATADIR)/sites
	install -m 755 $(BUILD)/bin/vigild $(DESTDIR)$(SBINDIR)/vigild
	install -m 755 $(BUILD)/bin/vigil $(DESTDIR)$(BINDIR)/vigil
	install -m 755 $(BUILD)/bin/vigil-sim $(DESTDIR)$(BINDIR)/vigil-sim
	for m in man/*.[1-8]; do \
	    s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	cp -R contrib/sites/. $(DESTDIR)$(DATADIR)/sites/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 644 contrib/completions/vigil.bash \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/vigil
	install -m 644 contrib/completions/_vigil $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_vigil
	if [ -d themes ] && ls themes/*.theme >/dev/null 2>&1; then \
	    install -d $(DESTDIR)$(DATADIR)/themes && \
	    install -m 644 themes/*.theme $(DESTDIR)$(DATADIR)/themes/; fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/vigild $(DESTDIR)$(BINDIR)/vigil $(DESTDIR)$(BINDIR)/vigil-sim
	for m in man/*.[1-8]; do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m#man/}; done
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/vigil \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_vigil

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)

# Fuzzing with clang's libFuzzer (see tests/fuzz/README): each
# tests/fuzz/fuzz_NAME.c is linked with the src/common objects built for it and
# runs for FUZZ_SECONDS; the corpus grows in build/fuzz/corpus/NAME and a crash
# leaves its input in build/fuzz/crash-NAME-*.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_BUILD   := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_CFLAGS   = $(CSTD) -O1 -g $(WARN) $(FUZZ_SAN) -MMD -MP -Isrc/common \
                $(call pc_cflags,$(PKGS_COMMON)) $(CFLAGS)
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN     := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRC))
FUZZ_OBJ     := $(patsubst src/common/%.c,$(FUZZ_BUILD)/obj/common/%.o,$(COMMON_SRC))

.PHONY: fuzz fuzz-build
.SECONDARY: $(FUZZ_OBJ)

$(FUZZ_BUILD)/obj/common/%.o: src/common/%.c
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	@mkdir -p $(@D)
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) \
	    $(call pc_libs,$(PKGS_COMMON)) -lm

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@for f in $(FUZZ_BIN); do \
	    n=$${f##*/}; mkdir -p $(FUZZ_BUILD)/corpus/$$n || exit 1; \
	    echo "  FUZZ    $$n for $(FUZZ_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_BUILD)/crash-$$n- \
	        $(FUZZ_BUILD)/corpus/$$n || exit 1; \
	done
