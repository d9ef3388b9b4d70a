#!/bin/sh
# The knowledge-graph table of docs/performance.md: popularity, MF-BPR,
# LightGCN and (when the library has the family) KGAT on lastfm-kg and
# ml-100k-kg under the top-K protocol and on lastfm-kg and book-crossing-kg
# under the CTR protocol of the KGCN line (bench/bench_kg.c). Prints the
# Markdown tables of bench_kg and the lines above them.
#
#   bench/kg.sh BENCH_KG [DATA_DIR] [THREADS] [SEED]
#
# DATA_DIR defaults to ../shared/data (relative to the repository).
set -eu
bench=$1
data=${2:-../shared/data}
threads=${3:-2}
seed=${4:-2020}

# Settings for these small datasets (1-18k users, 17-80k positives), chosen
# on the top-K split of lastfm-kg and ml-100k-kg so that a run takes minutes
# on 2 cores: MF's defaults with a little more regularisation; LightGCN with
# mini-batches of 2048 (its default of 65536 is more than a whole epoch
# here, one Adam step per epoch) and a smaller learning rate to match.
mf="epochs=400 reg=0.01"
lightgcn="epochs=300 batch=2048 lr=0.005"
# KGAT: the family's defaults, started from the MF model above (init=mf:
# the reference code's pretraining, docs/models.md).
kgat="init=mf"

models="--model pop --model mf $mf --model lightgcn $lightgcn"
if "$bench" --families | grep -qx kgat; then
    models="$models --model kgat $kgat"
else
    echo "(no kgat family in this librec: KGAT rows left out)"
fi
# shellcheck disable=SC2086 # the model list is split into words on purpose
"$bench" --data "$data" --threads "$threads" --seed "$seed" $models
