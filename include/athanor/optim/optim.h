// include/athanor/optim/optim.h: the whole optim layer: optimizers, learning-rate schedules and
// gradient clipping.
#pragma once

#include <athanor/optim/adagrad.h>
#include <athanor/optim/adam.h>
#include <athanor/optim/clip.h>
#include <athanor/optim/lion.h>
#include <athanor/optim/lr_scheduler.h>
#include <athanor/optim/nadam.h>
#include <athanor/optim/one_cycle_lr.h>
#include <athanor/optim/optimizer.h>
#include <athanor/optim/radam.h>
#include <athanor/optim/reduce_lr_on_plateau.h>
#include <athanor/optim/rmsprop.h>
#include <athanor/optim/sequential_lr.h>
#include <athanor/optim/sgd.h>
