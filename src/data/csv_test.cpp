// src/data/csv_test.cpp: the CSV readers on scikit-learn's bundled files and on malformed input.
#include <gtest/gtest.h>
#include <zlib.h>

#include <athanor/data/csv.h>

#include "data/temp_dir_test_util.h"
#include "testing/expect_error.h"

namespace athanor::data {
namespace {

using testing::TempDir;

const std::string kSklearnDir = "/usr/lib/python3/dist-packages/sklearn/datasets/data/";

std::vector<int64_t> label_counts(const Tensor& labels, int64_t classes) {
  std::vector<int64_t> counts(static_cast<size_t>(classes), 0);
  for (int64_t id : labels.to_vector<int64_t>()) ++counts.at(static_cast<size_t>(id));
  return counts;
}

std::vector<float> row(const Tensor& features, int64_t i) {
  return features.select(0, i).to_vector<float>();
}

TEST(SklearnCsv, ReadsIris) {
  const CsvData iris = sklearn_csv(kSklearnDir + "iris.csv");
  EXPECT_EQ(iris.features.shape(), Shape({150, 4}));
  EXPECT_EQ(iris.features.dtype(), kFloat32);
  EXPECT_EQ(iris.labels.shape(), Shape({150}));
  EXPECT_EQ(iris.labels.dtype(), kInt64);
  EXPECT_EQ(row(iris.features, 0), (std::vector<float>{5.1f, 3.5f, 1.4f, 0.2f}));
  EXPECT_EQ(row(iris.features, 149), (std::vector<float>{5.9f, 3.0f, 5.1f, 1.8f}));
  EXPECT_EQ(iris.class_names, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(label_counts(iris.labels, 3), (std::vector<int64_t>{50, 50, 50}));
  EXPECT_EQ(iris.labels.select(0, 0).item<int64_t>(), 0);
  EXPECT_EQ(iris.labels.select(0, 149).item<int64_t>(), 2);
  EXPECT_EQ(iris.feature_names.size(), 4u);
  EXPECT_EQ(iris.dataset().size(), 150);
}

TEST(SklearnCsv, ReadsBreastCancer) {
  const CsvData data = sklearn_csv(kSklearnDir + "breast_cancer.csv");
  EXPECT_EQ(data.features.shape(), Shape({569, 30}));
  const std::vector<float> first = row(data.features, 0);
  EXPECT_EQ(first[0], 17.99f);
  EXPECT_EQ(first[3], 1001.0f);
  EXPECT_EQ(first[29], 0.1189f);
  const std::vector<float> last = row(data.features, 568);
  EXPECT_EQ(last[0], 7.76f);
  EXPECT_EQ(last[29], 0.07039f);
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"malignant", "benign"}));
  EXPECT_EQ(label_counts(data.labels, 2), (std::vector<int64_t>{212, 357}));
}

TEST(SklearnCsv, ReadsWine) {
  const CsvData data = sklearn_csv(kSklearnDir + "wine_data.csv");
  EXPECT_EQ(data.features.shape(), Shape({178, 13}));
  EXPECT_EQ(row(data.features, 0)[0], 14.23f);
  EXPECT_EQ(row(data.features, 177)[12], 560.0f);
  EXPECT_EQ(label_counts(data.labels, 3), (std::vector<int64_t>{59, 71, 48}));
  EXPECT_EQ(data.class_names.back(), "class_2");
}

TEST(ReadCsv, ReadsGzippedDigitsWithoutHeader) {
  const CsvData digits =
      read_csv(kSklearnDir + "digits.csv.gz", {.header = false, .label_column = -1});
  EXPECT_EQ(digits.features.shape(), Shape({1797, 64}));
  EXPECT_EQ(row(digits.features, 0)[2], 5.0f);
  EXPECT_EQ(row(digits.features, 1796)[61], 12.0f);
  // Integer labels sort numerically, so each digit's id is its value.
  EXPECT_EQ(digits.class_names,
            (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
  EXPECT_EQ(label_counts(digits.labels, 10),
            (std::vector<int64_t>{178, 182, 177, 183, 181, 182, 181, 179, 174, 180}));
  EXPECT_EQ(digits.feature_names.front(), "column_1");
  EXPECT_EQ(digits.label_name, "column_65");
}

TEST(ReadCsv, MapsStringLabelsByNameToSortedIds) {
  TempDir dir;
  const std::string path = dir.write("flowers.csv",
                                     "length, width ,species\n"
                                     "1.5,2,virginica\r\n"
                                     "\n"
                                     " +3 ,-4e-1,setosa\n"
                                     "\"5\",6,\"versi,\"\"color\"\"\"\n"
                                     "7,8,setosa\n");
  const CsvData data = read_csv(path, {.label_column = "species"});
  EXPECT_EQ(data.features.to_vector<float>(), (std::vector<float>{1.5f, 2, 3, -0.4f, 5, 6, 7, 8}));
  EXPECT_EQ(data.feature_names, (std::vector<std::string>{"length", "width"}));
  EXPECT_EQ(data.label_name, "species");
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"setosa", "versi,\"color\"", "virginica"}));
  EXPECT_EQ(data.labels.to_vector<int64_t>(), (std::vector<int64_t>{2, 0, 1, 0}));
}

TEST(ReadCsv, LabelColumnByIndexNoneAndRegression) {
  TempDir dir;
  const std::string path = dir.write("r.csv", "y;a;b\n10;1;2\n2;3;4\n1;5;6\n");
  const CsvData by_index = read_csv(path, {.delimiter = ';', .label_column = 0});
  EXPECT_EQ(by_index.class_names, (std::vector<std::string>{"1", "2", "10"}));
  EXPECT_EQ(by_index.labels.to_vector<int64_t>(), (std::vector<int64_t>{2, 1, 0}));
  EXPECT_EQ(by_index.features.to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));

  const CsvData unlabelled = read_csv(path, {.delimiter = ';'});
  EXPECT_EQ(unlabelled.features.shape(), Shape({3, 3}));
  EXPECT_FALSE(unlabelled.labels.defined());
  EXPECT_TRUE(unlabelled.class_names.empty());

  const CsvData regression =
      read_csv(path, {.delimiter = ';', .label_column = "y", .label_type = LabelType::kRegression});
  EXPECT_EQ(regression.labels.shape(), Shape({3, 1}));
  EXPECT_EQ(regression.labels.dtype(), kFloat32);
  EXPECT_EQ(regression.labels.to_vector<float>(), (std::vector<float>{10, 2, 1}));
  EXPECT_TRUE(regression.class_names.empty());
}

TEST(ReadCsv, ReusesAGivenClassMapping) {
  TempDir dir;
  const std::string path = dir.write("test.csv", "x,label\n1,dog\n2,cat\n");
  const CsvData data = read_csv(path, {.label_column = 1, .classes = {"dog", "bird", "cat"}});
  EXPECT_EQ(data.labels.to_vector<int64_t>(), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"dog", "bird", "cat"}));
  EXPECT_THROW_WITH_MESSAGE(read_csv(path, {.label_column = 1, .classes = {"dog", "bird"}}),
                            path +
                                ":3: column 2 'label': label 'cat' is not one of the 2 "
                                "classes (dog, bird)");
}

TEST(ReadCsv, SkipsRowsWithMissingValuesOnlyWhenAsked) {
  TempDir dir;
  const std::string path = dir.write("m.csv", "a,b,c\n1,2,0\n3,,1\n4,NA,0\n5,6,?\n7,8,1\n");
  const CsvData data = read_csv(path, {.label_column = "c", .skip_missing = true});
  EXPECT_EQ(data.skipped_rows, 3);
  EXPECT_EQ(data.features.to_vector<float>(), (std::vector<float>{1, 2, 7, 8}));
  EXPECT_EQ(data.labels.to_vector<int64_t>(), (std::vector<int64_t>{0, 1}));
  EXPECT_THROW_WITH_MESSAGE(read_csv(path, {.label_column = "c"}),
                            path +
                                ":3: column 2 'b': missing value ''; expected a number (set "
                                "skip_missing to drop rows with missing values)");
  const std::string all_missing = dir.write("all.csv", "a,b\n1,\n");
  EXPECT_THROW_WITH_MESSAGE(
      read_csv(all_missing, {.skip_missing = true}),
      "read_csv: '" + all_missing + "' has no rows left after skipping 1 with missing values");
}

TEST(ReadCsv, RejectsNonNumericValueNamingLineColumnAndHeader) {
  TempDir dir;
  const std::string path =
      dir.write("breast_cancer.csv",
                "mean radius,mean texture,mean perimeter,mean area\n1,2,3,4\n5,6,7,abc\n");
  EXPECT_THROW_WITH_MESSAGE(read_csv(path),
                            path + ":3: column 4 'mean area': expected a number, got 'abc'");
  const std::string partial = dir.write("p.csv", "a\n1.5x\n");
  EXPECT_THROW_WITH_MESSAGE(read_csv(partial),
                            partial + ":2: column 1 'a': expected a number, got '1.5x'");
  const std::string no_header = dir.write("n.csv", "1,2\n3,x\n");
  EXPECT_THROW_WITH_MESSAGE(read_csv(no_header, {.header = false}),
                            no_header + ":2: column 2: expected a number, got 'x'");
}

TEST(ReadCsv, RejectsRowsWithTooFewOrTooManyColumns) {
  TempDir dir;
  const std::string few = dir.write("few.csv", "a,b,c\n1,2,3\n4,5\n");
  EXPECT_THROW_WITH_MESSAGE(read_csv(few),
                            few + ":3: expected 3 columns (as in the header), got 2");
  const std::string many = dir.write("many.csv", "1,2\n3,4\n\n5,6,7\n");
  EXPECT_THROW_WITH_MESSAGE(read_csv(many, {.header = false}),
                            many + ":4: expected 2 columns (as in the first row), got 3");
}

TEST(ReadCsv, RejectsEmptyAndHeaderOnlyFiles) {
  TempDir dir;
  const std::string empty_file = dir.write("empty.csv", "");
  EXPECT_THROW_WITH_MESSAGE(read_csv(empty_file), "read_csv: '" + empty_file +
                                                      "' is empty; expected a header line and "
                                                      "rows of numbers");
  const std::string blank = dir.write("blank.csv", "\n  \n");
  EXPECT_THROW_WITH_MESSAGE(read_csv(blank, {.header = false}),
                            "read_csv: '" + blank + "' is empty; expected rows of numbers");
  const std::string header_only = dir.write("header.csv", "a,b,label\n\n \n");
  EXPECT_THROW_WITH_MESSAGE(read_csv(header_only, {.label_column = "label"}),
                            "read_csv: '" + header_only +
                                "' has a header but no data rows; expected rows of numbers "
                                "after line 1");
}

TEST(ReadCsv, RejectsBadLabelColumnsAndQuoting) {
  TempDir dir;
  const std::string path = dir.write("x.csv", "a,b\n1,2\n");
  EXPECT_THROW_WITH_MESSAGE(read_csv(path, {.label_column = "c"}),
                            "read_csv: '" + path + "': no column named 'c'; the header has a, b");
  EXPECT_THROW_WITH_MESSAGE(
      read_csv(path, {.label_column = 2}),
      "read_csv: '" + path + "': label_column 2 is out of range for 2 columns; expected -2 to 1");
  EXPECT_THROW_WITH_MESSAGE(read_csv(path, {.header = false, .label_column = "a"}),
                            "label_column 'a' is a name but the file has no header");
  const std::string quote = dir.write("q.csv", "a,b\n1,\"2\n");
  EXPECT_THROW_WITH_MESSAGE(read_csv(quote), quote + ":2: column 2: unterminated quoted field");
  EXPECT_THROW_WITH_MESSAGE(
      read_csv(dir.path("absent.csv")),
      "read_csv: cannot open '" + dir.path("absent.csv") + "': No such file or directory");
}

TEST(ReadCsv, ReadsGzippedFileWrittenByZlib) {
  TempDir dir;
  const std::string path = dir.path("small.csv.gz");
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  const std::string text = "a,b\n1,2\n3,4\n";
  gzwrite(file, text.data(), static_cast<unsigned>(text.size()));
  gzclose(file);
  EXPECT_EQ(read_csv(path).features.to_vector<float>(), (std::vector<float>{1, 2, 3, 4}));
}

TEST(SklearnCsv, RejectsClassIndexOutOfRange) {
  TempDir dir;
  const std::string path = dir.write("iris.csv", "3,2,setosa,versicolor\n1,2,0\n3,4,1\n5,6,2\n");
  EXPECT_THROW_WITH_MESSAGE(sklearn_csv(path),
                            path +
                                ":4: column 3: class index 2 is out of range; expected 0 to 1 "
                                "(2 classes: setosa, versicolor)");
  const std::string text_label = dir.write("t.csv", "1,1,a\n1,a\n");
  EXPECT_THROW_WITH_MESSAGE(sklearn_csv(text_label),
                            text_label + ":2: column 2: expected a class index, got 'a'");
}

TEST(SklearnCsv, RejectsCountsThatDisagreeWithTheFirstLine) {
  TempDir dir;
  const std::string rows = dir.write("rows.csv", "3,2,a,b\n1,2,0\n3,4,1\n");
  EXPECT_THROW_WITH_MESSAGE(sklearn_csv(rows), "sklearn_csv: '" + rows +
                                                   "' declares 3 rows in its first line but "
                                                   "holds 2");
  const std::string cols = dir.write("cols.csv", "2,3,a,b\n1,2,0\n3,4,1\n");
  EXPECT_THROW_WITH_MESSAGE(sklearn_csv(cols),
                            cols +
                                ":2: expected 4 columns (3 features and the class index, as "
                                "line 1 declares), got 3");
  const std::string meta = dir.write("meta.csv", "n,2,a\n1,2,0\n");
  EXPECT_THROW_WITH_MESSAGE(sklearn_csv(meta), "sklearn_csv: " + meta +
                                                   ":1: expected \"n_rows,n_features,class "
                                                   "names...\" with positive counts and at "
                                                   "least one class name, got 'n,2,a'");
  const std::string header_only = dir.write("h.csv", "5,2,a,b\n");
  EXPECT_THROW_WITH_MESSAGE(
      sklearn_csv(header_only),
      "sklearn_csv: '" + header_only + "' has its first line but no data rows; expected 5 rows");
  const std::string empty_file = dir.write("e.csv", "");
  EXPECT_THROW_WITH_MESSAGE(sklearn_csv(empty_file), "sklearn_csv: '" + empty_file + "' is empty");
}

}  // namespace
}  // namespace athanor::data
