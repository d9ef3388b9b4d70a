#!/bin/sh
# The objectives table of docs/performance.md: MF with each sampler and each
# loss, then CML, Rel-MF and NBPO with their defaults, on a train/test split
# in the NGCF/LightGCN format. One bench_train run per row; prints a
# Markdown table of Recall@20, NDCG@20, the same on long-tail items, and
# training seconds.
#
#   bench/objectives.sh BENCH_TRAIN DATA_DIR [THREADS]
set -eu
bench=$1
data=$2
threads=${3:-2}

row() {
    label=$1
    shift
    out=$("$bench" "$@" 2>&1) || { echo "| $label | failed: $(echo "$out" | tail -1) |"; return; }
    echo "$out" | awk -v label="$label" '
        /^train:/ { secs = $2 }
        /^eval:/  { for (i = 1; i <= NF; i++) { if ($i == "recall@20") r = $(i + 1);
                                                 if ($i == "ndcg@20") n = $(i + 1) } }
        /^tail:/  { tr = $3; tn = $5 }
        END { printf "| %s | %s | %s | %s | %s | %s |\n", label, r, n, tr, tn, secs }'
}

echo "| model | Recall@20 | NDCG@20 | tail Recall@20 | tail NDCG@20 | training s |"
echo "|---|---|---|---|---|---|"
row "MF, BPR, uniform (defaults, 400 epochs)" mf "$data" "$threads"
mf="epochs=200"
row "MF, BPR, uniform" mf "$data" "$threads" $mf
row "MF, BPR, pop (alpha 0.5)" mf "$data" "$threads" $mf sampler=pop alpha=0.5
row "MF, BPR, dns (10 candidates)" mf "$data" "$threads" $mf sampler=dns
row "MF, BPR, in-batch" mf "$data" "$threads" $mf sampler=inbatch
row "MF, BCE, uniform, 4 negatives" mf "$data" "$threads" $mf loss=bce negatives=4
row "MF, softmax (t 0.5), uniform, 4 negatives" mf "$data" "$threads" $mf loss=softmax temperature=0.5 negatives=4
row "MF, hinge (margin 1), uniform, 4 negatives" mf "$data" "$threads" $mf loss=hinge negatives=4
row "CML (defaults)" cml "$data" "$threads"
row "Rel-MF (defaults)" relmf "$data" "$threads"
row "NBPO (defaults)" nbpo "$data" "$threads"
row "NBPO, learned flip rates (flip_dim 8)" nbpo "$data" "$threads" flip_dim=8
