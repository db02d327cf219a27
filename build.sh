#!/usr/bin/env bash
# Install what is missing, build, run and test the helpdesk.
#
#   ./build.sh          build build/ngx_http_helpdesk_module.so and build/helpdesk
#   ./build.sh run      the portal at http://127.0.0.1:${HELPDESK_PORT:-8080}/
#   ./build.sh test     build, then every test (prove -r t/)
#   ./build.sh deps     only install the Debian packages (and npm modules)
#   ./build.sh asan     nginx itself (Debian's source, its configure flags) and
#                       the module, CLI and unit tests with ASan and UBSan
#                       in build/asan/, then the whole suite on them
#   ./build.sh fuzz [SECONDS]  each fuzzer of t/fuzz/ for SECONDS (60), two at
#                       a time, after the inputs that once failed
#   ./build.sh deb      the Debian packages (dpkg-buildpackage -us -uc -b on a
#                       copy of the tree) into build/deb/
#   ./build.sh fresh    `./build.sh test` on a clean clone (HEAD) inside a
#                       minimal bookworm root made by mmdebstrap (cached in
#                       build/fresh/): proof that build.sh installs all;
#                       --if-changed: only when build.sh, t/lib or a package
#                       list changed since it last passed
#
# Environment: HELPDESK_PORT, HELPDESK_MAIL_PORT (the demo's relay, 8025),
# HELPDESK_DATA (the data directory, default run/),
# NGINX_SRC (default /usr/share/nginx/src), NGINX_BIN (default /usr/sbin/nginx).

set -euo pipefail

cd "$(dirname "$0")"
ROOT=$PWD
BUILD=$ROOT/build
NGINX_SRC=${NGINX_SRC:-/usr/share/nginx/src}
NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}

# Debian's own flags for its nginx modules (see its rules file)
CC_OPT="-g -O2 -fstack-protector-strong -Wformat -Werror=format-security -fPIC -Wdate-time -D_FORTIFY_SOURCE=2"
LD_OPT="-Wl,-z,relro -Wl,-z,now -fPIC"

BUILD_PKGS="gcc make pkg-config nginx nginx-dev liblmdb-dev libpcre2-dev
            libssl-dev libjansson-dev libcsv-dev libcmocka-dev
            libcurl4-openssl-dev libgmime-3.0-dev libxml2-dev
            libstemmer-dev libcmark-dev"
# the mail tests' relay is aiosmtpd on Debian's own python3; openssl makes
# its test certificate; the mailbox the portal reads is Dovecot's (each test
# starts its own, on a free port); gdb tells where a crashed worker fell
# (the harness keeps its core)
TEST_PKGS="perl liburi-perl ca-certificates lmdb-utils chromium fonts-dejavu-core wrk
           python3 python3-aiosmtpd python3-uvloop openssl dovecot-imapd gdb"

say() { printf '%s\n' "$*" >&2; }
die() { say "build.sh: $*"; exit 1; }


# --- packages ---------------------------------------------------------------

missing_packages() {
    local p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
                | grep -q 'install ok installed'; then
            printf '%s ' "$p"
        fi
    done
}

install_packages() {
    local missing
    missing=$(missing_packages "$@")
    [ -z "$missing" ] && return 0

    say "installing: $missing"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null \
            || die "missing packages ($missing) and not root: install them"
        sudo=sudo
    fi

    # an old package list fails with 404s: refresh it at most once per run
    if [ -z "${HD_APT_UPDATED:-}" ]; then
        $sudo apt-get update -qq
        HD_APT_UPDATED=1
    fi

    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        --no-install-recommends $missing >/dev/null
}

build_deps() {
    # shellcheck disable=SC2086
    install_packages $BUILD_PKGS
}

test_deps() {
    local new_dovecot
    new_dovecot=$(missing_packages dovecot-imapd)

    # shellcheck disable=SC2086
    install_packages $TEST_PKGS

    # installed for the tests only: the system's own Dovecot is not wanted
    # (one that was there before is left alone)
    if [ -n "$new_dovecot" ] && command -v systemctl >/dev/null \
        && systemctl is-active --quiet dovecot 2>/dev/null; then
        say "stopping the system's new dovecot service (the tests start their own)"
        if [ "$(id -u)" -eq 0 ]; then
            systemctl disable --now dovecot >/dev/null 2>&1 || true
        else
            sudo systemctl disable --now dovecot >/dev/null 2>&1 || true
        fi
    fi
    command -v node >/dev/null || install_packages nodejs
    command -v npm >/dev/null || install_packages npm

    # playwright-core needs Node.js 20; Debian 12 ships 18: then Node.js 20
    # from the npm registry (the "node" package), for the browser tests only
    if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ] \
        && [ ! -x "$BUILD/node/node_modules/.bin/node" ]; then
        say "node $(node -v) is older than playwright-core needs: Node.js 20 into $BUILD/node"
        npm install --prefix "$BUILD/node" --no-audit --no-fund --loglevel=error node@20
    fi

    # playwright-core drives Debian's chromium; it never downloads a browser
    if [ ! -d t/browser/node_modules/playwright-core ] \
        || [ t/browser/package-lock.json -nt t/browser/node_modules ]; then
        (cd t/browser && npm ci --no-audit --no-fund --loglevel=error)
        touch t/browser/node_modules
    fi
}


# --- build --------------------------------------------------------------------

build() {
    build_deps
    mkdir -p "$BUILD"

    # nginx's configure runs again only when our config script changed
    if [ ! -f "$BUILD/nginx/Makefile" ] || [ config -nt "$BUILD/nginx/Makefile" ]; then
        [ -f "$NGINX_SRC/conf_flags" ] || die "no nginx source tree at $NGINX_SRC (package nginx-dev)"
        # shellcheck disable=SC1091
        . "$NGINX_SRC/conf_flags"
        say "configuring against $NGINX_SRC"
        if ! (cd "$NGINX_SRC" && ./configure "${NGX_CONF_FLAGS[@]}" \
                --with-cc-opt="$CC_OPT" --with-ld-opt="$LD_OPT" \
                --add-dynamic-module="$ROOT" --builddir="$BUILD/nginx") \
                >"$BUILD/configure.log" 2>&1; then
            tail -20 "$BUILD/configure.log" >&2
            die "nginx's configure failed (whole log: build/configure.log)"
        fi
    fi

    make -s -f "$BUILD/nginx/Makefile" -C "$NGINX_SRC" modules >/dev/null
    # a new file, not an overwrite: a running nginx keeps the one it loaded
    cp "$BUILD/nginx/ngx_http_helpdesk_module.so" "$BUILD/.module.so.tmp"
    mv -f "$BUILD/.module.so.tmp" "$BUILD/ngx_http_helpdesk_module.so"

    make -s BUILD="$BUILD" all
}


# --- the Debian packages ------------------------------------------------------

DEB_PKGS="dpkg-dev debhelper"

deb() {
    # shellcheck disable=SC2086
    install_packages $BUILD_PKGS $DEB_PKGS
    local out=$BUILD/deb src=$BUILD/deb/helpdesk-src
    rm -rf "$out"
    mkdir -p "$src"

    # the files of the tree as they are now, not what .gitignore leaves out
    # (no build/, no run/)
    git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$src"

    say "dpkg-buildpackage in $src"
    if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
        tail -30 "$out/build.log" >&2
        die "dpkg-buildpackage failed (whole log: build/deb/build.log)"
    fi
    rm -rf "$src"
    ls "$out"/*.deb >&2
}


# --- a fresh machine ----------------------------------------------------------

# the root's mount points, unmounted however the run ends
fresh_umount() {
    local root=$1 m
    for m in dev/shm dev/pts dev sys proc; do
        if mountpoint -q "$root/$m" 2>/dev/null; then
            umount -l "$root/$m" || true
        fi
    done
}

# never rm -rf a root with the machine's /dev or /sys still mounted in it
fresh_unmounted() {
    if grep -q " $1/" /proc/mounts; then
        die "something is still mounted under $1: not removing it"
    fi
}

# what a fresh machine proves, as committed: the installs (build.sh), the
# harness (t/lib), the browser tests' npm lock, the packaging
fresh_key() {
    git ls-tree -r HEAD -- build.sh t/lib t/browser/package-lock.json debian/control \
        | sha256sum | cut -c1-16
}

fresh() {
    [ "$(id -u)" -eq 0 ] || die "fresh needs root (mmdebstrap, chroot, mount)"
    local key
    key=$(fresh_key)
    if [ "${1:-}" = "--if-changed" ] && [ "$(cat "$BUILD/fresh/passed" 2>/dev/null)" = "$key" ]; then
        say "fresh machine: skipped, it passed with this build.sh, t/lib and package lists"
        return 0
    fi
    install_packages mmdebstrap git
    local dir=$BUILD/fresh root=$BUILD/fresh/root base=$BUILD/fresh/bookworm.tar
    local t0 f
    t0=$(date +%s)
    mkdir -p "$dir"

    # the base root, once: the machine's own apt sources, nothing of ours
    if [ ! -s "$base" ]; then
        say "mmdebstrap: a minimal bookworm root into $base"
        rm -rf "$base.tmp"
        mmdebstrap --quiet --variant=apt --format=tar \
            --include=ca-certificates,git,sudo bookworm "$base.tmp" \
            || die "mmdebstrap failed"
        mv "$base.tmp" "$base"
    fi

    fresh_umount "$root"
    fresh_unmounted "$root"
    rm -rf "$root"
    mkdir -p "$root"
    tar -xf "$base" -C "$root"
    trap 'fresh_umount "$root"' EXIT

    # what this machine trusts and where it gets packages from: downloads
    # and npm go through TLS that only these certificates make valid
    for f in /etc/apt/apt.conf.d /etc/apt/sources.list.d /etc/apt/auth.conf.d \
             /etc/apt/trusted.gpg.d /etc/apt/keyrings /etc/apt/preferences.d; do
        [ -d "$f" ] && cp -a "$f/." "$root$f/" 2>/dev/null || true
    done
    # the machine's sources replace the ones mmdebstrap wrote
    rm -f "$root/etc/apt/sources.list"
    [ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$root/etc/apt/"
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

    # a clean clone of what is committed, nothing of this work tree's build
    git clone -q "$ROOT" "$root/work/helpdesk"

    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount --rbind /dev "$root/dev"

    say "./build.sh test in a fresh bookworm root ($root)"
    local rc=0
    chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
        bash -c 'cd /work/helpdesk && ./build.sh test' || rc=$?

    fresh_umount "$root"
    fresh_unmounted "$root"
    trap - EXIT
    say "fresh machine: ./build.sh test exit $rc after $(( $(date +%s) - t0 )) s"
    [ "$rc" -eq 0 ] || die "the suite failed on a fresh machine (the root is kept: $root)"
    rm -rf "$root"
    echo "$key" > "$dir/passed"
}


# --- the suite under sanitizers ------------------------------------------

ASAN_PKGS="dpkg-dev zlib1g-dev libssl-dev libpcre2-dev"
SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"

# Debian's source of the nginx installed (or, when the archive no longer has
# that revision, the newest of the same upstream version) into $1
nginx_source() {
    local dest=$1 apt_dir=$BUILD/asan/apt version upstream
    local -a apt_opts

    version=$(dpkg-query -W -f='${Version}' nginx)
    upstream=${version%%-*}
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/sources.list.d"

    # the machine's own package sources, for source packages
    : >"$apt_dir/sources.list"
    if [ -f /etc/apt/sources.list ]; then
        sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >>"$apt_dir/sources.list"
    fi
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && sed 's/^Types:.*/Types: deb-src/' "$f" >"$apt_dir/sources.list.d/${f##*/}"
    done
    for f in /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] && sed -n 's/^deb /deb-src /p' "$f" >"$apt_dir/sources.list.d/${f##*/}"
    done

    apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list"
              -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
              -o "Dir::State::Lists=$apt_dir/lists"
              -o "APT::Sandbox::User=root")
    apt-get "${apt_opts[@]}" update -qq >/dev/null \
        || die "asan: the package sources cannot be read (apt-get update)"

    # the installed revision first, then the others of its upstream version,
    # newest first (an index may name a revision whose files are gone)
    local want candidates
    candidates=$( (echo "$version"; apt-cache "${apt_opts[@]}" showsrc nginx \
                   | sed -n 's/^Version: //p' | grep "^$upstream-" | sort -rV) | awk '!seen[$0]++')

    for want in $candidates ""; do
        [ -n "$want" ] || die "asan: no source of nginx $upstream could be downloaded"
        rm -rf "$dest" && mkdir -p "$dest"
        if (cd "$dest" && apt-get "${apt_opts[@]}" source -qq "nginx=$want" >/dev/null 2>&1); then
            break
        fi
    done
    [ "$want" = "$version" ] \
        || say "asan: the source of nginx $version is not in the archive: $want instead"
    echo "$want" >"$dest/.version"
}

asan() {
    local src nginx_build=$BUILD/asan/nginx

    build_deps
    # shellcheck disable=SC2086
    install_packages $ASAN_PKGS
    test_deps

    src=$(ls -d "$BUILD"/asan/src/nginx-*/ 2>/dev/null | head -1 || true)
    if [ -z "$src" ]; then
        say "asan: fetching Debian's nginx source"
        nginx_source "$BUILD/asan/src"
        src=$(ls -d "$BUILD"/asan/src/nginx-*/ | head -1)
    fi

    if [ ! -f "$nginx_build/Makefile" ] || [ config -nt "$nginx_build/Makefile" ]; then
        # shellcheck disable=SC1091
        . "$NGINX_SRC/conf_flags"
        say "asan: configuring nginx $(cat "$BUILD/asan/src/.version") with ASan and UBSan"
        if ! (cd "$src" && ./configure "${NGX_CONF_FLAGS[@]}" \
                --with-cc-opt="-g -O1 $SAN_FLAGS -fPIC" \
                --with-ld-opt="$SAN_FLAGS" \
                --add-dynamic-module="$ROOT" --builddir="$nginx_build") \
                >"$BUILD/asan/configure.log" 2>&1; then
            tail -20 "$BUILD/asan/configure.log" >&2
            die "asan: nginx's configure failed (build/asan/configure.log)"
        fi
    fi

    say "asan: building nginx and the module"
    make -s -j2 -f "$nginx_build/Makefile" -C "$src" build modules >/dev/null
    cp "$nginx_build/ngx_http_helpdesk_module.so" "$BUILD/asan/.module.so.tmp"
    mv -f "$BUILD/asan/.module.so.tmp" "$BUILD/asan/ngx_http_helpdesk_module.so"

    say "asan: building the CLI, the unit tests and the replays"
    make -s -j2 BUILD="$BUILD/asan" CFLAGS="-g -O1 $SAN_FLAGS" all

    # the harness gives each test its own log_path and fails a test file on
    # any report; leaks are not errors (nginx leaves its pools to exit)
    export HELPDESK_BUILD=$BUILD/asan HELPDESK_ROOT=$ROOT
    export NGINX_BIN=$nginx_build/nginx HELPDESK_SANITIZED=1
    # the CLI finds its templates beside its binary, which is not here
    export HELPDESK_TEMPLATES=${HELPDESK_TEMPLATES:-$ROOT/lua-free-templates}
    # (a dynamic module defines ngx_modules and ngx_module_names, as the
    # binary does, by nginx's design: not an ODR violation to report)
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:detect_odr_violation=0:abort_on_error=0:disable_coredump=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=0:suppressions=$ROOT/t/lib/ubsan.supp}
    say "asan: the whole suite on build/asan/"
    prove -j2 -r t/
}


# --- fuzz -------------------------------------------------------------------

# clang's libFuzzer, ASan and UBSan on the core: build/fuzzers/, what each
# found kept in build/fuzz/ (its growing corpus, its log, a crash's input)
FUZZ_PKGS="clang libclang-rt-14-dev"

fuzz_one() {
    local bin=$1 seconds=$2 name=${1##*/fuzz_}
    local out=$BUILD/fuzz/$name

    mkdir -p "$out/corpus"
    rm -f "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-*

    # what once failed passes first
    if [ -d "t/fuzz/regress/$name" ] \
        && ! "$bin" -runs=0 "t/fuzz/regress/$name"/* >"$out/regress.log" 2>&1; then
        say "fuzz $name: an input of t/fuzz/regress/$name fails again (build/fuzz/$name/regress.log)"
        return 1
    fi

    if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
            -max_len=65536 -print_final_stats=1 -artifact_prefix="$out/" \
            "$out/corpus" "t/fuzz/corpus/$name" >"$out/fuzz.log" 2>&1; then
        say "fuzz $name: FOUND a failure: $(ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-* 2>/dev/null | head -1)"
        grep -m1 -E "ERROR|runtime error|SUMMARY" "$out/fuzz.log" >&2 || true
        return 1
    fi

    say "fuzz $name: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$out/fuzz.log" \
        | grep -o '[0-9]*$') inputs in ${seconds}s, nothing found"
}

fuzz() {
    local seconds=${1:-60} bin failed=0 running=0

    case $seconds in
        ''|*[!0-9]*) die "fuzz: SECONDS must be a whole number, not \"$seconds\"" ;;
    esac

    build_deps
    # shellcheck disable=SC2086
    install_packages $FUZZ_PKGS
    make -s BUILD="$BUILD" fuzz

    for bin in "$BUILD"/fuzzers/fuzz_*; do
        fuzz_one "$bin" "$seconds" &
        running=$((running + 1))
        if [ "$running" -ge 2 ]; then
            wait -n || failed=1
            running=$((running - 1))
        fi
    done

    while [ "$running" -gt 0 ]; do
        wait -n || failed=1
        running=$((running - 1))
    done

    [ "$failed" -eq 0 ] || die "a fuzzer found a failure: make its input a file of t/fuzz/regress/NAME/ once fixed"
}


# --- run --------------------------------------------------------------------

# a directory the unprivileged workers can reach: every parent searchable
reachable_by() {
    local user=$1 dir=$2
    while [ ! -e "$dir" ]; do dir=$(dirname "$dir"); done
    runuser -u "$user" -- test -x "$dir"
}

run() {
    build
    # the demo's mail goes to a local relay that keeps every message
    install_packages python3 python3-aiosmtpd python3-uvloop

    local port=${HELPDESK_PORT:-8080}
    local mail_port=${HELPDESK_MAIL_PORT:-8025}
    local data=${HELPDESK_DATA:-$ROOT/run}
    local rundir=$BUILD/run
    local user_line="" user=""

    case $data in /*) ;; *) data=$ROOT/$data ;; esac

    if [ "$(id -u)" -eq 0 ]; then
        # the workers run unprivileged and own the data directory
        user=www-data
        user_line="user $user;"
        if ! reachable_by "$user" "$data"; then
            [ -n "${HELPDESK_DATA:-}" ] \
                && die "$user cannot reach $data (a parent directory is private): choose another HELPDESK_DATA"
            data=/var/lib/helpdesk-demo
            say "note: $user cannot reach $ROOT (a parent directory is private); the data goes to $data (set HELPDESK_DATA to choose)"
        fi
        install -d -m 700 -o "$user" -g "$user" "$data" "$data/tmp"
    else
        mkdir -p "$data/tmp"
    fi

    mkdir -p "$rundir/logs"

    "$BUILD/helpdesk" -d "$data" init >/dev/null

    # the mail gate's key, made once (the demo's: not a secret worth more)
    if [ ! -s "$rundir/mailgate.key" ]; then
        (umask 077 && openssl rand -hex 32 >"$rundir/mailgate.key")
    fi
    [ -n "$user" ] && chown "$user" "$rundir/mailgate.key"

    # a request as somebody's mail client writes it, to try the gate with
    cat >"$rundir/example-request.eml" <<'EOF'
From: Ivan Petrov <ivan.petrov@example.org>
To: support@demo.invalid
Subject: =?UTF-8?B?0J3QtSDRgNCw0LHQvtGC0LDQtdGCINC/0L7QtNC/0LjRgdGM?=
Message-ID: <example-request-1@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Здравствуйте! При подписании документа появляется ошибка 0x80090008.
КриптоПро CSP 5.0, Windows 10.

--
Иван Петров
EOF

    local demo
    demo=$(HELPDESK_URL="http://127.0.0.1:$port/" \
           HELPDESK_TEMPLATES="$ROOT/lua-free-templates" \
           "$BUILD/helpdesk" -d "$data" demo)

    cat >"$rundir/nginx.conf" <<EOF
# written by build.sh run
load_module $BUILD/ngx_http_helpdesk_module.so;
$user_line
daemon off;
master_process on;
worker_processes 2;
pid $rundir/nginx.pid;
error_log stderr notice;

events {
    worker_connections 1024;
}

http {
    access_log $rundir/logs/access.log;
    client_body_temp_path $data/tmp/body;
    proxy_temp_path $data/tmp/proxy;
    fastcgi_temp_path $data/tmp/fastcgi;
    uwsgi_temp_path $data/tmp/uwsgi;
    scgi_temp_path $data/tmp/scgi;

    helpdesk_db $data map=1g;
    helpdesk_templates $ROOT/lua-free-templates;
    helpdesk_url http://127.0.0.1:$port/;

    # every message goes to the demo's relay (build/run/mail/)
    helpdesk_smtp 127.0.0.1:$mail_port "from=Портал поддержки (демо) <support@demo.invalid>"
                  starttls=off retry=5s;

    # mail comes in through the gate: build/helpdesk mailgate (see below)
    helpdesk_mailgate_key file=$rundir/mailgate.key;

    server {
        listen 127.0.0.1:$port;

        # attachments: the module checks access, then nginx sends the file
        location /_helpdesk_files/ {
            internal;
            alias $data/files/;
        }

        location / {
            helpdesk;
        }
    }
}
EOF

    "$NGINX_BIN" -t -q -p "$rundir" -c "$rundir/nginx.conf" \
        || die "the generated configuration does not load"

    # the relay: Ctrl-C stops it with nginx (one process group)
    mkdir -p "$rundir/mail"
    /usr/bin/python3 "$ROOT/t/lib/smtp-sink.py" --dir "$rundir/mail" \
        --port "$mail_port" >/dev/null 2>>"$rundir/logs/mail.log" &

    say ""
    say "helpdesk: http://127.0.0.1:$port/   (data: $data; Ctrl-C stops it)"
    say "demo accounts:"
    say "$demo"
    say ""
    say "mail: every message the portal sends arrives at a local relay (port $mail_port) and is kept"
    say "  in $rundir/mail/ (NNNNNN.eml as sent, NNNNNN.json decoded); administrators see the"
    say "  outbox at http://127.0.0.1:$port/admin/outbox"
    say "mail in: pipe a message to the gate as an MTA would (a new request; its confirmation"
    say "  arrives in $rundir/mail/, and a reply to it, [#N] in the subject, goes to the ticket):"
    say "  $BUILD/helpdesk mailgate http://127.0.0.1:$port/api/v1/mailgate --key-file $rundir/mailgate.key < $rundir/example-request.eml"
    say "  (what came in and what is held: http://127.0.0.1:$port/admin/mail)"
    say ""
    exec "$NGINX_BIN" -p "$rundir" -c "$rundir/nginx.conf"
}


# --- test -------------------------------------------------------------------

run_tests() {
    build
    test_deps
    export HELPDESK_BUILD=$BUILD HELPDESK_ROOT=$ROOT NGINX_BIN
    prove -j2 -r t/
}


case ${1:-build} in
    build) build ;;
    run)   run ;;
    test)  run_tests ;;
    deps)  build_deps; test_deps ;;
    fuzz)  fuzz "${2:-60}" ;;
    asan)  asan ;;
    deb)   deb ;;
    fresh) fresh "${2:-}" ;;
    *)     die "unknown command \"$1\": build, run, test, deps, asan, fuzz, deb or fresh" ;;
esac
