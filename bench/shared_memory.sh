#!/bin/sh
# Resident memory of N processes serving one model file, loaded by copying
# and loaded mapped: Rss (what each process has resident, shared pages
# included) and Pss (its proportional share: a shared page counts 1/k in
# each of the k processes that map it), from /proc/PID/smaps_rollup.
#
#   bench/shared_memory.sh BENCH_SHARED MODEL [N]
set -eu
bench=$1
model=$2
n=${3:-4}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

for mode in copied mapped; do
    pids=""
    holders=""
    for k in $(seq "$n"); do
        mkfifo "$dir/in$k"
        "$bench" "$model" "$mode" < "$dir/in$k" > "$dir/out$k" &
        pids="$pids $!"
        # Keeps the pipe open, so the process waits, until it is killed.
        sleep 3600 > "$dir/in$k" &
        holders="$holders $!"
    done
    for k in $(seq "$n"); do
        until grep -q ready "$dir/out$k" 2>/dev/null; do sleep 0.1; done
    done
    rss=0
    pss=0
    for p in $pids; do
        rss=$((rss + $(awk '/^Rss:/ {print $2}' "/proc/$p/smaps_rollup")))
        pss=$((pss + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup")))
    done
    echo "$mode: $n processes, Rss sum $((rss / 1024)) MB, Pss sum $((pss / 1024)) MB" \
         "($((pss / n / 1024)) MB a process); $(sed 's/ready: //' "$dir/out1")"
    # shellcheck disable=SC2086  # lists of pids
    kill $holders
    wait
    rm -f "$dir"/in* "$dir"/out*
done
