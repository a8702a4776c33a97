// include/athanor/config/config.h: the run-file layer: RunConfig (load_run_file, to_toml) and the
// builders that turn it into datasets, a model, a loss, an optimizer, a schedule and callbacks.
#pragma once

#include <athanor/config/builders.h>
#include <athanor/config/run_config.h>
