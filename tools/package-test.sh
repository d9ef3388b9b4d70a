#!/bin/sh
# Builds the Debian packages (librec0, librec-dev, librec-tools) with
# dpkg-buildpackage from a copy of the source tree, installs them with
# apt-get, builds and runs a C program against the installed library with
# nothing but `pkg-config --cflags --libs librec`, runs the installed rec,
# then purges the packages again.
#
# Run as root on Debian 12 with tools/debian-packages.txt installed (.ci/run
# calls it after the test suites). It writes nothing into the source tree:
# the copy, the build and the .deb files live in a temporary directory,
# removed at the end.
set -eu
cd "$(dirname "$0")/.."
src=$(pwd)
start=$(date +%s)
packages="librec0 librec-dev librec-tools"

say() {
    echo "package-test: $*"
}
fail() {
    echo "package-test: $*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || fail "run as root: it installs and purges packages"
for p in $packages; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        fail "$p is installed already; remove it first (this test purges what it installs)"
    fi
done

# The package version is the project's version.
version=$(dpkg-parsechangelog -S Version)
project=$(meson introspect --projectinfo meson.build |
          python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
[ "$version" = "$project" ] ||
    fail "debian/changelog is at $version, meson.build at $project"

# debian/librec0.symbols lists exactly the symbols of lib/librec.map, each
# with its version node (and each node itself, as dpkg-gensymbols does).
# The package build checks it against the built library (dh_makeshlibs -c4).
work=$(mktemp -d)
installed=0
cleanup() {
    if [ "$installed" = 1 ]; then
        # shellcheck disable=SC2086  # one package per word
        apt-get purge -y -q $packages >/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

awk '
    /^[ \t]*\/\*/, /\*\// { next }               # comments
    /^[A-Za-z_][A-Za-z0-9_.]*[ \t]*\{/ {
        node = $0; sub(/[ \t]*\{.*/, "", node); print node "@" node; next
    }
    /^[ \t]*(global|local):/ { global = ($1 == "global:"); next }
    /^[ \t]*\}/ { node = ""; next }
    node != "" && global && /^[ \t]*[A-Za-z_][A-Za-z0-9_]*;/ {
        sub(/^[ \t]*/, ""); sub(/;.*/, ""); print $0 "@" node
    }' lib/librec.map | LC_ALL=C sort > "$work/map"
sed -n 's/^ \([^ ]*\) .*/\1/p' debian/librec0.symbols | LC_ALL=C sort > "$work/symbols"
if ! LC_ALL=C diff -u "$work/map" "$work/symbols" > "$work/symbols.diff"; then
    cat "$work/symbols.diff" >&2
    fail "debian/librec0.symbols does not match lib/librec.map (- map, + symbols)"
fi
say "debian/librec0.symbols: the $(wc -l < "$work/map") symbols of lib/librec.map"

# Build from a copy, so that dpkg-buildpackage's ../*.deb and debhelper's
# files land in the temporary directory. In a git checkout the copy is the
# tracked files (the fuzz corpus holds model files that .gitignore otherwise
# ignores); elsewhere build directories and what .gitignore lists stay
# behind.
tree="$work/librec-$version"
mkdir "$tree"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$src" ls-files -z | tar -C "$src" --null -T - -cf - | tar -C "$tree" -xf -
else
    tar -C "$src" --exclude=./.git --exclude='./build*' --exclude='./obj-*' \
        --exclude='*.rec' --exclude='*.tmp-*' --exclude=__pycache__ -cf - . |
        tar -C "$tree" -xf -
fi
t0=$(date +%s)
if ! (cd "$tree" && dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1; then
    tail -n 60 "$work/build.log" >&2
    fail "dpkg-buildpackage failed"
fi
say "built $(cd "$work" && echo ./*.deb) in $(( $(date +%s) - t0 )) s"

# What each package holds.
holds() {
    dpkg-deb -c "$work/$1_${version}_$(dpkg --print-architecture).deb" |
        awk '{ print $6 }' | grep -qx "\./$2" || fail "$1 does not hold /$2"
}
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
holds librec0 "usr/lib/$multiarch/librec.so.$version"
holds librec0 "usr/lib/$multiarch/librec.so.0"
holds librec-dev "usr/lib/$multiarch/librec.so"
holds librec-dev "usr/lib/$multiarch/pkgconfig/librec.pc"
holds librec-dev "usr/include/librec/librec.h"
holds librec-tools "usr/bin/rec"
holds librec-tools "usr/share/man/man1/rec.1.gz"

export DEBIAN_FRONTEND=noninteractive
installed=1
apt-get install -y -q --no-install-recommends \
    "$work/librec0_${version}_"*.deb "$work/librec-dev_${version}_"*.deb \
    "$work/librec-tools_${version}_"*.deb > "$work/install.log" 2>&1 ||
    { cat "$work/install.log" >&2; fail "apt-get install failed"; }
say "installed $packages"

# A program of a user's own, built outside the source tree with nothing but
# pkg-config, run without LD_LIBRARY_PATH.
cd "$work"
cat > consumer.c <<'EOF'
#include <stdio.h>
#include <string.h>

#include <librec/librec.h>

#define CHECK(call)                                                           \
    do {                                                                      \
        int rc_ = (call);                                                     \
        if (rc_ != REC_OK) {                                                  \
            fprintf(stderr, "%s: %s\n", #call, rec_last_error());             \
            return 1;                                                         \
        }                                                                     \
    } while (0)

int main(void)
{
    /* The header and the library come from the same release. */
    if (strcmp(rec_version_string(), REC_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s, library %s\n", REC_VERSION_STRING,
                rec_version_string());
        return 1;
    }
    static const char *const users[] = { "u0", "u1", "u1", "u2", "u2", "u2",
                                         "u3", "u3" };
    static const char *const items[] = { "a", "a", "b", "a", "b", "c", "b", "d" };
    rec_dataset *ds = NULL;
    CHECK(rec_dataset_from_arrays(&ds, 8, users, items, NULL, NULL, NULL, NULL));

    /* Popularity: u0 has seen a, so b (three users) comes first. */
    rec_train_options *opts = NULL;
    CHECK(rec_train_options_new(&opts, "pop"));
    rec_model *pop = NULL;
    CHECK(rec_model_train(&pop, ds, opts));
    const char *top[3];
    float scores[3];
    size_t n = 0;
    CHECK(rec_model_recommend_ext(pop, "u0", 3, NULL, top, scores, &n));
    if (n != 3 || strcmp(top[0], "b") != 0) {
        fprintf(stderr, "pop recommends %zu items, first %s\n", n, n ? top[0] : "-");
        return 1;
    }
    rec_train_options_free(opts);

    /* Matrix factorization, through BLIS and the thread pool. */
    CHECK(rec_train_options_new(&opts, "mf"));
    CHECK(rec_train_options_set(opts, "epochs", "5"));
    CHECK(rec_train_options_set(opts, "threads", "2"));
    rec_model *mf = NULL;
    CHECK(rec_model_train(&mf, ds, opts));
    CHECK(rec_model_recommend_ext(mf, "u3", 2, NULL, top, scores, &n));
    printf("librec %s: pop and mf trained, %zu items recommended\n",
           rec_version_string(), n);
    rec_model_free(mf);
    rec_model_free(pop);
    rec_train_options_free(opts);
    rec_dataset_free(ds);
    return 0;
}
EOF
[ "$(pkg-config --modversion librec)" = "$version" ] ||
    fail "pkg-config finds librec $(pkg-config --modversion librec), not $version"
# shellcheck disable=SC2046  # pkg-config prints a list of flags
cc -std=c11 -Wall -Wextra -Werror -o consumer consumer.c $(pkg-config --cflags --libs librec)
./consumer

# The installed rec, its man page, the whole cycle of rec demo, and how the
# packaged library was built.
[ "$(command -v rec)" = /usr/bin/rec ] || fail "rec is not /usr/bin/rec"
rec --help > help.txt
grep -q '^usage: rec COMMAND' help.txt || fail "unexpected rec --help: $(cat help.txt)"
[ "$(rec --version)" = "rec (librec) $version" ] || fail "rec --version: $(rec --version)"
zcat /usr/share/man/man1/rec.1.gz | grep -q '^\.TH REC 1' || fail "rec.1.gz is not the man page"
rec demo > demo.txt || { cat demo.txt >&2; fail "rec demo failed"; }
grep -q 'identical rankings' demo.txt || fail "rec demo: $(cat demo.txt)"
rec info --build | sed 's/^/  /'
say "the installed rec runs (--help, --version, demo, info --build)"

# shellcheck disable=SC2086  # one package per word
apt-get purge -y -q $packages > "$work/purge.log" 2>&1 ||
    { cat "$work/purge.log" >&2; fail "apt-get purge failed"; }
installed=0
for p in $packages; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case $status in
    "" | *not-installed) ;;
    *) fail "$p is still there after the purge ($status)" ;;
    esac
done
for f in /usr/bin/rec "/usr/lib/$multiarch/librec.so.0" /usr/include/librec; do
    [ ! -e "$f" ] || fail "$f is left after the purge"
done
say "purged; passed in $(( $(date +%s) - start )) s"
