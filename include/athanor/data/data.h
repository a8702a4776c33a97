// include/athanor/data/data.h: the whole data layer: datasets, loaders, samplers, readers,
// transforms, splits.
#pragma once

#include <athanor/data/csv.h>
#include <athanor/data/dataset.h>
#include <athanor/data/fashion_mnist.h>
#include <athanor/data/idx.h>
#include <athanor/data/image_folder.h>
#include <athanor/data/loader.h>
#include <athanor/data/sampler.h>
#include <athanor/data/split.h>
#include <athanor/data/transforms.h>
