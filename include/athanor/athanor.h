// include/athanor/athanor.h: the whole public API.
#pragma once

#include <athanor/autograd/grad_mode.h>
#include <athanor/autograd/node.h>
#include <athanor/core/device.h>
#include <athanor/core/dtype.h>
#include <athanor/core/error.h>
#include <athanor/core/parallel.h>
#include <athanor/core/random.h>
#include <athanor/core/shape.h>
#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/index.h>
#include <athanor/ops/join.h>
#include <athanor/ops/linalg.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>
#include <athanor/ops/unary.h>
#include <athanor/tensor/tensor.h>
#include <athanor/version.h>
