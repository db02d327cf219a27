# The command-line tool and the unit tests, from the same core sources as the
# nginx module (which nginx's own build compiles through ./config).
# build.sh drives this; `make BUILD=dir` puts everything under dir.

BUILD     ?= build
CC        ?= cc
CFLAGS    ?= -g -O2
# GMime's and libxml2's headers are in directories pkg-config knows
GMIME_CFLAGS := $(shell pkg-config --cflags gmime-3.0 libxml-2.0)
GMIME_LIBS   := $(shell pkg-config --libs gmime-3.0 libxml-2.0)

HD_FLAGS   = -std=gnu11 -Wall -Wextra -Werror -fPIC \
             -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
             -Ingx_http_helpdesk_module/core -Ingx_http_helpdesk_module/core/view \
             $(GMIME_CFLAGS)
LIBS       = -llmdb -lcrypto -lpcre2-8 -ljansson -lcsv -lcurl $(GMIME_LIBS) \
             -lstemmer -lcmark -lm -lpthread

CORE_SRCS := $(wildcard ngx_http_helpdesk_module/core/*.c) \
             $(wildcard ngx_http_helpdesk_module/core/view/*.c)
CORE_HDRS := $(wildcard ngx_http_helpdesk_module/core/*.h) \
             $(wildcard ngx_http_helpdesk_module/core/view/*.h)
CORE_OBJS := $(CORE_SRCS:ngx_http_helpdesk_module/core/%.c=$(BUILD)/core/%.o)
CLI_SRCS  := $(wildcard ngx_http_helpdesk_module/cli/*.c)
UNIT_SRCS := $(wildcard t/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:t/unit/%.c=$(BUILD)/unit/%)
FUZZ_SRCS := $(wildcard t/fuzz/fuzz_*.c)
REPLAYS   := $(FUZZ_SRCS:t/fuzz/%.c=$(BUILD)/replay/%)
FUZZERS   := $(FUZZ_SRCS:t/fuzz/%.c=$(BUILD)/fuzzers/%)

all: $(BUILD)/helpdesk $(UNIT_BINS) $(REPLAYS) $(BUILD)/libhdfault.so $(BUILD)/gen-tickets $(BUILD)/gen-kb $(BUILD)/search-probe $(BUILD)/smtp-blast $(BUILD)/gate-blast

$(BUILD)/core/%.o: ngx_http_helpdesk_module/core/%.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(HD_FLAGS) -c $< -o $@

$(BUILD)/libhelpdesk.a: $(CORE_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/helpdesk: $(CLI_SRCS) $(BUILD)/libhelpdesk.a $(CORE_HDRS)
	$(CC) $(CFLAGS) $(HD_FLAGS) -o $@ $(CLI_SRCS) $(BUILD)/libhelpdesk.a $(LIBS)

$(BUILD)/unit/%: t/unit/%.c t/unit/unit.h $(BUILD)/libhelpdesk.a $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(HD_FLAGS) -It/unit -o $@ $< $(BUILD)/libhelpdesk.a \
	    $(LIBS) -lcmocka

# t/105-attack-faults.t's LD_PRELOAD library: calls that fail on demand
$(BUILD)/libhdfault.so: t/lib/fault.c
	$(CC) -g -O2 -std=gnu11 -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl

# each fuzzer without libFuzzer: the test suite replays the corpora with it
$(BUILD)/replay/%: t/fuzz/%.c t/fuzz/replay.c t/fuzz/fuzz.h $(BUILD)/libhelpdesk.a $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(HD_FLAGS) -It/fuzz -o $@ $< t/fuzz/replay.c \
	    $(BUILD)/libhelpdesk.a $(LIBS)

# ./build.sh fuzz: the core again with clang, ASan and UBSan (a library of
# its own in fuzz-core/), and each fuzzer linked with libFuzzer
FUZZ_CC     = clang
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=undefined

fuzz:
	$(MAKE) -s BUILD=$(BUILD)/fuzz-core CC=$(FUZZ_CC) \
	    CFLAGS="$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link" \
	    $(BUILD)/fuzz-core/libhelpdesk.a
	$(MAKE) -s BUILD=$(BUILD) fuzzers

fuzzers: $(FUZZERS)

$(BUILD)/fuzzers/%: t/fuzz/%.c t/fuzz/fuzz.h $(BUILD)/fuzz-core/libhelpdesk.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(HD_FLAGS) -It/fuzz -o $@ $< \
	    $(BUILD)/fuzz-core/libhelpdesk.a $(LIBS)

# bench/'s data generator, on the same core
$(BUILD)/gen-tickets: bench/gen-tickets.c $(BUILD)/libhelpdesk.a $(CORE_HDRS)
	$(CC) $(CFLAGS) $(HD_FLAGS) -o $@ $< $(BUILD)/libhelpdesk.a $(LIBS)

$(BUILD)/search-probe: bench/search-probe.c $(BUILD)/libhelpdesk.a $(CORE_HDRS)
	$(CC) $(CFLAGS) $(HD_FLAGS) -o $@ $< $(BUILD)/libhelpdesk.a $(LIBS)

$(BUILD)/gen-kb: bench/gen-kb.c $(BUILD)/libhelpdesk.a $(CORE_HDRS)
	$(CC) $(CFLAGS) $(HD_FLAGS) -o $@ $< $(BUILD)/libhelpdesk.a $(LIBS)

# the mail benchmark's plain client (what the relay takes without the portal)
$(BUILD)/smtp-blast: bench/smtp-blast.c
	$(CC) $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror -o $@ $< -lcurl -lpthread

# the mail gate benchmark's client (an MTA posting at full speed)
$(BUILD)/gate-blast: bench/gate-blast.c
	$(CC) $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror -o $@ $< -lcurl -lpthread

clean:
	rm -rf $(BUILD)/core $(BUILD)/unit $(BUILD)/replay $(BUILD)/fuzz-core \
	    $(BUILD)/fuzzers $(BUILD)/libhdfault.so $(BUILD)/helpdesk $(BUILD)/libhelpdesk.a \
	    $(BUILD)/gen-tickets $(BUILD)/gen-kb $(BUILD)/search-probe $(BUILD)/smtp-blast $(BUILD)/gate-blast

.PHONY: all clean fuzz fuzzers
