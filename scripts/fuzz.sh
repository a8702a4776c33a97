#!/usr/bin/env bash
# scripts/fuzz.sh: builds the libFuzzer targets (fuzz/) with clang-14 under ASan + UBSan in
# build/fuzz and runs each for FUZZ_SECONDS (default 120) on a copy of its seed corpus
# (fuzz/corpus/<target>/), then prints one summary line per target: executions, execs/s, edge
# coverage (cov) and features (ft), corpus size, and findings (crash/leak/timeout/OOM files, kept
# under build/fuzz/findings/<target>/ until that target runs again). Exits 1 when any target has a
# finding.
#   FUZZ_SECONDS=600 FUZZ_TARGETS="safetensors idx" FUZZ_BUILD_JOBS=2 scripts/fuzz.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build/fuzz"
seconds=${FUZZ_SECONDS:-120}
targets=${FUZZ_TARGETS:-"safetensors idx csv run_file checkpoint"}

for tool in clang-14 clang++-14; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool not found; run make deps" >&2; exit 1; }
done

# The library is instrumented for coverage (fuzzer-no-link) and sanitized; the targets add
# libFuzzer's main. -march=native is off so that a corpus reproduces on any x86-64.
sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DATHANOR_FUZZ=ON -DATHANOR_BUILD_TESTS=OFF -DATHANOR_BUILD_BENCH=OFF -DATHANOR_NATIVE=OFF \
  -DCMAKE_CXX_FLAGS="$sanitize -fno-omit-frame-pointer" >"$build.configure.log" 2>&1 ||
  { cat "$build.configure.log" >&2; exit 1; }
cmake --build "$build" -j"${FUZZ_BUILD_JOBS:-2}" --target $(printf 'fuzz_%s ' $targets)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ATHANOR_NUM_THREADS=1
status=0
summary=()
for t in $targets; do
  work="$build/work/$t"
  findings="$build/findings/$t"
  # A finding of an earlier run is not one of this run: it is kept as a regression seed
  # (fuzz/corpus/<target>/regress-*) once fixed.
  rm -rf "$work" "$findings"
  mkdir -p "$work" "$findings"
  cp -r "$root/fuzz/corpus/$t/." "$work/" 2>/dev/null || true
  log="$build/$t.log"
  dict=()
  [[ -f "$root/fuzz/$t.dict" ]] && dict=(-dict="$root/fuzz/$t.dict")
  echo "fuzz: $t for ${seconds}s (log: $log)"
  # -rss_limit_mb / -malloc_limit_mb: an allocation sized by an unchecked header field is an OOM
  # finding; -timeout: an input taking over 25 s is a finding.
  "$build/fuzz/fuzz_$t" "$work" "${dict[@]}" -max_total_time="$seconds" -timeout=25 \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len="${FUZZ_MAX_LEN:-65536}" \
    -artifact_prefix="$findings/" -print_final_stats=1 >"$log" 2>&1 || true
  found=$(find "$findings" -type f | wc -l)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p' <<<"$last")
  line=$(printf '%-12s %10s execs %7s/s  cov %6s  ft %7s  corpus %6s  findings %s' "$t" \
    "${execs:-0}" "${rate:-0}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$found")
  summary+=("$line")
  if [[ "$found" -ne 0 ]]; then
    status=1
    grep -m3 -E 'ERROR|SUMMARY|runtime error' "$log" >&2 || true
    echo "fuzz: $t: findings in $findings" >&2
  fi
done
echo
echo "fuzz summary (${seconds}s per target):"
printf '%s\n' "${summary[@]}"
exit $status
