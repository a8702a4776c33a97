// src/tensor/tensor_dict_test.cpp: TensorDict keeps insertion order and reports missing names.
#include <gtest/gtest.h>

#include <athanor/tensor/tensor_dict.h>

#include "testing/expect_error.h"

namespace athanor {
namespace {

TEST(TensorDict, KeepsInsertionOrderAndReplacesInPlace) {
  TensorDict d{{"b", Tensor::from({1.0})}, {"a", Tensor::from({2.0})}};
  d.set("c", Tensor::from({3.0}));
  d.set("b", Tensor::from({4.0}));
  EXPECT_EQ(d.keys(), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(d.at("b").item<double>(), 4.0);
  EXPECT_TRUE(d.erase("a"));
  EXPECT_FALSE(d.erase("a"));
  EXPECT_EQ(d.keys(), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(d.at("c").item<double>(), 3.0);
  EXPECT_EQ(d.find("a"), nullptr);
}

TEST(TensorDict, RejectsDuplicatesAndMissingNames) {
  TensorDict d{{"w", Tensor::from({1.0})}};
  EXPECT_THROW_WITH_MESSAGE(d.insert("w", Tensor::from({2.0})), "TensorDict: duplicate name 'w'");
  EXPECT_THROW_WITH_MESSAGE(d.at("bias"), "TensorDict: no tensor named 'bias' (1 entries)");
}

}  // namespace
}  // namespace athanor
