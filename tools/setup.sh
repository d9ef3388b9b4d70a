#!/bin/sh
# Installs what librec needs (from tools/debian-packages.txt), builds it and
# runs one job:
#
#   tools/setup.sh demo       build, then run `rec demo`
#   tools/setup.sh test       build with warnings as errors, run the test suite
#   tools/setup.sh sanitize   the test suite under AddressSanitizer and
#                             UndefinedBehaviorSanitizer (separate build)
#   tools/setup.sh tsan       the tests with threads under ThreadSanitizer
#                             (separate build without OpenMP, see below)
#   tools/setup.sh fuzz       build the libFuzzer targets (clang, separate
#                             build, AddressSanitizer and UBSan), run each
#                             for FUZZ_SECONDS (default 20) from its seed
#                             corpus, then replay every input it kept
#   tools/setup.sh abi        build librec.so with debug information (separate
#                             build) and compare its ABI with abi/librec.abi
#   tools/setup.sh build      build only
#   tools/setup.sh deps       install missing packages only
#
# Missing packages are installed with apt-get when run as root; otherwise
# the script names them and stops.
set -eu

cd "$(dirname "$0")/.."
job=${1:-build}

install_missing() {
    missing=""
    # shellcheck disable=SC2013  # one package name per word is intended
    for pkg in $(grep -v '^#' tools/debian-packages.txt); do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing="$missing $pkg"
        fi
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing Debian packages:$missing" >&2
        echo "setup: install them (as root: apt-get install$missing) and run again" >&2
        exit 1
    fi
    echo "setup: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing >&2
}

# configure DIR [meson options...]: set up DIR once, reconfigure afterwards.
configure() {
    dir=$1
    shift
    if [ -f "$dir/build.ninja" ]; then
        meson configure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@"
    fi
}

case "$job" in
deps)
    install_missing
    ;;
build)
    install_missing
    configure build --buildtype=release
    ninja -C build
    ;;
demo)
    install_missing
    configure build --buildtype=release
    ninja -C build
    build/tools/rec/rec demo
    ;;
test)
    install_missing
    configure build --buildtype=release -Dwerror=true
    ninja -C build
    meson test -C build --print-errorlogs
    ;;
sanitize)
    install_missing
    configure build-sanitize --buildtype=debugoptimized -Dwerror=true \
        -Db_sanitize=address,undefined -Db_lundef=false
    ninja -C build-sanitize
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 CK_FORK=no \
        meson test -C build-sanitize --print-errorlogs --timeout-multiplier 4
    ;;
tsan)
    # libgomp is not built with ThreadSanitizer, which cannot see the
    # synchronisation inside it and would report its thread pool's hand-offs
    # as races. Built with -Dopenmp=disabled, librec runs its parallel loops
    # on threads it starts and joins itself (lib/core/threads.c), which TSan
    # sees entirely. tools/tsan.supp lists the races that are by design
    # (Hogwild! training). Only suites that run threads and finish in a
    # minute or so under TSan: serving (eight threads on one model), eval,
    # graph, data, core; model, lightgcn and ngcf take ten minutes and more
    # (docs/testing.md).
    install_missing
    configure build-tsan --buildtype=debugoptimized -Dwerror=true \
        -Db_sanitize=thread -Db_lundef=false -Dopenmp=disabled
    ninja -C build-tsan
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tools/tsan.supp" \
    CK_FORK=no meson test -C build-tsan --print-errorlogs --timeout-multiplier 4 \
        core data graph serving eval
    ;;
fuzz)
    install_missing
    CC=${FUZZ_CC:-clang}
    export CC
    configure build-fuzz --buildtype=debugoptimized \
        -Dwerror=true -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
    targets="csv adjlist kg model api"
    # shellcheck disable=SC2046  # one target per word
    ninja -C build-fuzz $(for t in $targets; do echo "tests/fuzz/fuzz_$t"; done)
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    for t in $targets; do
        case $t in
        model) max_len=4096 ;;
        api) max_len=128 ;;
        *) max_len=512 ;;
        esac
        # A scratch copy: what the fuzzer adds does not land in the tree.
        work=build-fuzz/fuzz-corpus/$t
        rm -rf "$work"
        mkdir -p "$work"
        cp "tests/fuzz/corpus/$t"/* "$work"/
        echo "fuzz: $t for ${FUZZ_SECONDS:-20} s" >&2
        "build-fuzz/tests/fuzz/fuzz_$t" -max_total_time="${FUZZ_SECONDS:-20}" \
            -max_len=$max_len -print_final_stats=1 \
            -artifact_prefix="build-fuzz/fuzz-$t-" "$work"
        # Every input kept, once more from a fresh process.
        "build-fuzz/tests/fuzz/fuzz_$t" -runs=0 "$work"
    done
    ;;
abi)
    install_missing
    configure build-abi --buildtype=debug -Dtests=false
    meson compile -C build-abi lib/rec:shared_library
    tools/abi-check.sh build-abi
    ;;
*)
    echo "usage: tools/setup.sh demo|test|sanitize|tsan|fuzz|abi|build|deps" >&2
    exit 2
    ;;
esac
