#!/usr/bin/env bash
# Bounded fuzzing of the key codec, the filter-expression builder and the
# reader of items in response bodies.
#   scripts/fuzz-rust.sh [seconds per target]   (default 60)
# With cargo-fuzz and a nightly toolchain it runs libFuzzer (`cargo fuzz run`);
# otherwise the same targets run on stable through examples/fuzz_stable.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-60}"
if command -v cargo-fuzz >/dev/null 2>&1 && rustup toolchain list 2>/dev/null | grep -q nightly; then
  for target in key_codec filter_expression wire_item; do
    echo "== cargo fuzz: $target (${SECONDS_PER_TARGET} s)"
    cargo +nightly fuzz run "$target" -- -max_total_time="$SECONDS_PER_TARGET"
  done
else
  echo "== cargo-fuzz or nightly missing: running the targets on stable"
  cargo run --release --no-default-features --example fuzz_stable -- "$((SECONDS_PER_TARGET * 2))"
fi
