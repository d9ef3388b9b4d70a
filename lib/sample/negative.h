/* Uniform negative sampling: an item drawn uniformly from those the user has
 * no interaction with. A sampled positive is never returned (rejecting them
 * matters: benfred/implicit PR #103 doubled P@10 on ML-100K by doing so). */
#ifndef REC_SAMPLE_NEGATIVE_H
#define REC_SAMPLE_NEGATIVE_H

#include <stdint.h>

#include "core/rng.h"
#include "data/dataset.h"


/* A uniform non-positive item for user u, or REC_NO_ITEM if u has every
 * item: the uniform draw of sample/complement.h over u's row. Sparse users
 * (most of them) cost one or two draws and a binary search; users holding
 * more than half of the catalogue are mapped directly onto the complement
 * of their row, so the cost stays bounded. */
uint32_t rec_sample_negative(const rec_dataset *ds, uint32_t u, rec_rng *r);

#endif
