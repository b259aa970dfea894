# comet: small Unix utilities for building, flooding and sizing comet servers.
# Plain make, libc only.  `make` builds into build/, `make SAN=1` into build-san/
# with AddressSanitizer and UndefinedBehaviorSanitizer.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
# the example configs of etc/, to copy into /etc by hand (README "Install")
SHAREDIR ?= $(PREFIX)/share/comet
DESTDIR	?=

VERSION	 = 1.0

CC	?= cc
AR	?= ar
CFLAGS	?= -O2 -g
WFLAGS	 = -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	   -DCOMET_VERSION='"$(VERSION)"'
LDFLAGS	?=

ifeq ($(SAN),1)
B	 = build-san
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS	+= -fsanitize=address,undefined
else
B	 = build
endif

PROGS	 = cometd cometflood cometgen cometmem cometsysctl
LIBSRC	 = $(wildcard lib/*.c lib/*/*.c)
LIBOBJ	 = $(LIBSRC:lib/%.c=$(B)/lib/%.o)
HDRS	 = $(wildcard lib/*.h lib/*/*.h)
# small C programs the tests run (parser tests, socket holders)
TSRC	 = $(wildcard t/*.c)
TPROGS	 = $(TSRC:t/%.c=$(B)/t/%)
BINS	 = $(addprefix $(B)/,$(filter $(PROGS),$(basename $(notdir $(wildcard cmd/*.c)))))
# every file under etc/, as a path below it: sysctl.d/60-comet.conf ...
ETC	 = $(patsubst etc/%,%,$(shell find etc -type f))

all: $(BINS) $(TPROGS)

$(B)/lib/%.o: lib/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(WFLAGS) $(CFLAGS) -Ilib -c -o $@ $<

$(B)/libcomet.a: $(LIBOBJ)
	$(AR) rcs $@ $(LIBOBJ)

$(B)/%: cmd/%.c $(B)/libcomet.a $(HDRS)
	$(CC) $(WFLAGS) $(CFLAGS) -Ilib -o $@ $< $(B)/libcomet.a $(LDFLAGS)

$(B)/t/%: t/%.c $(B)/libcomet.a $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(WFLAGS) $(CFLAGS) -Ilib -o $@ $< $(B)/libcomet.a $(LDFLAGS)

# The one test command: the README, .ci/run and developers all use it.
check: all
	@sh t/deps.sh
	sh t/mancheck.sh $(B)
	COMET_BIN=$(CURDIR)/$(B) t/run.sh $(BATSFLAGS)

test: check

bench: all
	t/bench/million

# The configs name the binaries where the default PREFIX puts them; the
# copies installed name them where this PREFIX does.
install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	for p in $(PROGS); do install -m 755 $(B)/$$p $(DESTDIR)$(BINDIR)/$$p; done
	for p in $(PROGS); do install -m 644 man/$$p.1 $(DESTDIR)$(MANDIR)/man1/$$p.1; done
	for f in $(ETC); do \
		mkdir -p $(DESTDIR)$(SHAREDIR)/$$(dirname $$f) && \
		sed 's|/usr/local/bin/|$(BINDIR)/|g' etc/$$f \
		    >$(DESTDIR)$(SHAREDIR)/$$f && \
		chmod 644 $(DESTDIR)$(SHAREDIR)/$$f || exit 1; \
	done

uninstall:
	for p in $(PROGS); do rm -f $(DESTDIR)$(BINDIR)/$$p $(DESTDIR)$(MANDIR)/man1/$$p.1; done
	for f in $(ETC); do rm -f $(DESTDIR)$(SHAREDIR)/$$f; done
	[ ! -d $(DESTDIR)$(SHAREDIR) ] || \
	    find $(DESTDIR)$(SHAREDIR) -depth -type d -empty -delete

clean:
	rm -rf build build-san

.PHONY: all check test bench install uninstall clean
