// src/backend/rnn_kernels.h: fused per-time-step gate kernels of the recurrent layers (RNN, LSTM,
// GRU), forward and backward, in a small table of their own beside backend::KernelTable.
//
// A step works on N rows (the batch) of H hidden units with G gates per unit (RNN 1, LSTM 4 in
// PyTorch's order i, f, g, o, GRU 3 in the order r, z, n). Every buffer is a dense row-major
// [N, H] or [N, G H] block of the step's dtype (float32 or float64); the matrix products around
// a step (x W_ih^T for all steps at once, h W_hh^T once per step) are the caller's, through
// the table's products.
#pragma once

#include <cstdint>

#include <athanor/core/device.h>
#include <athanor/core/dtype.h>

#include "backend/kernels.h"

namespace athanor::backend {

enum class RnnCell : uint8_t { kRnnTanh, kRnnRelu, kLstm, kGru };

/// Gates per hidden unit: 1 (RNN), 4 (LSTM), 3 (GRU).
constexpr int64_t rnn_gate_count(RnnCell cell) {
  return cell == RnnCell::kLstm ? 4 : cell == RnnCell::kGru ? 3 : 1;
}
/// Saved activations per hidden unit for the backward pass: RNN 0 (the output h suffices),
/// LSTM 4 (i, f, g, o after their nonlinearities), GRU 4 (r, z, n and W_hn h + b_hn).
constexpr int64_t rnn_saved_count(RnnCell cell) {
  return cell == RnnCell::kLstm || cell == RnnCell::kGru ? 4 : 0;
}

/// One forward step. Pre-activations are gi + b_ih + gh + b_hh per gate, except GRU's n gate:
/// n = tanh(gi_n + b_in + r * (gh_n + b_hn)). Other cells may pass gi null with gh the sum
/// x_t W_ih^T + h_{t-1} W_hh^T.
struct RnnStepForward {
  RnnCell cell = RnnCell::kLstm;
  DType dtype = kFloat32;
  int64_t batch = 0, hidden = 0;
  const void* gi = nullptr;      // [N, G H]: x_t W_ih^T, without bias; null: gh holds it too
  const void* gh = nullptr;      // [N, G H]: h_{t-1} W_hh^T, without bias
  const void* b_ih = nullptr;    // [G H] or null
  const void* b_hh = nullptr;    // [G H] or null
  const void* h_prev = nullptr;  // [N, H]: h_{t-1} (GRU)
  const void* c_prev = nullptr;  // [N, H]: c_{t-1} (LSTM)
  void* h = nullptr;             // [N, H] out: h_t
  void* c = nullptr;             // [N, H] out: c_t (LSTM)
  void* saved = nullptr;         // [N, S H] out: rnn_saved_count(cell) = S activations (LSTM, GRU)
};

/// One backward step, from the gradient reaching h_t: dh = dy + dh_rec + dh_direct.
struct RnnStepBackward {
  RnnCell cell = RnnCell::kLstm;
  DType dtype = kFloat32;
  int64_t batch = 0, hidden = 0;
  const void* saved = nullptr;   // [N, S H] from the forward step (LSTM, GRU)
  const void* h = nullptr;       // [N, H]: h_t (RNN)
  const void* h_prev = nullptr;  // [N, H]: h_{t-1} (GRU)
  const void* c = nullptr;       // [N, H]: c_t (LSTM)
  const void* c_prev = nullptr;  // [N, H]: c_{t-1} (LSTM)
  const void* dy = nullptr;      // [N, H]: gradient of the layer's output at this step
  const void* dh_rec = nullptr;  // [N, H]: the next step's dgh W_hh (null on the last step)
  void* dh_direct = nullptr;     // [N, H] in/out (GRU): in dh_{t+1} z_{t+1}, out dh_t z_t
  void* dc = nullptr;            // [N, H] in/out (LSTM): in dL/dc_t from later, out dL/dc_{t-1}
  void* dgi = nullptr;           // [N, G H] out: gradient of the input-side pre-activations
  void* dgh = nullptr;  // [N, G H] out: of the hidden-side ones (GRU; the others use dgi for both)
};

struct RnnKernelTable {
  /// out [M, N] (dense rows) = a [M, K] @ b [K, N] (2-D views, any strides; float32 or float64).
  /// Each output element is summed over k in an order fixed by the shapes alone, so results do
  /// not depend on the thread count (the general matmul kernel's oneDNN path does not promise
  /// that).
  void (*matmul)(const View& a, const View& b, const View& out);
  /// matmul, and row_sums [M] (a's dtype) = a[i][0] + ... + a[i][K-1], added in k order from 0
  /// (in double for float32): a bias gradient (the column sums of dgates, a = dgates^T) from the
  /// weight gradient's own pass over dgates, with the bits of sum over the rows of dgates.
  void (*matmul_row_sums)(const View& a, const View& b, const View& out, const View& row_sums);
  /// Elements (of b's dtype) that b [K, N] takes packed for matmul_packed.
  int64_t (*packed_size)(int64_t K, int64_t N);
  /// Packs b [K, N] (a 2-D view, any strides) into `packed`, once for the products of every step.
  void (*pack)(const View& b, void* packed);
  /// out [M, N] (dense rows) = a [M, K] (dense rows) @ b from its packing. A row's result depends
  /// neither on the other rows nor on the thread count, so callers may split rows as they like.
  void (*matmul_packed)(const View& a, const void* packed, const View& out);
  void (*step_forward)(const RnnStepForward& step);
  void (*step_backward)(const RnnStepBackward& step);
};

/// The recurrent kernels of device `d`, or "<op>: no kernel for device cuda:0".
const RnnKernelTable& rnn_kernels(Device d, const char* op);

}  // namespace athanor::backend
