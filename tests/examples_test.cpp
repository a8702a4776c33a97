// tests/examples_test.cpp: the example programs run and reach what their headers promise.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "run_command.h"

namespace athanor::testing {

double number_after(const std::string& text, const std::string& label) {
  const size_t at = text.find(label);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no '" << label << "' in:\n" << text;
    return std::nan("");
  }
  return std::stod(text.substr(at + label.size()));
}

namespace {

TEST(Examples, LinearRegressionFitsTheLeastSquaresSlope) {
  const CommandResult r = run_command(ATHANOR_EXAMPLE_LINEAR_REGRESSION);
  ASSERT_EQ(r.status, 0) << r.output;
  const double fitted = number_after(r.output, "fitted slope ");
  EXPECT_NEAR(fitted, number_after(r.output, "least-squares slope "), 0.05);
  EXPECT_NEAR(fitted, 3.0, 0.1);  // the data's true slope
}

TEST(Examples, LogisticRegressionClassifiesBreastCancerAbove95Percent) {
  const CommandResult r = run_command(ATHANOR_EXAMPLE_LOGISTIC_REGRESSION);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_GE(number_after(r.output, "test accuracy "), 0.95) << r.output;
  EXPECT_LT(number_after(r.output, "step 300  loss "), number_after(r.output, "step   0  loss "));
}

TEST(Examples, LogisticRegressionReportsAMissingFile) {
  const CommandResult r =
      run_command(std::string(ATHANOR_EXAMPLE_LOGISTIC_REGRESSION) + " /no/such.csv 2>&1");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.output.find("error: cannot open '/no/such.csv'"), 0u) << r.output;
}

TEST(Examples, FashionMnistMlpLearnsInOneEpoch) {
  const CommandResult r = run_command(std::string(ATHANOR_EXAMPLE_FASHION_MNIST) + " 1 2>&1");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_GE(number_after(r.output, "test accuracy "), 0.82) << r.output;
}

}  // namespace
}  // namespace athanor::testing
