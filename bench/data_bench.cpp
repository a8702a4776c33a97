// bench/data_bench.cpp: loading Fashion-MNIST's 60,000 training images from their gz files into
// a float32 tensor [60000, 1, 28, 28] in [0, 1], against the floor of zlib alone inflating the
// same file (gzread into a preallocated buffer), and the IDX read without the float conversion;
// and an epoch of shuffled batches gathered from the images held in memory (the logreg
// benchmark's batch assembly). Threads from ATHANOR_NUM_THREADS.
//
//   ./build/release/bench/bench_data
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <zlib.h>

#include <athanor/core/parallel.h>
#include <athanor/data/fashion_mnist.h>
#include <athanor/data/idx.h>
#include <athanor/ops/index.h>

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

// One epoch of batches of 128 rows of [60000, 784] float32, in a random order.
void BM_shuffled_batches(benchmark::State& state) {
  athanor::Generator gen(1);
  const athanor::Tensor images = athanor::rand({60000, 784}, athanor::kFloat32, &gen);
  const athanor::Tensor order = athanor::randperm(60000, &gen);
  for (auto _ : state) {
    for (int64_t start = 0; start < 60000; start += 128) {
      const athanor::Tensor batch = athanor::index_select(
          images, 0, order.narrow(0, start, std::min<int64_t>(128, 60000 - start)));
      benchmark::DoNotOptimize(batch.raw_data());
    }
  }
  set_label(state, 60000);
}
BENCHMARK(BM_shuffled_batches)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK(BM_fashion_mnist_train_to_float)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_read_idx_uint8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_zlib_gzread_only)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
