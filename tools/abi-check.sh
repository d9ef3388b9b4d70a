#!/bin/sh
# Compares the ABI of a build's librec.so with the recorded baseline,
# abi/librec.abi (docs/abi.md):
#
#   tools/abi-check.sh BUILD_DIR            fail on any change but additions
#   tools/abi-check.sh --update BUILD_DIR   record BUILD_DIR's ABI as the baseline
#
# BUILD_DIR needs debug information (--buildtype=debug or debugoptimized):
# abidw (Debian package abigail-tools) reads the types from DWARF. Only the
# public header counts: types defined elsewhere are dropped, and so are
# symbols that librec.so does not export.
#
# abidiff's exit status is a bit field: 1 tool error, 2 usage error, 4 the
# ABI changed, 8 the change is incompatible (a function or variable went
# away). The comparison leaves added functions and variables out
# (--no-added-syms), so bit 4 means a changed function or type: appended
# fields change a struct's size and fail too, until the baseline is updated
# on purpose (docs/abi.md). Any bit set fails the check; additions pass and
# are listed for the next --update.
set -eu

cd "$(dirname "$0")/.."
baseline=abi/librec.abi
update=0
if [ "${1:-}" = "--update" ]; then
    update=1
    shift
fi
if [ $# -ne 1 ]; then
    echo "usage: tools/abi-check.sh [--update] BUILD_DIR" >&2
    exit 2
fi
lib=$1/lib/librec.so
if [ ! -e "$lib" ]; then
    echo "abi-check: no $lib; build it first (meson compile -C $1 lib/rec:shared_library)" >&2
    exit 2
fi
if ! readelf -S --wide "$lib" | grep -q '\.debug_info'; then
    echo "abi-check: $lib has no debug information; set up $1 with --buildtype=debug" >&2
    exit 2
fi

current=$(mktemp)
trap 'rm -f "$current"' EXIT
# No paths, line numbers or DT_NEEDED entries: the file depends on the
# public ABI only, not on where or how the library was built.
abidw --headers-dir include/librec --drop-private-types --exported-interfaces-only \
    --no-corpus-path --no-comp-dir-path --no-show-locs --no-elf-needed \
    --drop-undefined-syms --out-file "$current" "$lib"

if [ "$update" -eq 1 ]; then
    mkdir -p "$(dirname "$baseline")"
    cp "$current" "$baseline"
    echo "abi-check: recorded $(grep -c '<elf-symbol ' "$baseline") exported symbols in $baseline"
    exit 0
fi

status=0
report=$(abidiff --no-added-syms "$baseline" "$current") || status=$?
if [ "$status" -ne 0 ]; then
    echo "$report"
    [ $((status & 3)) -ne 0 ] && echo "abi-check: abidiff failed (status $status)" >&2
    [ $((status & 8)) -ne 0 ] && echo "abi-check: incompatible change: functions or variables removed" >&2
    [ $((status & 4)) -ne 0 ] && echo "abi-check: functions or public types changed" >&2
    echo "abi-check: an incompatible change needs a SONAME bump; a deliberate compatible one" >&2
    echo "abi-check: (appended fields of a versioned struct) updates the baseline in the same" >&2
    echo "abi-check: commit: tools/abi-check.sh --update BUILD_DIR (docs/abi.md)" >&2
    exit 1
fi
added=$(abidiff --added-fns --added-vars "$baseline" "$current" |
        grep -E "^  \[A\] " || true)
if [ -n "$added" ]; then
    echo "abi-check: compatible; added since the baseline (record with --update):"
    echo "$added"
else
    echo "abi-check: the ABI matches $baseline"
fi
