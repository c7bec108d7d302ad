# Lumen — build, test and demo.  `make`, `make check`, `make demo`.
# Flags that change the objects (SANITIZE, WERROR, CFLAGS) are recorded in
# build/flags so that switching them rebuilds everything.  Each step prints
# one short line (CC client/api.c); `make V=1` prints the whole commands.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS    := ncursesw libpq libcurl libsodium inih libqrencode

# ncursesw's pkg-config asks for _XOPEN_SOURCE=600; we define 700 ourselves.
PKG_CFLAGS := $(filter-out -D_XOPEN_SOURCE=600 -D_DEFAULT_SOURCE,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN     := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wvla
CFLAGS   ?= -O2 -g
# CPPFLAGS: a package build's (dpkg-buildflags: _FORTIFY_SOURCE).
ALL_CFLAGS := -std=c11 -pthread -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -I. $(WARN) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS)
ALL_LDFLAGS := -pthread $(LDFLAGS)
ifeq ($(WERROR),1)
ALL_CFLAGS += -Werror
endif
ifeq ($(SANITIZE),1)
ALL_CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ALL_LDFLAGS += -fsanitize=address,undefined
endif

ifeq ($(V),1)
Q   :=
say := @:
else
Q   := @
say := @printf '%-4s %s\n'
endif

B := build
LIB_SRC  := $(sort $(wildcard client/*.c tui/*.c screens/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/migrations.o $(B)/gen/api.o $(B)/gen/demo.o
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/unit/%.t)
# Small programs the e2e tests run in tmux (tests/e2e/*.c), where no
# screen of lumen shows the thing yet: qrshow draws a QR code.
E2E_SRC  := $(sort $(wildcard tests/e2e/*.c))
E2E_BIN  := $(E2E_SRC:tests/e2e/%.c=$(B)/tests/e2e/%)
# TAP programs that tests/pooler/*.t run behind PgBouncer (cmocka).
POOLER_SRC := $(sort $(wildcard tests/pooler/*.c))
POOLER_BIN := $(POOLER_SRC:tests/pooler/%.c=$(B)/tests/pooler/%)
# The same names `lumen db migrate --dir` reads: [0-9]*.sql, in name order.
MIGRATIONS := $(sort $(wildcard db/migrations/[0-9]*.sql))
API_SQL    := $(sort $(wildcard db/api/[0-9]*.sql))
# lumen demo's data, in the order it loads (as scripts/demo-db.sh lists it).
DEMO_SQL   := db/demo/demo.sql db/demo/leads.sql db/demo/audit.sql db/demo/team.sql
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

.PHONY: all check unit e2e-helpers clean install uninstall deps test-deps deb deb-deps demo demo-db demo-stop bench FORCE
all: lumen lumen.1

$(B)/flags: FORCE
	@mkdir -p $(B)
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(VERSION)' | cmp -s - $@ || echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(VERSION)' > $@

# A missing -dev package shows up as a pkg-config failure; say which.
$(B)/deps-ok: scripts/install-deps.sh
	@pkg-config --exists $(PKGS) || { echo "lumen: missing build dependencies; run scripts/install-deps.sh (or make deps)" >&2; exit 1; }
	@mkdir -p $(B) && touch $@

$(B)/test-deps-ok: scripts/install-deps.sh
	@pkg-config --exists cmocka || { echo "lumen: missing test dependencies; run scripts/install-deps.sh test (or make test-deps)" >&2; exit 1; }
	@mkdir -p $(B) && touch $@

$(B)/%.o: %.c $(B)/flags $(B)/deps-ok
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -DLUMEN_VERSION='"$(VERSION)"' -MMD -MP -c $< -o $@

# The migrations and the api files are compiled into the binary so that a
# deployed lumen needs no data files next to it.  build/gen/sql-files lists
# them, so that a file removed (or added) also regenerates the arrays.
$(B)/gen/sql-files: FORCE
	@mkdir -p $(dir $@)
	@echo '$(MIGRATIONS) $(API_SQL)' | cmp -s - $@ || echo '$(MIGRATIONS) $(API_SQL)' > $@

$(B)/gen/migrations.c: $(MIGRATIONS) $(B)/gen/sql-files scripts/embed-migrations.sh
	$(say) GEN $@
	$(Q)sh scripts/embed-migrations.sh migrate_embedded $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(B)/gen/api.c: $(API_SQL) $(B)/gen/sql-files scripts/embed-migrations.sh
	$(say) GEN $@
	$(Q)sh scripts/embed-migrations.sh migrate_embedded_api $(API_SQL) > $@.tmp && mv $@.tmp $@

# lumen demo carries the demo data and the recovery codes it prints.
$(B)/gen/demo.c: $(DEMO_SQL) db/demo/recovery-codes.txt scripts/embed-migrations.sh
	$(say) GEN $@
	$(Q){ sh scripts/embed-migrations.sh demo_embedded_sql $(DEMO_SQL) && \
	  sh scripts/embed-migrations.sh demo_embedded_codes db/demo/recovery-codes.txt; } > $@.tmp && mv $@.tmp $@

$(B)/gen/%.o: $(B)/gen/%.c $(B)/flags
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/liblumen.a: $(LIB_OBJ)
	@rm -f $@
	$(say) AR $@
	$(Q)ar rcs $@ $^

lumen: $(B)/lumen.o $(B)/liblumen.a
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/unit/%.t: tests/unit/%.c $(B)/liblumen.a $(B)/flags $(B)/test-deps-ok tests/unit/unit.h tests/unit/screen.h tests/unit/cluster.h tests/unit/pgresult.h
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/liblumen.a $(ALL_LDFLAGS) $(PKG_LIBS) $(CMOCKA_LIBS)

unit: $(UNIT_BIN)

$(E2E_BIN): $(B)/tests/e2e/%: tests/e2e/%.c $(B)/liblumen.a $(B)/flags
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/liblumen.a $(ALL_LDFLAGS) $(PKG_LIBS)

$(POOLER_BIN): $(B)/tests/pooler/%: tests/pooler/%.c $(B)/liblumen.a $(B)/flags $(B)/test-deps-ok tests/unit/unit.h tests/unit/cluster.h
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/liblumen.a $(ALL_LDFLAGS) $(PKG_LIBS) $(CMOCKA_LIBS)

e2e-helpers: $(E2E_BIN) $(POOLER_BIN)

# lumen(1): doc/lumen.1.in, its KEYS section written from the action table
# by doc/mankeys.c (so the page cannot drift from the keys).  Dated by
# SOURCE_DATE_EPOCH when a package build sets it, else by the source's time.
$(B)/doc/mankeys: doc/mankeys.c $(B)/liblumen.a $(B)/flags
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/liblumen.a $(ALL_LDFLAGS) $(PKG_LIBS)

lumen.1: doc/lumen.1.in $(B)/doc/mankeys VERSION
	$(say) GEN $@
	$(Q)$(B)/doc/mankeys > $(B)/doc/keys.roff
	$(Q)sed -e 's/@VERSION@/$(VERSION)/' \
	  -e "s/@DATE@/$$(date -u -d "@$${SOURCE_DATE_EPOCH:-$$(stat -c %Y doc/lumen.1.in)}" +%Y-%m-%d)/" \
	  -e '/^\.\\" @KEYS@$$/r $(B)/doc/keys.roff' -e '/^\.\\" @KEYS@$$/d' doc/lumen.1.in > $@.tmp
	$(Q)mv $@.tmp $@

# Every test speaks TAP; prove runs them all against a throwaway cluster.
# The build runs in a second make, which sees what test-deps installed.
check: test-deps
	@$(MAKE) --no-print-directory lumen lumen.1 unit e2e-helpers
	sh tests/run.sh

bench: lumen
	sh tests/bench/run.sh

# The Debian package (debian/), built from a copy of the tree into
# build/deb/ and checked by tests/pkg/deb.t: lintian, its files, its
# dependencies, the binary it holds.  A few minutes, so not in make check;
# .ci/run runs it.  The .deb stays in build/deb/.
deb: deb-deps
	LUMEN_DEB_OUT=$(CURDIR)/$(B)/deb prove tests/pkg/deb.t

deb-deps:
	sh scripts/install-deps.sh deb

# What building and running need (make demo); test-deps adds what the
# tests need (make check, .ci/run).
deps:
	sh scripts/install-deps.sh run

test-deps:
	sh scripts/install-deps.sh test

demo-db: deps
	@$(MAKE) --no-print-directory lumen
	sh scripts/demo-db.sh

demo: demo-db
	sh scripts/demo.sh

demo-stop:
	sh scripts/pgcluster.sh stop .lumen

install: lumen lumen.1
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/doc/lumen \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0755 lumen $(DESTDIR)$(PREFIX)/bin/lumen
	install -m 0644 lumen.1 $(DESTDIR)$(PREFIX)/share/man/man1/lumen.1
	install -m 0644 doc/lumen.bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/lumen
	install -m 0644 lumen.conf.sample README.md $(DESTDIR)$(PREFIX)/share/doc/lumen/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/lumen $(DESTDIR)$(PREFIX)/share/man/man1/lumen.1
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/lumen
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/lumen

clean:
	rm -rf $(B) lumen lumen.1

-include $(shell find $(B) -name '*.d' 2>/dev/null)
