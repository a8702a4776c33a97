// bench/data_bench.cpp: loading Fashion-MNIST's 60,000 training images from their gz files into
// a float32 tensor [60000, 1, 28, 28] in [0, 1], against the floor of zlib alone inflating the
// same file (gzread into a preallocated buffer), and the IDX read without the float conversion.
// Threads from ATHANOR_NUM_THREADS (only the byte -> float conversion is parallel).
//
//   ./build/release/bench/bench_data
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <zlib.h>

#include <athanor/core/parallel.h>
#include <athanor/data/fashion_mnist.h>
#include <athanor/data/idx.h>

namespace {

const std::string kImages =
    std::string(athanor::data::kFashionMnistDir) + "/train-images-idx3-ubyte.gz";
const std::string kLabels =
    std::string(athanor::data::kFashionMnistDir) + "/train-labels-idx1-ubyte.gz";

void set_label(benchmark::State& state, int64_t images) {
  state.SetLabel(fmt::format("{} images, threads={}", images, athanor::get_num_threads()));
  state.counters["images/s"] =
      benchmark::Counter(static_cast<double>(images) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

// The whole path a training program takes: gz images + labels -> TensorDataset of floats.
void BM_fashion_mnist_train_to_float(benchmark::State& state) {
  int64_t n = 0;
  for (auto _ : state) {
    athanor::data::TensorDataset train = athanor::data::mnist_split(kImages, kLabels);
    n = train.size();
    benchmark::DoNotOptimize(train.inputs().raw_data());
  }
  set_label(state, n);
}

// read_idx alone: inflate, validate, copy the bytes into a uint8 tensor.
void BM_read_idx_uint8(benchmark::State& state) {
  int64_t n = 0;
  for (auto _ : state) {
    athanor::Tensor images = athanor::data::read_idx(kImages);
    n = images.shape(0);
    benchmark::DoNotOptimize(images.raw_data());
  }
  set_label(state, n);
}

// The floor: zlib's gzread inflating the file into a buffer already the right size.
void BM_zlib_gzread_only(benchmark::State& state) {
  std::vector<unsigned char> buffer(16 + 60000 * 28 * 28);
  for (auto _ : state) {
    gzFile file = gzopen(kImages.c_str(), "rb");
    if (file == nullptr) {
      state.SkipWithError("cannot open the Fashion-MNIST images");
      return;
    }
    gzbuffer(file, 1 << 18);
    const int n = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()));
    gzclose(file);
    if (n != static_cast<int>(buffer.size())) {
      state.SkipWithError("short read");
      return;
    }
    benchmark::DoNotOptimize(buffer.data());
  }
  set_label(state, 60000);
}

}  // namespace

BENCHMARK(BM_fashion_mnist_train_to_float)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_read_idx_uint8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_zlib_gzread_only)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
