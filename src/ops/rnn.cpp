// src/ops/rnn.cpp: rnn_layer, one recurrent layer in one direction over a sequence as one node.
//
// Matrix products go through the recurrent table's, whose sums do not depend on the thread count;
// the per-step ones multiply by weights packed once per call. Forward, per step: the
// pre-activations [x_t, h_{t-1}] [W_ih, W_hh]^T in one product (a GRU: gi = x W_ih^T for all T
// steps in one product first, then gh = h_{t-1} W_hh^T per step, since its n gate needs them
// apart), and the fused gate kernel (src/backend/cpu/rnn_kernels.cpp), which adds the biases,
// applies the nonlinearities and saves the activations that backward needs. The node's value packs
// the hidden states [T, N, H] and, for an LSTM, c_n as a last slice [T + 1, N, H]; output, h_n and
// c_n are views of it, so their gradients meet in one dy.
//
// Backward (BPTT), from the last step read to the first, with dgi / dgh the gradients of the
// input- and hidden-side pre-activations of a step (equal except for GRU's n gate):
//   dh_t = dy_t + dgh_{t+1} W_hh (+ dh_{t+1} z_{t+1} for a GRU), the gate kernel gives dgi_t,
//   dgh_t (and dc_{t-1}); then over all steps at once: dx = dgi W_ih, dW_ih = dgi^T x,
//   dW_hh = dgh^T h_prev (but for a GRU both as one dgates^T [x, h_prev], like the forward's
//   product), db_ih = sum dgi, db_hh = sum dgh; dh0 = dgh_first W_hh (+ direct).
#include <algorithm>
#include <cstring>
#include <utility>

#include <athanor/autograd/node.h>
#include <athanor/core/parallel.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/join.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/rnn.h>
#include <athanor/ops/shape.h>

#include "backend/rnn_kernels.h"
#include "ops/op_utils.h"

namespace athanor {
namespace {

const char* op_name(RnnMode mode) {
  switch (mode) {
    case RnnMode::kRnnTanh:
      return "rnn_tanh";
    case RnnMode::kRnnRelu:
      return "rnn_relu";
    case RnnMode::kLstm:
      return "lstm";
    case RnnMode::kGru:
      return "gru";
  }
  return "rnn";
}

backend::RnnCell cell_of(RnnMode mode) {
  switch (mode) {
    case RnnMode::kRnnTanh:
      return backend::RnnCell::kRnnTanh;
    case RnnMode::kRnnRelu:
      return backend::RnnCell::kRnnRelu;
    case RnnMode::kLstm:
      return backend::RnnCell::kLstm;
    case RnnMode::kGru:
      return backend::RnnCell::kGru;
  }
  return backend::RnnCell::kLstm;
}

// Element `offset` of a contiguous tensor (null for an undefined one).
void* at(const Tensor& t, int64_t offset = 0) {
  if (!t.defined()) return nullptr;
  return static_cast<char*>(t.raw_data()) + offset * itemsize(t.dtype());
}

// A dense row-major [rows, cols] block at element `offset` of t.
backend::View block(const Tensor& t, int64_t offset, int64_t rows, int64_t cols) {
  return {at(t, offset), t.dtype(), Shape{rows, cols}, Shape{cols, 1}};
}

// The transpose of that block, [cols, rows] (a strided view, no copy).
backend::View block_t(const Tensor& t, int64_t offset, int64_t rows, int64_t cols) {
  return {at(t, offset), t.dtype(), Shape{cols, rows}, Shape{1, cols}};
}

// a [M, K] @ b [K, N] into a new [M, N] tensor.
Tensor product(const backend::RnnKernelTable& rnn, const backend::View& a, const backend::View& b,
               DType dtype) {
  Tensor out = empty(Shape{a.shape[0], b.shape[1]}, dtype);
  rnn.matmul(a, b, kernel_view(out));
  return out;
}

void check_tensor(const char* op, const char* what, const Tensor& t, const Shape& expected,
                  const Tensor& x, const char* meaning) {
  if (!t.defined()) return;
  ATHANOR_CHECK(t.shape() == expected, "{}: {} has shape {}; expected {} ({})", op, what, t.shape(),
                expected, meaning);
  ATHANOR_CHECK(t.dtype() == x.dtype(), "{}: {} is {} but the input is {}; expected the same dtype",
                op, what, t.dtype(), x.dtype());
}

// The recurrence runs in chunks of batch rows, one per thread: a chunk goes through all T steps
// with no synchronization (one step's product, 64x128 by 128x512 for the LSTM benchmark, is too
// small to split between threads at every step). The per-step products multiply by W_hh packed
// once per call (rnn.matmul_packed), whose row results do not depend on the other rows, so the
// chunking does not change any result.
template <typename Fn>
void for_batch_chunks(int64_t N, Fn&& fn) {
  if (N == 0) return;
  const int64_t chunks = std::min<int64_t>(N, get_num_threads());
  const int64_t rows = (N + chunks - 1) / chunks;
  parallel_for(0, chunks, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t c = lo; c < hi && c * rows < N; ++c) fn(c * rows, std::min(rows, N - c * rows));
  });
}

// b [K, N] packed for rnn.matmul_packed.
Tensor pack_for_steps(const backend::RnnKernelTable& rnn, const backend::View& b, DType dtype) {
  Tensor out = empty(Shape{rnn.packed_size(b.shape[0], b.shape[1])}, dtype);
  rnn.pack(b, out.raw_data());
  return out;
}

Tensor detached(const Tensor& t) { return t.defined() ? contiguous(t.detach()) : Tensor(); }

}  // namespace

int64_t rnn_gate_count(RnnMode mode) { return backend::rnn_gate_count(cell_of(mode)); }

RnnLayerOutput rnn_layer(RnnMode mode, const Tensor& x, const Tensor& h0, const Tensor& c0,
                         const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                         const Tensor& b_hh, bool reverse) {
  const char* op = op_name(mode);
  const backend::RnnCell cell = cell_of(mode);
  const bool lstm = mode == RnnMode::kLstm, gru = mode == RnnMode::kGru;
  ATHANOR_CHECK(x.dtype() == kFloat32 || x.dtype() == kFloat64,
                "{}: expected a float32 or float64 input, got {}", op, x.dtype());
  ATHANOR_CHECK(x.dim() == 3 && x.shape(0) >= 1,
                "{}: expected an input of shape [T, N, I] with T >= 1, got {}", op, x.shape());
  const int64_t G = rnn_gate_count(mode);
  ATHANOR_CHECK(w_hh.dim() == 2 && w_hh.shape(0) == G * w_hh.shape(1),
                "{}: w_hh has shape {}; expected [{} H, H] for hidden size H", op, w_hh.shape(), G);
  const int64_t T = x.shape(0), N = x.shape(1), I = x.shape(2), H = w_hh.shape(1);
  check_tensor(op, "w_hh", w_hh, w_hh.shape(), x, "gates x hidden size, hidden size");
  ATHANOR_CHECK(w_ih.defined(), "{}: w_ih is undefined; expected a [{}, {}] tensor", op, G * H, I);
  check_tensor(op, "w_ih", w_ih, Shape{G * H, I}, x, "gates x hidden size, input features");
  check_tensor(op, "b_ih", b_ih, Shape{G * H}, x, "gates x hidden size");
  check_tensor(op, "b_hh", b_hh, Shape{G * H}, x, "gates x hidden size");
  check_tensor(op, "h0", h0, Shape{N, H}, x, "batch, hidden size");
  ATHANOR_CHECK(lstm || !c0.defined(), "{}: c0 was given but only an LSTM has a cell state", op);
  check_tensor(op, "c0", c0, Shape{N, H}, x, "batch, hidden size");

  const DType dtype = x.dtype();
  const Tensor xc = detached(x), wi = detached(w_ih), wh = detached(w_hh);
  const Tensor bi = detached(b_ih), bh = detached(b_hh);
  const Tensor h0c = h0.defined() ? detached(h0) : zeros(Shape{N, H}, dtype);
  const Tensor c0c = !lstm ? Tensor() : c0.defined() ? detached(c0) : zeros(Shape{N, H}, dtype);
  const backend::RnnKernelTable& rnn = backend::rnn_kernels(x.device(), op);

  // A GRU's input projections, all steps' in one product, and W_hh^T packed for the per-step
  // products. Other cells take both projections in one per-step product instead, of the rows
  // [x_t, h_{t-1}] against [W_ih, W_hh]^T packed: x_t W_ih^T then costs no pass of its own over a
  // [T N, G H] buffer (oneDNN ran the LSTM benchmark's [1792, 28] x [28, 512] at ~36 GFLOP/s).
  const bool joint = !gru;
  const Tensor gi =
      joint ? Tensor()
            : reshape(product(rnn, block(xc, 0, T * N, I), block_t(wi, 0, G * H, I), dtype),
                      Shape{T, N, G * H});
  const int64_t K = joint ? I + H : H;  // the per-step product's inner size
  const Tensor w_step = joint ? concat({wi, wh}, 1) : wh;
  const Tensor w_packed = pack_for_steps(rnn, block_t(w_step, 0, G * H, K), dtype);
  const Tensor xh = joint ? empty(Shape{N, K}, dtype) : Tensor();  // rows [x_t, h_{t-1}]
  const int64_t item = itemsize(dtype);
  Tensor packed = empty(Shape{lstm ? T + 1 : T, N, H}, dtype);
  const Tensor cells = lstm ? empty(Shape{T, N, H}, dtype) : Tensor();
  const int64_t S = backend::rnn_saved_count(cell);
  const Tensor saved = S > 0 ? empty(Shape{T, N, S * H}, dtype) : Tensor();
  const Tensor gh = empty(Shape{N, G * H}, dtype);
  const int64_t step_size = N * H;  // elements of one [N, H] state
  auto time_of = [T, reverse](int64_t s) { return reverse ? T - 1 - s : s; };
  // Rows r0 .. r0 + n of every step; a chunk's recurrence never reads another chunk's rows.
  for_batch_chunks(N, [&](int64_t r0, int64_t n) {
    for (int64_t s = 0; s < T; ++s) {
      const int64_t t = time_of(s), t_prev = time_of(s - 1);
      const Tensor& h_src = s == 0 ? h0c : packed;
      const int64_t h_off = (s == 0 ? 0 : t_prev * step_size) + r0 * H;
      if (joint) {
        for (int64_t i = 0; i < n; ++i) {
          char* row = static_cast<char*>(at(xh, (r0 + i) * K));
          std::memcpy(row, at(xc, (t * N + r0 + i) * I), static_cast<size_t>(I * item));
          std::memcpy(row + I * item, at(h_src, h_off + i * H), static_cast<size_t>(H * item));
        }
      }
      rnn.matmul_packed(joint ? block(xh, r0 * K, n, K) : block(h_src, h_off, n, H),
                        w_packed.raw_data(), block(gh, r0 * G * H, n, G * H));
      backend::RnnStepForward step{.cell = cell, .dtype = dtype, .batch = n, .hidden = H};
      step.gi = joint ? nullptr : at(gi, (t * N + r0) * G * H);
      step.gh = at(gh, r0 * G * H);
      step.b_ih = at(bi);
      step.b_hh = at(bh);
      step.h_prev = at(h_src, h_off);
      if (lstm) {
        step.c_prev = s == 0 ? at(c0c, r0 * H) : at(cells, t_prev * step_size + r0 * H);
        step.c = at(cells, t * step_size + r0 * H);
      }
      step.h = at(packed, t * step_size + r0 * H);
      step.saved = S > 0 ? at(saved, (t * N + r0) * S * H) : nullptr;
      rnn.step_forward(step);
    }
  });
  const int64_t t_last = time_of(T - 1);
  if (lstm) packed.select(0, T).copy_(cells.select(0, t_last));

  const bool x_grad = x.requires_grad(), h0_grad = h0.defined() && h0.requires_grad(),
             c0_grad = c0.defined() && c0.requires_grad();
  const bool wi_grad = w_ih.requires_grad(), wh_grad = w_hh.requires_grad(),
             bi_grad = b_ih.defined() && b_ih.requires_grad(),
             bh_grad = b_hh.defined() && b_hh.requires_grad();
  Tensor y = with_backward(op, packed, {x, h0, c0, w_ih, w_hh, b_ih, b_hh}, [=](const Tensor& dy) {
    const Tensor dp = contiguous(dy);
    const Tensor dgi = empty(Shape{T, N, G * H}, dtype);
    const Tensor dgh = gru ? empty(Shape{T, N, G * H}, dtype) : dgi;
    const Tensor dc = lstm ? clone(dp.select(0, T)) : Tensor();
    const Tensor direct = gru ? zeros(Shape{N, H}, dtype) : Tensor();
    const Tensor rec = empty(Shape{N, H}, dtype);
    const Tensor wh_packed = pack_for_steps(rnn, block(wh, 0, G * H, H), dtype);
    for_batch_chunks(N, [&](int64_t r0, int64_t n) {
      for (int64_t s = T - 1; s >= 0; --s) {
        const int64_t t = time_of(s), t_prev = time_of(s - 1);
        const int64_t here = t * step_size + r0 * H, before = t_prev * step_size + r0 * H;
        backend::RnnStepBackward step{.cell = cell, .dtype = dtype, .batch = n, .hidden = H};
        step.saved = S > 0 ? at(saved, (t * N + r0) * S * H) : nullptr;
        step.h = at(packed, here);
        step.h_prev = s == 0 ? at(h0c, r0 * H) : at(packed, before);
        if (lstm) {
          step.c = at(cells, here);
          step.c_prev = s == 0 ? at(c0c, r0 * H) : at(cells, before);
        }
        step.dy = at(dp, here);
        step.dh_rec = s == T - 1 ? nullptr : at(rec, r0 * H);
        step.dh_direct = at(direct, r0 * H);
        step.dc = at(dc, r0 * H);
        step.dgi = at(dgi, (t * N + r0) * G * H);
        step.dgh = at(dgh, (t * N + r0) * G * H);
        rnn.step_backward(step);
        // The recurrent part of the gradient reaching h_{t-1} (h0 after the first step).
        if (s > 0 || h0_grad) {
          rnn.matmul_packed(block(dgh, (t * N + r0) * G * H, n, G * H), wh_packed.raw_data(),
                            block(rec, r0 * H, n, H));
        }
      }
    });
    Grads grads(7);
    const int64_t rows = T * N;  // every step's batch rows, stacked
    if (x_grad) {
      grads[0] = reshape(product(rnn, block(dgi, 0, rows, G * H), block(wi, 0, G * H, I), dtype),
                         Shape{T, N, I});
    }
    if (h0_grad) grads[1] = gru ? rec + direct : rec;
    if (c0_grad) grads[2] = dc;
    // The column sums of dgh (b_hh's gradient; b_ih's too but for the GRU, whose dgi differs),
    // from a weight gradient's product over dgates^T when there is one (the same bits as sum, one
    // pass fewer).
    const bool sums_wanted = bh_grad || (bi_grad && !gru);
    Tensor dgh_sums =
        sums_wanted && (wh_grad || (wi_grad && joint)) ? empty(Shape{G * H}, dtype) : Tensor();
    // dgates^T times rows of the step's inputs: the product, with the column sums when wanted.
    auto weight_grad = [&](const backend::View& a, const Tensor& b, bool with_sums) {
      Tensor out = empty(Shape{a.shape[0], b.shape(1)}, dtype);
      const backend::View bv = block(b, 0, b.shape(0), b.shape(1));
      if (with_sums) {
        rnn.matmul_row_sums(a, bv, kernel_view(out), kernel_view(dgh_sums));
      } else {
        rnn.matmul(a, bv, kernel_view(out));
      }
      return out;
    };
    // h_{t-1} for every step, in time order.
    auto previous_states = [&] {
      const Tensor states = packed.narrow(0, 0, T);
      return T == 1    ? unsqueeze(h0c, 0)
             : reverse ? concat({states.narrow(0, 1, T - 1), unsqueeze(h0c, 0)}, 0)
                       : concat({unsqueeze(h0c, 0), states.narrow(0, 0, T - 1)}, 0);
    };
    if (joint && wi_grad && wh_grad) {
      // Both from one product of dgates^T by the rows [x_t, h_{t-1}] the forward multiplied by
      // [W_ih, W_hh]^T: dgates (T N rows of G H, 3.7 MB for the LSTM benchmark) is read and
      // packed once, and the input side's 28 columns take the same kernel as the hidden side's.
      const Tensor inputs = reshape(concat({xc, previous_states()}, 2), Shape{rows, I + H});
      const Tensor both = weight_grad(block_t(dgh, 0, rows, G * H), inputs, sums_wanted);
      grads[3] = contiguous(both.narrow(1, 0, I));
      grads[4] = contiguous(both.narrow(1, I, H));
    } else {
      if (wi_grad) {
        grads[3] = weight_grad(block_t(dgi, 0, rows, G * H), reshape(xc, Shape{rows, I}),
                               sums_wanted && joint && !wh_grad);
      }
      if (wh_grad) {
        grads[4] = weight_grad(block_t(dgh, 0, rows, G * H),
                               reshape(contiguous(previous_states()), Shape{rows, H}), sums_wanted);
      }
    }
    auto column_sums = [&](const Tensor& d) { return sum(reshape(d, Shape{rows, G * H}), {0}); };
    if (bi_grad) grads[5] = !gru && dgh_sums.defined() ? dgh_sums : column_sums(dgi);
    if (bh_grad) {
      // A buffer of its own when b_ih's gradient is the same sum (all but the GRU).
      grads[6] = bi_grad && !gru      ? clone(grads[5])
                 : dgh_sums.defined() ? dgh_sums
                                      : column_sums(dgh);
    }
    return grads;
  });
  RnnLayerOutput out;
  out.output = lstm ? y.narrow(0, 0, T) : y;
  out.h_n = y.select(0, t_last);
  if (lstm) out.c_n = y.select(0, T);
  return out;
}

}  // namespace athanor
