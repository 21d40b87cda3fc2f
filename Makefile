# Osprey build. The chain is visible on purpose:
#   bpf/X.bpf.c -> build/bpf/X.bpf.o -> build/bpf/X.skel.h -> agent objects -> build/osprey
# Sources are found by wildcard: a new agent/<stage>/*.c or tests/unit/test_*.c needs no edit here.
.DELETE_ON_ERROR:
.SECONDARY:
.DEFAULT_GOAL := all

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

OUT      := build
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
ARCH     := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX  := bpf/vmlinux/$(ARCH)/vmlinux.h
# The BPF programs read syscall numbers and arguments per architecture (bpf/syscalls.bpf.h): refuse
# a build they would get wrong rather than produce one.
ifeq ($(filter x86 arm64,$(ARCH)),)
$(error the BPF programs know x86 and arm64 (bpf/syscalls.bpf.h), not $(ARCH))
endif
ifeq ($(wildcard $(VMLINUX)),)
$(error $(VMLINUX) is missing: bpftool btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX))
endif
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

PKGS     := libbpf libelf zlib libcjson yaml-0.1 libcurl
TEST_PKGS := libmicrohttpd # the unit tests' HTTP servers (Kubernetes API double, HTTP sink peer)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_LIBS  = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter
CFLAGS   ?= -O2 -g
ALL_CFLAGS := $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -Iagent -I$(OUT)/bpf \
	-DOSPREY_VERSION='"$(VERSION)"' $(PKG_CFLAGS) -MMD -MP
LDLIBS   := $(PKG_LIBS) -lpthread -lm
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS    := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.skel.h,$(BPF_SRCS))
BPF_CFLAGS := -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) -Iinclude \
	-I$(dir $(VMLINUX)) -mcpu=v3

AGENT_SRCS := $(filter-out agent/cli/main.c,$(wildcard agent/*.c agent/*/*.c))
AGENT_OBJS := $(patsubst %.c,$(OUT)/obj/%.o,$(AGENT_SRCS))
ASAN_OBJS  := $(patsubst %.c,$(OUT)/asan/%.o,$(AGENT_SRCS))
UNIT_SRCS  := $(wildcard tests/unit/*.c tests/common/*.c)
UNIT_OBJS  := $(patsubst %.c,$(OUT)/asan/%.o,$(UNIT_SRCS))
INTEG_SRCS := $(wildcard tests/integration/*.c tests/integration/lib/*.c tests/common/*.c)
INTEG_OBJS := $(patsubst %.c,$(OUT)/obj/%.o,$(INTEG_SRCS))

.PHONY: all deps run test unit integration bench lint format clean image deb k8s-rules packaging
all: $(OUT)/osprey

# ---- dependencies (Debian packages; idempotent, quick when all are present) ----
deps:
	$(Q)./scripts/deps.sh

# ---- kernel side ----
$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h include/osprey/*.h) $(VMLINUX)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/bpf/%.skel.h: $(OUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .,_,$*)_bpf > $@

# ---- agent ----
$(OUT)/obj/%.o: %.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(OUT)/asan/%.o: %.c | $(SKELS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -O1 $(SAN) -c $< -o $@

$(OUT)/libosprey.a: $(AGENT_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUT)/osprey: $(OUT)/obj/agent/cli/main.o $(OUT)/libosprey.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# ---- tests ----
$(OUT)/unit-tests: $(UNIT_OBJS) $(ASAN_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $^ $(LDLIBS) $(TEST_LIBS) -lcunit

$(OUT)/integration-tests: $(INTEG_OBJS) $(OUT)/libosprey.a
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ $(LDLIBS) -lcunit


unit: $(OUT)/unit-tests
	$(Q)./scripts/run-tests.sh unit $(OUT)/unit-tests

integration: $(OUT)/integration-tests $(OUT)/osprey
	$(Q)./scripts/run-tests.sh integration $(OUT)/integration-tests

# The README's test command: dependencies, build, unit tests under ASan+UBSan, integration tests
# (real BPF, real processes, real containers), then the combined summary.
test: deps
	$(Q)$(MAKE) --no-print-directory all $(OUT)/unit-tests $(OUT)/integration-tests
	$(Q)./scripts/run-tests.sh all $(OUT)/unit-tests $(OUT)/integration-tests tests/packaging/run.sh

# Standard output carries only the agent's alerts (`make run | jq` works): installing and building
# report on stderr.
run:
	$(Q)./scripts/deps.sh >&2
	$(Q)$(MAKE) --no-print-directory all >&2
	$(Q)exec ./$(OUT)/osprey run $(ARGS)

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(OUT)/bench-workload $(OUT)/bench-rules $(OUT)/bench-enrich
	$(Q)./tests/bench/bench.sh

# decode + process table + container lookup alone, synthetic records, one core
$(OUT)/bench-enrich: tests/bench/bench_enrich.c $(OUT)/libosprey.a
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -Iagent -o $@ $^ $(LDLIBS)

# the rule engine alone, on recorded events, one core
$(OUT)/bench-rules: tests/bench/bench_rules.c $(OUT)/libosprey.a
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -Iagent -o $@ $^ $(LDLIBS)

$(OUT)/bench-workload: tests/bench/workload.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 $(WARN) -std=gnu11 -D_GNU_SOURCE -o $@ $<

# ---- packaging (packaging/, docs/deploy.md) ----
# The container image, built with a private Docker engine from a Debian 12 base made here with
# mmdebstrap (cached in build/image/), saved as a docker-archive: docker load -i $(IMAGE_TAR)
IMAGE_TAR := $(OUT)/image/osprey-$(VERSION).tar
image: $(IMAGE_TAR)
$(IMAGE_TAR): $(OUT)/osprey $(wildcard packaging/container/*) packaging/osprey.yaml \
		rules/osprey_rules.yaml VERSION
	$(call msg,IMAGE,$@)
	$(Q)./packaging/container/build.sh $@

# The .deb, built by dpkg-buildpackage in a copy of the tree (build/deb/src), never in this one
DEB := $(OUT)/deb/osprey_$(VERSION)_$(shell dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null).deb
deb: $(DEB)
$(DEB): $(shell find agent bpf include rules packaging -type f 2>/dev/null) Makefile VERSION \
		README.md docs/deploy.md
	$(call msg,DEB,$@)
	$(Q)./packaging/debian/build.sh $(OUT)/deb >/dev/null

# kustomize reads no file outside packaging/kubernetes/base: our rules are copied in
k8s-rules:
	$(Q)cp rules/osprey_rules.yaml packaging/kubernetes/base/rules/osprey_rules.yaml

# the tests of what ships alone (make test runs them too)
packaging: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./scripts/run-tests.sh packaging tests/packaging/run.sh

LINT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^bpf/vmlinux/')
# clang-format (checked, not rewritten), cppcheck, and every global symbol carries its module's
# prefix (scripts/check-prefixes.sh reads the built objects)
lint: $(AGENT_OBJS) $(OUT)/obj/agent/cli/main.o
	$(Q)clang-format --dry-run --Werror $(LINT_SRCS)
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --std=c11 -D__linux__ -Iinclude -Iagent \
		--suppress=missingIncludeSystem agent tests
	$(Q)./scripts/check-prefixes.sh $(OUT)/obj
	@echo "lint: clean"

format:
	$(Q)clang-format -i $(LINT_SRCS)

clean:
	rm -rf $(OUT)

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)
