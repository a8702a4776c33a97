// src/core/shape.cpp: Shape operations, dimension normalization and broadcasting.
#include <athanor/core/error.h>
#include <athanor/core/shape.h>

namespace athanor {

namespace {
void check_room(const Shape& s) {
  ATHANOR_CHECK(s.rank() < Shape::kMaxDims,
                "shape: at most {} dimensions are supported; cannot add a {}th dimension to {}",
                Shape::kMaxDims, Shape::kMaxDims + 1, s);
}
}  // namespace

void Shape::push_back(int64_t d) {
  check_room(*this);
  dims_[static_cast<size_t>(rank_++)] = d;
}

void Shape::insert(int pos, int64_t d) {
  check_room(*this);
  ATHANOR_ASSERT(pos >= 0 && pos <= rank_);
  for (int i = rank_; i > pos; --i)
    dims_[static_cast<size_t>(i)] = dims_[static_cast<size_t>(i - 1)];
  dims_[static_cast<size_t>(pos)] = d;
  ++rank_;
}

void Shape::erase(int pos) {
  ATHANOR_ASSERT(pos >= 0 && pos < rank_);
  for (int i = pos; i + 1 < rank_; ++i)
    dims_[static_cast<size_t>(i)] = dims_[static_cast<size_t>(i + 1)];
  --rank_;
}

void Shape::resize(int n, int64_t fill) {
  ATHANOR_CHECK(n >= 0 && n <= kMaxDims, "shape: cannot resize to {} dimensions: expected 0 to {}",
                n, kMaxDims);
  for (int i = rank_; i < n; ++i) dims_[static_cast<size_t>(i)] = fill;
  rank_ = n;
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int64_t d : *this) n *= d;
  return n;
}

std::string to_string(const Shape& s) { return fmt::format("[{}]", fmt::join(s, ", ")); }

int normalize_dim(int dim, int rank, const char* op) {
  const int lo = rank == 0 ? -1 : -rank;
  const int hi = rank == 0 ? 0 : rank - 1;
  ATHANOR_CHECK(dim >= lo && dim <= hi,
                "{}: dimension {} is out of range for a tensor of {} dimensions (valid: {} to {})",
                op, dim, rank, lo, hi);
  return dim < 0 ? dim + std::max(rank, 1) : dim;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const int rank = std::max(a.rank(), b.rank());
  Shape out;
  out.resize(rank);
  for (int i = 0; i < rank; ++i) {
    const int ia = a.rank() - rank + i;
    const int ib = b.rank() - rank + i;
    const int64_t da = ia >= 0 ? a[ia] : 1;
    const int64_t db = ib >= 0 ? b[ib] : 1;
    ATHANOR_CHECK(da == db || da == 1 || db == 1,
                  "{}: shapes {} and {} cannot be broadcast: dimension {} is {} and {}; expected "
                  "equal sizes or a size of 1",
                  op, a, b, i - rank, da, db);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides;
  strides.resize(shape.rank());
  int64_t s = 1;
  for (int i = shape.rank() - 1; i >= 0; --i) {
    strides[i] = s;
    s *= std::max<int64_t>(shape[i], 1);
  }
  return strides;
}

}  // namespace athanor
