// include/athanor/metrics/metrics.h: the whole metrics layer: Metric, MetricList, and the
// classification, ROC AUC and regression metrics.
#pragma once

#include <athanor/metrics/auc.h>
#include <athanor/metrics/classification.h>
#include <athanor/metrics/metric.h>
#include <athanor/metrics/regression.h>
