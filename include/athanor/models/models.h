// include/athanor/models/models.h: the classic models with scikit-learn-like fit / predict / score
// (LinearRegression, Ridge via its l2 option, LogisticRegression).
#pragma once

#include <athanor/models/linear_regression.h>
#include <athanor/models/logistic_regression.h>
