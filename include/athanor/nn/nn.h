// include/athanor/nn/nn.h: the whole nn layer: modules, layers, containers, losses, init.
#pragma once

#include <athanor/nn/activation.h>
#include <athanor/nn/containers.h>
#include <athanor/nn/conv.h>
#include <athanor/nn/dropout.h>
#include <athanor/nn/embedding.h>
#include <athanor/nn/flatten.h>
#include <athanor/nn/functional.h>
#include <athanor/nn/init.h>
#include <athanor/nn/linear.h>
#include <athanor/nn/loss.h>
#include <athanor/nn/module.h>
#include <athanor/nn/normalization.h>
#include <athanor/nn/pooling.h>
#include <athanor/nn/regularization.h>
#include <athanor/nn/rnn.h>
#include <athanor/nn/size2.h>
