// include/athanor/train/train.h: the whole train layer: Trainer, History, callbacks, checkpoints.
#pragma once

#include <athanor/train/callback.h>
#include <athanor/train/checkpoint.h>
#include <athanor/train/csv_logger.h>
#include <athanor/train/early_stopping.h>
#include <athanor/train/logs.h>
#include <athanor/train/lr_callbacks.h>
#include <athanor/train/model_checkpoint.h>
#include <athanor/train/monitor.h>
#include <athanor/train/progress_bar.h>
#include <athanor/train/report.h>
#include <athanor/train/tensorboard.h>
#include <athanor/train/terminate_on_nan.h>
#include <athanor/train/trainer.h>
