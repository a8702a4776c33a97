// src/backend/cpu/conv_kernels.cpp: 2-D convolution on the CPU: oneDNN for float32 (forward,
// backward-data, and backward-weights with the bias gradient), the reference loops for float64.
//
// oneDNN picks the layouts its convolution runs fastest in (format_tag::any: channel blocks of 8
// or 16, nChw8c, OIhw8i8o, ...); the caller's NCHW / OIHW buffers are reordered into them and the
// result back. Even with those reorders this measured faster here than oneDNN on plain NCHW (one
// thread, N=32, 32->64 channels, 28x28, 3x3: forward ~80 against ~60 GFLOP/s, backward-data ~84
// against ~54). Each primitive is created once per (pass, shapes, options, thread count) and
// cached per thread with its reorders and its buffers in oneDNN's layouts, so a call in steady
// state only swaps data pointers and executes.
//
// Determinism (results must not depend on the thread count): oneDNN's direct convolutions
// accumulate each output of the forward and backward-data passes on one thread, so those run on
// the whole batch with all threads. Its backward-weights splits the reduction over samples and
// rows between threads as the thread count allows, and so do its GEMM-based convolutions (chosen
// on CPUs without a direct kernel). Those run instead per block of samples, the blocks fixed by
// the shapes alone, each by a primitive built for one thread; weight-gradient partial sums are
// added in block order.
//
// A first layer (1 to 4 input channels, stride 1) runs its forward pass and weight gradient in
// direct loops instead (conv_few_channels.cpp).
#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include <athanor/core/error.h>
#include <athanor/core/parallel.h>

#include "backend/cpu/channel_blocks.h"
#include "backend/cpu/conv_few_channels.h"
#include "backend/cpu/conv_reference.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/loops.h"
#include "backend/cpu/omp_threads.h"

namespace athanor::cpu {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

enum class Pass : uint8_t { kForward, kBackwardData, kBackwardWeights };

struct ConvKey {
  Pass pass;
  std::array<int64_t, 4> x, w, y;
  Conv2dParams params;
  bool bias;
  int threads;  // oneDNN sizes its work split when the primitive is created
  friend bool operator==(const ConvKey&, const ConvKey&) = default;
};

struct ConvKeyHash {
  size_t operator()(const ConvKey& k) const {
    size_t h = 1469598103934665603ull;
    auto mix = [&h](int64_t v) { h = (h ^ static_cast<size_t>(v)) * 1099511628211ull; };
    mix(static_cast<int64_t>(k.pass));
    for (const auto* dims : {&k.x, &k.w, &k.y})
      for (int64_t v : *dims) mix(v);
    for (const auto* a : {&k.params.stride, &k.params.padding, &k.params.dilation})
      for (int64_t v : *a) mix(v);
    mix(k.params.groups);
    mix(k.bias);
    mix(k.threads);
    return h;
  }
};

// One argument of a primitive: a memory over the caller's plain buffer and, when the primitive
// wants another layout, a buffer in that layout with the reorder between the two.
struct Arg {
  int id;      // DNNL_ARG_*
  bool input;  // reorder user -> inner before the primitive, else inner -> user after it
  memory user;
  memory inner;
  dnnl::reorder reorder;
  bool reordered = false;
};

struct ConvEntry {
  dnnl::primitive primitive;
  std::vector<Arg> args;  // in the order the caller passes buffers
  bool gemm = false;      // a GEMM-based implementation, whose reductions follow the thread split
};

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

Arg make_arg(int id, bool input, const memory::desc& user_md, const memory::desc& inner_md) {
  Arg a{id, input, memory(user_md, cpu_engine(), nullptr), {}, {}};
  if (inner_md == user_md) {
    a.inner = a.user;
  } else {
    a.inner = memory(inner_md, cpu_engine());
    a.reorder = input ? dnnl::reorder(a.user, a.inner) : dnnl::reorder(a.inner, a.user);
    a.reordered = true;
  }
  return a;
}

// The memory descriptors of one convolution: the caller's plain layouts and "any" for oneDNN.
struct Descs {
  memory::desc x, w, y, bias, x_any, w_any, y_any;
  memory::dims stride, dilation, padding;
};

Descs descs(const ConvKey& k) {
  const auto f32 = memory::data_type::f32;
  const int64_t G = k.params.groups;
  const memory::dims xd(k.x.begin(), k.x.end()), yd(k.y.begin(), k.y.end());
  // Grouped weights are 5-D for oneDNN, [G, O / G, C / G, kH, kW]: the same buffer as OIHW.
  const memory::dims wd = G == 1 ? memory::dims(k.w.begin(), k.w.end())
                                 : memory::dims{G, k.w[0] / G, k.w[1], k.w[2], k.w[3]};
  const Conv2dParams& p = k.params;
  // oneDNN counts dilation from 0 (no gaps); PyTorch from 1. The same padding on both sides
  // gives PyTorch's output size: oneDNN checks (in + pad_l + pad_r - extent) / stride + 1 == out.
  return {memory::desc(xd, f32, Tag::nchw),
          memory::desc(wd, f32, G == 1 ? Tag::oihw : Tag::goihw),
          memory::desc(yd, f32, Tag::nchw),
          memory::desc({k.w[0]}, f32, Tag::x),
          memory::desc(xd, f32, Tag::any),
          memory::desc(wd, f32, Tag::any),
          memory::desc(yd, f32, Tag::any),
          {p.stride[0], p.stride[1]},
          {p.dilation[0] - 1, p.dilation[1] - 1},
          {p.padding[0], p.padding[1]}};
}

dnnl::convolution_forward::primitive_desc forward_pd(const Descs& d, bool bias) {
  using Fwd = dnnl::convolution_forward;
  const auto desc =
      bias
          ? Fwd::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                      d.x_any, d.w_any, d.bias, d.y_any, d.stride, d.dilation, d.padding, d.padding)
          : Fwd::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                      d.x_any, d.w_any, d.y_any, d.stride, d.dilation, d.padding, d.padding);
  return Fwd::primitive_desc(desc, cpu_engine());
}

// oneDNN names its implementations "jit:avx2", "brgconv:avx512_core", "gemm:jit", ...
bool is_gemm(const dnnl::primitive_desc& pd) {
  return std::string(pd.impl_info_str()).find("gemm") != std::string::npos;
}

// A first layer (an image's 1 or 3 channels) computes its weight gradient from a long reduction
// into a tiny result, where oneDNN's direct jit kernels run at a few GFLOP/s; its im2col + GEMM
// implementation is several times faster there (measured: 1 -> 32 channels, 28x28, batch 64).
constexpr int64_t kFewInputChannels = 4;

// Moves `pd` to its first GEMM-based implementation, or leaves it as `first` if it has none.
template <typename PD>
void prefer_gemm(PD& pd, PD first) {
  while (!is_gemm(pd)) {
    if (!pd.next_impl()) {
      pd = std::move(first);
      return;
    }
  }
}

ConvEntry make_entry(const ConvKey& k) {
  const Descs d = descs(k);
  const auto fwd = forward_pd(d, k.bias);
  ConvEntry e;
  switch (k.pass) {
    case Pass::kForward:
      e.primitive = dnnl::convolution_forward(fwd);
      e.gemm = is_gemm(fwd);
      e.args.push_back(make_arg(DNNL_ARG_SRC, true, d.x, fwd.src_desc()));
      e.args.push_back(make_arg(DNNL_ARG_WEIGHTS, true, d.w, fwd.weights_desc()));
      e.args.push_back(make_arg(DNNL_ARG_DST, false, d.y, fwd.dst_desc()));
      if (k.bias) e.args.push_back(make_arg(DNNL_ARG_BIAS, true, d.bias, fwd.bias_desc()));
      break;
    case Pass::kBackwardData: {
      using Bwd = dnnl::convolution_backward_data;
      const Bwd::primitive_desc pd(Bwd::desc(dnnl::algorithm::convolution_direct, d.x_any, d.w_any,
                                             d.y_any, d.stride, d.dilation, d.padding, d.padding),
                                   cpu_engine(), fwd);
      e.primitive = Bwd(pd);
      e.gemm = is_gemm(pd);
      e.args.push_back(make_arg(DNNL_ARG_DIFF_DST, true, d.y, pd.diff_dst_desc()));
      e.args.push_back(make_arg(DNNL_ARG_WEIGHTS, true, d.w, pd.weights_desc()));
      e.args.push_back(make_arg(DNNL_ARG_DIFF_SRC, false, d.x, pd.diff_src_desc()));
      break;
    }
    case Pass::kBackwardWeights: {
      using Bwd = dnnl::convolution_backward_weights;
      const auto desc = k.bias
                            ? Bwd::desc(dnnl::algorithm::convolution_direct, d.x_any, d.w_any,
                                        d.bias, d.y_any, d.stride, d.dilation, d.padding, d.padding)
                            : Bwd::desc(dnnl::algorithm::convolution_direct, d.x_any, d.w_any,
                                        d.y_any, d.stride, d.dilation, d.padding, d.padding);
      Bwd::primitive_desc pd(desc, cpu_engine(), fwd);
      if (k.w[1] <= kFewInputChannels)
        prefer_gemm(pd, Bwd::primitive_desc(desc, cpu_engine(), fwd));
      e.primitive = Bwd(pd);
      e.gemm = is_gemm(pd);
      e.args.push_back(make_arg(DNNL_ARG_SRC, true, d.x, pd.src_desc()));
      e.args.push_back(make_arg(DNNL_ARG_DIFF_DST, true, d.y, pd.diff_dst_desc()));
      e.args.push_back(make_arg(DNNL_ARG_DIFF_WEIGHTS, false, d.w, pd.diff_weights_desc()));
      if (k.bias) {
        e.args.push_back(make_arg(DNNL_ARG_DIFF_BIAS, false, d.bias, pd.diff_bias_desc()));
      }
      break;
    }
  }
  return e;
}

// `threads`: the thread count the primitive is built for (oneDNN reads it from OpenMP when it
// creates one).
ConvKey make_key(Pass pass, const Shape& x, const Shape& w, const Shape& y, const Conv2dParams& p,
                 bool bias, int threads) {
  return {
      pass,   {x[0], x[1], x[2], x[3]}, {w[0], w[1], w[2], w[3]}, {y[0], y[1], y[2], y[3]}, p, bias,
      threads};
}

// The calling thread's entry for `key`, created on first use.
ConvEntry& entry(const ConvKey& key) {
  thread_local std::unordered_map<ConvKey, ConvEntry, ConvKeyHash> cache;
  auto it = cache.find(key);
  if (it == cache.end()) {
    // Each entry holds buffers of activation size; a program cycling through many shapes (a
    // varying last batch) must not keep them all.
    if (cache.size() >= 64) cache.clear();
    const OmpThreads threads(key.threads);
    it = cache.emplace(key, make_entry(key)).first;
  }
  return it->second;
}

// Runs the entry's primitive on the caller's buffers (in the entry's argument order). Without
// `reorder_outputs`, outputs are left in the entry's buffers in oneDNN's layouts (a null buffer
// for them is fine); with `inner_id`, the input of that id is read from `inner`, already in the
// primitive's layout (its buffer is then not read).
void execute(ConvEntry& e, std::initializer_list<void*> buffers, bool reorder_outputs = true,
             int inner_id = -1, void* inner = nullptr) {
  thread_local dnnl::stream stream(cpu_engine());
  ATHANOR_ASSERT(e.args.size() == buffers.size());
  std::unordered_map<int, memory> args;
  auto buffer = buffers.begin();
  for (Arg& a : e.args) {
    a.user.set_data_handle(*buffer++);
    if (a.id == inner_id) {
      args.emplace(a.id, memory(a.inner.get_desc(), cpu_engine(), inner));
      continue;
    }
    args.emplace(a.id, a.inner);
    if (a.input && a.reordered) a.reorder.execute(stream, a.user, a.inner);
  }
  e.primitive.execute(stream, args);
  for (Arg& a : e.args) {
    if (!a.input && a.reordered && reorder_outputs) a.reorder.execute(stream, a.inner, a.user);
  }
  stream.wait();
}

// The channel block of a [N, C, H, W] layout nChw8c or nChw16c (channel c of pixel (h, w) at
// ((n C' + c / B) H W + h W + w) B + c % B, C' = C rounded up to B), or 0 for any other.
int64_t channel_block(const memory::desc& md) {
  const memory::dims d = md.dims();
  if (d.size() != 4) return 0;
  for (const auto& [tag, block] : {std::pair{Tag::nChw8c, 8}, std::pair{Tag::nChw16c, 16}}) {
    if (md == memory::desc(d, memory::data_type::f32, tag)) return block;
  }
  return 0;
}

// The batch split into `count` blocks of `size` samples (the last may be smaller), from the shapes
// alone: a power of two of them (they share out evenly between threads), at most kMaxBlocks, each
// worth at least kMinBlockWork multiply-adds (a block pays for its own reorders and partial sums).
struct Blocks {
  int64_t size, count;
};
// 4, not 16: on the benchmark CNN (batch 64, 32 -> 64 channels at 14x14) 16 blocks of 4 samples
// cost 12 % more in oneDNN time than 4 blocks of 16 (reorders, partial sums, small primitives),
// and 4 still share out between the 2 or 4 threads this is run with.
constexpr int64_t kMaxBlocks = 4;
constexpr int64_t kMinBlockWork = int64_t{1} << 23;

Blocks sample_blocks(const Shape& w, const Shape& y) {
  const int64_t N = y[0], per_sample = y.numel() / N * (w.numel() / w[0]);
  const int64_t most =
      std::min({kMaxBlocks, N, std::max<int64_t>(1, N * per_sample / kMinBlockWork)});
  int64_t count = 1;
  while (count * 2 <= most) count *= 2;
  const int64_t size = (N + count - 1) / count;
  return {size, (N + size - 1) / size};
}

// Calls fn(block, first_sample, key) for each block of samples in parallel, with `key` that of
// the block's one-thread primitive.
template <typename Fn>
void for_each_block(Pass pass, const Shape& x, const Shape& w, const Shape& y,
                    const Conv2dParams& p, bool bias, Fn&& fn) {
  const Blocks blocks = sample_blocks(w, y);
  get_num_threads();  // align this thread's OpenMP setting with athanor's
  parallel_for(0, blocks.count, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t b = lo; b < hi; ++b) {
      Shape xs = x, ys = y;
      xs[0] = ys[0] = std::min(blocks.size, x[0] - b * blocks.size);
      fn(b, b * blocks.size, make_key(pass, xs, w, ys, p, bias, 1));
    }
  });
}

// Buffer of sample n in a contiguous [N, ...] float view.
void* sample(const View& v, int64_t n) {
  return static_cast<float*>(v.data) + n * (v.shape.numel() / v.shape[0]);
}

void forward_dnnl(const View& x, const View& w, const View* bias, const View& y,
                  const Conv2dParams& p) {
  const bool b = bias != nullptr;
  ConvEntry& whole =
      entry(make_key(Pass::kForward, x.shape, w.shape, y.shape, p, b, get_num_threads()));
  if (!whole.gemm) {
    if (b) {
      execute(whole, {x.data, w.data, y.data, bias->data});
    } else {
      execute(whole, {x.data, w.data, y.data});
    }
    return;
  }
  for_each_block(Pass::kForward, x.shape, w.shape, y.shape, p, b,
                 [&](int64_t, int64_t n, const ConvKey& key) {
                   if (b) {
                     execute(entry(key), {sample(x, n), w.data, sample(y, n), bias->data});
                   } else {
                     execute(entry(key), {sample(x, n), w.data, sample(y, n)});
                   }
                 });
}

// The shape of conv2d's output.
Shape conv_output(const Shape& x, const Shape& w, const Conv2dParams& p) {
  auto size = [&](int d) {
    return (x[2 + d] + 2 * p.padding[d] - p.dilation[d] * (w[2 + d] - 1) - 1) / p.stride[d] + 1;
  };
  return {x[0], w[0], size(0), size(1)};
}

// conv2d then max_pool2d, pooling the convolution's output from oneDNN's channel-blocked layout:
// its reorder to NCHW (as large as the output, read and written) is skipped. A block of channels
// of one sample at a time is moved to planes in the L1 cache and pooled there by the pooling
// kernel's own plane loop. The convolution is the one conv2d runs, so the results are the same
// bits. False, having written nothing, where oneDNN's output is not channel-blocked or its
// convolution is GEMM-based (run in sample blocks).
bool conv2d_max_pool2d_dnnl(const View& x, const View& w, const View* bias, const View& y,
                            const View& indices, const Conv2dParams& cp, const Pool2dParams& pp) {
  const bool b = bias != nullptr;
  const Shape conv_shape = conv_output(x.shape, w.shape, cp);
  const int64_t N = x.shape[0], O = w.shape[0], H = conv_shape[2], W = conv_shape[3];
  ConvEntry& whole =
      entry(make_key(Pass::kForward, x.shape, w.shape, conv_shape, cp, b, get_num_threads()));
  const Arg& dst = whole.args[2];
  const int64_t B = dst.reordered ? channel_block(dst.inner.get_desc()) : 0;
  if (whole.gemm || B == 0) return false;
  if (b) {
    execute(whole, {x.data, w.data, nullptr, bias->data}, false);
  } else {
    execute(whole, {x.data, w.data, nullptr}, false);
  }
  const auto* blocked = static_cast<const float*>(dst.inner.get_data_handle());
  auto* yp = static_cast<float*>(y.data);
  auto* ip = static_cast<int64_t*>(indices.data);
  const int64_t blocks = (O + B - 1) / B, plane = H * W, pooled = y.shape[2] * y.shape[3];
  const Shape conv_plane{H, W}, pooled_plane{y.shape[2], y.shape[3]};
  parallel_for(0, N * blocks,
               std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, B * plane)),
               [&](int64_t lo, int64_t hi) {
                 thread_local std::vector<float> planes;
                 planes.resize(static_cast<size_t>(B * plane));
                 for (int64_t nb = lo; nb < hi; ++nb) {
                   const int64_t n = nb / blocks, c0 = nb % blocks * B;
                   const float* src = blocked + nb * plane * B;
                   const int64_t channels = std::min(B, O - c0);
                   unblock_channels(src, B, channels, plane, planes.data());
                   for (int64_t c = 0; c < channels; ++c) {
                     const int64_t out = (n * O + c0 + c) * pooled;
                     max_pool2d_plane(planes.data() + c * plane, yp + out, ip + out, conv_plane,
                                      pooled_plane, pp);
                   }
                 }
               });
  return true;
}

void backward_data_dnnl(const View& dy, const View& w, const View& dx, const Conv2dParams& p) {
  ConvEntry& whole = entry(
      make_key(Pass::kBackwardData, dx.shape, w.shape, dy.shape, p, false, get_num_threads()));
  if (!whole.gemm) {
    execute(whole, {dy.data, w.data, dx.data});
    return;
  }
  for_each_block(Pass::kBackwardData, dx.shape, w.shape, dy.shape, p, false,
                 [&](int64_t, int64_t n, const ConvKey& key) {
                   execute(entry(key), {sample(dy, n), w.data, sample(dx, n)});
                 });
}

// With `dy_blocked`, dy is read from there, in the layout every block's primitive reads (the
// caller has checked), a block's samples at dy_blocked + n * per_sample.
void backward_weights_dnnl(const View& x, const View& dy, const View& dw, const View* dbias,
                           const Conv2dParams& p, float* dy_blocked = nullptr,
                           int64_t per_sample = 0) {
  const int64_t blocks = sample_blocks(dw.shape, dy.shape).count;
  const int64_t w_size = dw.shape.numel(), b_size = dbias ? dw.shape[0] : 0;
  // With one block the primitive writes dw and dbias; else each block its partial sums.
  std::vector<float> partial(blocks > 1 ? static_cast<size_t>(blocks * (w_size + b_size)) : 0);
  for_each_block(
      Pass::kBackwardWeights, x.shape, dw.shape, dy.shape, p, dbias != nullptr,
      [&](int64_t block, int64_t n, const ConvKey& key) {
        // A GEMM-based primitive reads its thread count when it runs, not when it is
        // made: hold it to the one thread a block's primitive is built for.
        const OmpThreads one(1);
        float* w_out =
            blocks > 1 ? partial.data() + block * (w_size + b_size) : static_cast<float*>(dw.data);
        const int inner_id = dy_blocked ? DNNL_ARG_DIFF_DST : -1;
        float* inner = dy_blocked ? dy_blocked + n * per_sample : nullptr;
        if (dbias) {
          execute(entry(key),
                  {sample(x, n), sample(dy, n), w_out, blocks > 1 ? w_out + w_size : dbias->data},
                  true, inner_id, inner);
        } else {
          execute(entry(key), {sample(x, n), sample(dy, n), w_out}, true, inner_id, inner);
        }
      });
  if (blocks == 1) return;
  auto* dwp = static_cast<float*>(dw.data);
  auto* dbp = dbias ? static_cast<float*>(dbias->data) : nullptr;
  parallel_for(0, w_size + b_size, kElementwiseGrain / blocks, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      float sum = partial[static_cast<size_t>(i)];
      for (int64_t b = 1; b < blocks; ++b) {
        sum += partial[static_cast<size_t>(b * (w_size + b_size) + i)];
      }
      if (i < w_size) {
        dwp[i] = sum;
      } else {
        dbp[i - w_size] = sum;
      }
    }
  });
}

// The input and weight gradients of conv2d_max_pool2d on oneDNN's path, from the pooled dy: the
// convolution's gradient is built once, in the channel-blocked layout both backward primitives
// read (max_pool2d_backward_plane into planes in the L1 cache, then moved into place), instead of
// in NCHW and reordered by each. The primitives are the ones conv2d's backward runs, so the
// results are the same bits. False, having written nothing, where a primitive reads another
// layout or the input gradient is GEMM-based.
bool conv2d_max_pool2d_backward_dnnl(const View& x, const View& w, const View& dy,
                                     const View& indices, const View& dx, const View& dw,
                                     const View* db, const Conv2dParams& p) {
  const Shape conv = conv_output(x.shape, w.shape, p);
  const int64_t N = conv[0], O = conv[1], plane = conv[2] * conv[3];
  ConvEntry& data =
      entry(make_key(Pass::kBackwardData, x.shape, w.shape, conv, p, false, get_num_threads()));
  const int64_t B = data.args[0].reordered ? channel_block(data.args[0].inner.get_desc()) : 0;
  if (data.gemm || B == 0) return false;
  const Blocks blocks = sample_blocks(w.shape, conv);
  for (int64_t n = 0; n < N; n += blocks.size) {  // each block size's primitive, made here
    Shape xs = x.shape, ys = conv;
    xs[0] = ys[0] = std::min(blocks.size, N - n);
    const ConvEntry& e =
        entry(make_key(Pass::kBackwardWeights, xs, w.shape, ys, p, db != nullptr, 1));
    if (!e.args[1].reordered || channel_block(e.args[1].inner.get_desc()) != B) return false;
  }
  const int64_t groups = (O + B - 1) / B, pooled = dy.shape[2] * dy.shape[3];
  thread_local std::vector<float> buffer;  // the calling thread's; the workers fill it
  buffer.resize(static_cast<size_t>(N * groups * B * plane));
  float* const blocked = buffer.data();
  const auto* dyp = static_cast<const float*>(dy.data);
  const auto* ip = static_cast<const int64_t*>(indices.data);
  parallel_for(
      0, N * groups, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, B * plane)),
      [&](int64_t lo, int64_t hi) {
        thread_local std::vector<float> planes;
        planes.resize(static_cast<size_t>(B * plane));
        for (int64_t ng = lo; ng < hi; ++ng) {
          const int64_t n = ng / groups, c0 = ng % groups * B;
          const int64_t channels = std::min(B, O - c0);
          for (int64_t c = 0; c < channels; ++c) {
            const int64_t at = (n * O + c0 + c) * pooled;
            max_pool2d_backward_plane(dyp + at, ip + at, planes.data() + c * plane, plane, pooled);
          }
          block_channels(planes.data(), B, channels, plane, blocked + ng * B * plane);
        }
      });
  execute(data, {nullptr, w.data, dx.data}, true, DNNL_ARG_DIFF_DST, blocked);
  // dy's NCHW view is never read (every block reads the blocked buffer); it only has to point
  // into memory for the per-block offsets.
  backward_weights_dnnl(x, View{blocked, kFloat32, conv, contiguous_strides(conv)}, dw, db, p,
                        blocked, groups * B * plane);
  return true;
}

}  // namespace

bool conv2d_max_pool2d_backward(const View& x, const View& w, const View& dy, const View& indices,
                                const View& dx, const View& dw, const View* db,
                                const Conv2dParams& p) {
  if (x.dtype != kFloat32 || x.shape[0] == 0 || few_channels_applies(x, w, p)) return false;
  return conv2d_max_pool2d_backward_dnnl(x, w, dy, indices, dx, dw, db, p);
}

void conv2d(const View& x, const View& w, const View* bias, const View& y, const Conv2dParams& p) {
  ATHANOR_ASSERT(x.dtype == w.dtype && x.dtype == y.dtype && (!bias || bias->dtype == x.dtype));
  if (y.shape.numel() == 0) return;
  if (few_channels_applies(x, w, p)) {
    conv2d_few_channels(x, w, bias, y, p);
  } else if (x.dtype == kFloat32) {
    forward_dnnl(x, w, bias, y, p);
  } else {
    conv2d_reference(x, w, bias, y, p);
  }
}

bool conv2d_max_pool2d(const View& x, const View& w, const View* bias, const View& y,
                       const View& indices, const Conv2dParams& cp, const Pool2dParams& pp) {
  if (few_channels_applies(x, w, cp)) {
    return conv2d_max_pool2d_few_channels(x, w, bias, y, indices, cp, pp);
  }
  if (x.dtype != kFloat32 || y.shape.numel() == 0) return false;
  return conv2d_max_pool2d_dnnl(x, w, bias, y, indices, cp, pp);
}

void conv2d_backward_data(const View& dy, const View& w, const View& dx, const Conv2dParams& p) {
  ATHANOR_ASSERT(dy.dtype == w.dtype && dy.dtype == dx.dtype);
  if (dx.shape.numel() == 0) return;
  if (dy.dtype == kFloat32) {
    backward_data_dnnl(dy, w, dx, p);
  } else {
    conv2d_backward_data_reference(dy, w, dx, p);
  }
}

void conv2d_backward_weights(const View& x, const View& dy, const View& dw, const View* dbias,
                             const Conv2dParams& p) {
  ATHANOR_ASSERT(x.dtype == dy.dtype && x.dtype == dw.dtype && (!dbias || dbias->dtype == x.dtype));
  if (dw.shape.numel() == 0) return;
  if (x.shape[0] == 0) {  // an empty batch contributes nothing
    fill(dw, 0.0);
    if (dbias) fill(*dbias, 0.0);
    return;
  }
  if (few_channels_applies(x, dw, p)) {
    conv2d_backward_weights_few_channels(x, dy, dw, dbias, p);
  } else if (x.dtype == kFloat32) {
    backward_weights_dnnl(x, dy, dw, dbias, p);
  } else {
    conv2d_backward_weights_reference(x, dy, dw, dbias, p);
  }
}

}  // namespace athanor::cpu
