// include/athanor/tune/tune.h: hyperparameter search (athanor tune): search spaces, strategies,
// the Tuner, cross-validated scores, [tune] run files and their result folders.
#pragma once

#include <athanor/tune/cross_validate.h>
#include <athanor/tune/results.h>
#include <athanor/tune/search_space.h>
#include <athanor/tune/strategy.h>
#include <athanor/tune/tune_file.h>
#include <athanor/tune/tuner.h>
