# ark — top-level Makefile. Works right after a clone (dependencies are found
# with pkg-config); ./configure writes config.mk to change prefix, compiler and
# features. Everything under src/ but arkd.c builds into libark.a, which the
# daemon, arkctl, ark-sim, the tests and the benchmarks link. New files are
# picked up by wildcard: adding a module never needs a Makefile edit.
# Objects depend on $(B)/flags, the compiler and flags they were built with
# (config.mk's paths among them), so a ./configure or a changed CFLAGS
# rebuilds them; $(B)/arkd.service is made from systemd/arkd.service.in.

-include config.mk

VERSION       ?= 0.1.0
prefix        ?= /usr/local
exec_prefix   ?= $(prefix)
sbindir       ?= $(exec_prefix)/sbin
bindir        ?= $(exec_prefix)/bin
sysconfdir    ?= /etc
localstatedir ?= /var
datarootdir   ?= $(prefix)/share
mandir        ?= $(datarootdir)/man
docdir        ?= $(datarootdir)/doc/ark
# where systemd looks for units (pkg-config systemd), else Debian's place
systemdunitdir ?= $(or $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir \
	systemd 2>/dev/null),/lib/systemd/system)
DESTDIR       ?=

CC            ?= cc
PROTOC_C      ?= protoc-c
PKG_CONFIG    ?= pkg-config
B             ?= build
SANITIZE      ?=
OPT           ?= -O2 -g
WERROR        ?= -Werror

PKGS     := libcurl libprotobuf-c jansson sqlite3 libmicrohttpd
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wmissing-prototypes \
	-Wstrict-prototypes -Wwrite-strings -Wpointer-arith -Wundef -Wvla \
	-Wno-unused-parameter
ifneq ($(SANITIZE),)
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
DEFS := -D_GNU_SOURCE -DARK_VERSION='"$(VERSION)"' \
	-DARK_SYSCONFDIR='"$(sysconfdir)"' -DARK_LOCALSTATEDIR='"$(localstatedir)"'
ALL_CFLAGS = -std=c11 $(OPT) $(WARN) $(WERROR) $(SANFLAGS) $(DEFS) \
	-I$(B)/gen -iquote src $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS_ALL = $(PKG_LIBS) -lev -lzookeeper_mt -lpthread -lm $(LIBS)

# Generated protobuf-c code (never committed).
PROTOS   := $(shell find proto -name '*.proto' 2>/dev/null | sort)
GEN_C    := $(patsubst proto/%.proto,$(B)/gen/%.pb-c.c,$(PROTOS))
GEN_H    := $(GEN_C:.c=.h)
GEN_O    := $(GEN_C:.c=.o)

LIB_SRC  := $(filter-out src/arkd.c,$(wildcard src/*.c))
LIB_O    := $(patsubst %.c,$(B)/%.o,$(LIB_SRC))
SIM_SRC  := $(filter-out sim/main.c,$(wildcard sim/*.c))
SIM_O    := $(patsubst %.c,$(B)/%.o,$(SIM_SRC))
TLIB_SRC := $(wildcard tests/lib/*.c)
TLIB_O   := $(patsubst %.c,$(B)/%.o,$(TLIB_SRC))
TEST_SRC := $(wildcard tests/check_*.c)
IT_SRC   := $(wildcard tests/it/check_*.c)
TESTS    := $(patsubst %.c,$(B)/%,$(TEST_SRC))
ITESTS   := $(patsubst %.c,$(B)/%,$(IT_SRC))
BENCH_SRC := $(wildcard bench/*.c)
BENCHES  := $(patsubst %.c,$(B)/%,$(BENCH_SRC))
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS  := $(patsubst %.c,$(B)/%,$(FUZZ_SRC))
PRELOAD_SRC := $(wildcard tests/preload/*.c)
PRELOADS := $(patsubst tests/preload/%.c,$(B)/tests/preload/lib%.so,$(PRELOAD_SRC))

PROGS := $(B)/arkd $(B)/arkctl $(B)/ark-sim
UNIT  := $(B)/arkd.service

# $(B)/flags holds what the objects were compiled with; it is rewritten only
# when that changes, so every object that depends on it is rebuilt then.
FLAGS_TEXT = $(CC) $(ALL_CFLAGS) | $(ALL_LDFLAGS) | $(LIBS_ALL)
ifeq ($(filter clean distclean,$(MAKECMDGOALS)),)
ifneq ($(FLAGS_TEXT),$(file <$(B)/flags))
$(shell mkdir -p $(B))
$(file >$(B)/flags,$(FLAGS_TEXT))
endif
endif
# the same for the paths written into the unit
UNIT_TEXT = $(sbindir) $(sysconfdir) $(localstatedir)
ifeq ($(filter clean distclean,$(MAKECMDGOALS)),)
ifneq ($(UNIT_TEXT),$(file <$(B)/unit-paths))
$(shell mkdir -p $(B))
$(file >$(B)/unit-paths,$(UNIT_TEXT))
endif
endif

.PHONY: all check unit it bench demo fuzz fuzz-smoke install install-sim \
	uninstall clean distclean lint deps check-install check-deb
all: $(PROGS) $(UNIT)

# The unit with this build's paths; tests/it/check_systemd verifies it.
$(UNIT): systemd/arkd.service.in $(B)/unit-paths
	sed -e 's|@sbindir@|$(sbindir)|g' -e 's|@sysconfdir@|$(sysconfdir)|g' \
		-e 's|@localstatedir@|$(localstatedir)|g' $< > $@.tmp
	mv $@.tmp $@

deps:
	scripts/install-deps

$(B)/gen/%.pb-c.c $(B)/gen/%.pb-c.h: proto/%.proto
	@mkdir -p $(B)/gen
	$(PROTOC_C) -Iproto --c_out=$(B)/gen $<

# protoc-c's output is not ours to fix: build it without our warning set.
$(B)/gen/%.pb-c.o: $(B)/gen/%.pb-c.c $(GEN_H) $(B)/flags
	$(CC) -std=c11 $(OPT) $(SANFLAGS) -I$(B)/gen $(PKG_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/%.o: %.c $(B)/flags | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libark.a: $(LIB_O) $(GEN_O)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/libsim.a: $(SIM_O)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/arkd: $(B)/src/arkd.o $(B)/libark.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL)

$(B)/arkctl: $(B)/tools/arkctl.o $(B)/libark.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL)

$(B)/ark-sim: $(B)/sim/main.o $(B)/libsim.a $(B)/libark.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL)

$(B)/tests/%.o: tests/%.c $(B)/flags $(B)/unit-paths | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -DARK_SRCDIR='"$(CURDIR)"' \
		-DARK_BUILDDIR='"$(abspath $(B))"' -DARK_SBINDIR='"$(sbindir)"' \
		-c -o $@ $<

# Helpers shared by the tests (process control, HTTP, polling).
$(B)/libtest.a: $(TLIB_O)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/tests/check_%: $(B)/tests/check_%.o $(B)/libtest.a $(B)/libsim.a $(B)/libark.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS_ALL)

# check_http's mutual-TLS server verifies client certificates with GnuTLS.
$(B)/tests/check_http: LIBS_ALL += $(shell $(PKG_CONFIG) --libs gnutls 2>/dev/null)

# LD_PRELOAD shims the integration tests put under arkd (fault injection):
# plain shared objects, never sanitized (they interpose on libc).
$(B)/tests/preload/lib%.so: tests/preload/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(OPT) $(WARN) $(WERROR) -D_GNU_SOURCE -fPIC -shared \
		$(CFLAGS) -o $@ $< -ldl

$(B)/tests/it/check_%: $(B)/tests/it/check_%.o $(B)/libtest.a $(B)/libsim.a $(B)/libark.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS_ALL)

$(B)/bench/%: $(B)/bench/%.o $(B)/libsim.a $(B)/libark.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL)

# Unit tests, then integration tests (real arkd and ark-sim processes), with
# one summary line for all of them.
check: $(PROGS) $(UNIT) $(TESTS) $(ITESTS) $(PRELOADS)
	@ARK_BIN=$(abspath $(B)) scripts/run-tests $(TESTS) $(ITESTS)

unit: $(TESTS)
	@scripts/run-tests $(TESTS)

it: $(PROGS) $(UNIT) $(ITESTS) $(PRELOADS)
	@ARK_BIN=$(abspath $(B)) scripts/run-tests $(ITESTS)

# make install into scratch DESTDIRs (about a second).
check-install: $(PROGS) $(UNIT)
	@B=$(B) tests/pkg/check-install

# Builds the .debs twice and installs, upgrades and purges them in a
# debootstrap chroot (as root; scripts/install-deps --packaging first).
check-deb:
	tests/pkg/check-deb

bench: $(PROGS) $(BENCHES)
	@# every benchmark runs even if one misses its floor; the status says so
	@bad=""; for b in $(BENCHES); do echo "== $$b"; \
		ARK_BIN=$(abspath $(B)) $$b || bad="$$bad $$(basename $$b)"; done; \
	if [ -n "$$bad" ]; then echo "below a floor or failed:$$bad"; exit 1; fi

demo: $(PROGS)
	scripts/demo

# libFuzzer targets: make fuzz CC=clang (configure --enable-fuzzing sets it).
FUZZ_CFLAGS = -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer
$(B)/fuzz/gen/%.pb-c.o: $(B)/gen/%.pb-c.c
	@mkdir -p $(dir $@)
	clang -std=c11 -O1 -g $(FUZZ_CFLAGS:fuzzer,%=fuzzer-no-link,%) -I$(B)/gen $(PKG_CFLAGS) -c -o $@ $<
$(B)/fuzz/%.o: %.c $(B)/flags | $(GEN_H)
	@mkdir -p $(dir $@)
	clang -std=c11 -O1 -g $(WARN) $(DEFS) -fsanitize=fuzzer-no-link,address,undefined \
		-I$(B)/gen -iquote src $(PKG_CFLAGS) -MMD -MP -c -o $@ $<
FUZZ_LIB_O = $(patsubst %.c,$(B)/fuzz/%.o,$(LIB_SRC)) $(patsubst $(B)/gen/%,$(B)/fuzz/gen/%,$(GEN_O))
# An archive, so a target links only the modules it uses.
$(B)/fuzz/libark.a: $(FUZZ_LIB_O)
	rm -f $@
	$(AR) rcs $@ $^
$(B)/tests/fuzz/fuzz_%: $(B)/fuzz/tests/fuzz/fuzz_%.o $(B)/fuzz/libark.a
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^ $(LIBS_ALL)
fuzz: $(FUZZERS)
# New inputs go to a scratch directory; the seed corpus is only read.
fuzz-smoke: $(FUZZERS)
	@for f in $(FUZZERS); do n=$$(basename $$f | sed 's/^fuzz_//'); \
	echo "== $$f"; rm -rf $(B)/fuzz/run-$$n; mkdir -p $(B)/fuzz/run-$$n; \
	$$f -max_total_time=$${FUZZ_SECONDS:-20} -rss_limit_mb=1024 \
		-artifact_prefix=$(B)/fuzz/run-$$n/ $(B)/fuzz/run-$$n \
		tests/fuzz/corpus/$$n >$(B)/fuzz/run-$$n.log 2>&1; rc=$$?; \
	tail -n 3 $(B)/fuzz/run-$$n.log; \
	if [ $$rc -ne 0 ]; then tail -n 60 $(B)/fuzz/run-$$n.log; exit 1; fi; done

# The layer check reads the objects' symbols: build them first.
lint: $(B)/libark.a
	B=$(B) scripts/lint

install: all
	install -d $(DESTDIR)$(sbindir) $(DESTDIR)$(bindir) $(DESTDIR)$(sysconfdir)/ark \
		$(DESTDIR)$(systemdunitdir) $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man5 \
		$(DESTDIR)$(mandir)/man8 $(DESTDIR)$(docdir)/examples
	install -m 0755 $(B)/arkd $(DESTDIR)$(sbindir)/arkd
	install -m 0755 $(B)/arkctl $(DESTDIR)$(bindir)/arkctl
	@# the installed file runs no job, and one already there is the operator's
	test -e $(DESTDIR)$(sysconfdir)/ark/arkd.json || \
		install -m 0644 etc/ark/arkd.json $(DESTDIR)$(sysconfdir)/ark/arkd.json
	install -m 0644 etc/ark/examples/*.json $(DESTDIR)$(docdir)/examples/
	install -m 0644 $(UNIT) $(DESTDIR)$(systemdunitdir)/arkd.service
	for m in docs/*.1; do [ -f "$$m" ] && install -m 0644 $$m $(DESTDIR)$(mandir)/man1/; done; true
	for m in docs/*.5; do [ -f "$$m" ] && install -m 0644 $$m $(DESTDIR)$(mandir)/man5/; done; true
	for m in docs/*.8; do [ -f "$$m" ] && install -m 0644 $$m $(DESTDIR)$(mandir)/man8/; done; true

# ark-sim is a test tool (a simulated Mesos master): only on request.
install-sim: $(B)/ark-sim
	install -d $(DESTDIR)$(bindir)
	install -m 0755 $(B)/ark-sim $(DESTDIR)$(bindir)/ark-sim

uninstall:
	rm -f $(DESTDIR)$(sbindir)/arkd $(DESTDIR)$(bindir)/arkctl $(DESTDIR)$(bindir)/ark-sim \
		$(DESTDIR)$(systemdunitdir)/arkd.service \
		$(DESTDIR)$(mandir)/man1/arkctl.1 $(DESTDIR)$(mandir)/man5/arkd.json.5 \
		$(DESTDIR)$(mandir)/man8/arkd.8
	rm -rf $(DESTDIR)$(docdir)/examples
	@echo "left $(DESTDIR)$(sysconfdir)/ark and state in $(localstatedir)/lib/ark in place"

clean:
	rm -rf $(B)

distclean: clean
	rm -rf config.mk config.log config.status configure autom4te.cache

-include $(shell find $(B) -name '*.d' 2>/dev/null)
.SECONDARY:
