#!/usr/bin/env bash
# Fuzz clocklab's configuration code with libFuzzer: build tests/fuzz/fuzz_config.c
# and the core with clang (-fsanitize=fuzzer,address,undefined) in build-fuzz/,
# seed the corpus from experiments/*.ini and run for SECONDS (default 60).
# A crash, sanitizer report or broken oracle fails with the input saved in
# build-fuzz/artifacts/. Without clang and its libFuzzer runtime it says so
# and skips (exit 0).
# Usage: bash tests/fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
out=build-fuzz

skip() {
    echo "clocklab fuzz: SKIPPED, the configuration fuzzer did not run: $*" >&2
    echo "clocklab fuzz: on Debian 12: apt-get install clang libclang-rt-14-dev" >&2
    exit 0
}

command -v clang >/dev/null 2>&1 || skip "clang is not installed"
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }\n' \
    >"$probe/probe.c"
clang -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" 2>/dev/null ||
    skip "clang cannot link -fsanitize=fuzzer (libFuzzer's runtime is missing)"

cmake -S . -B "$out" -DCMAKE_C_COMPILER=clang -DCLOCKLAB_FUZZ=ON -DCLOCKLAB_TESTS=OFF -DCLOCKLAB_WERROR=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$out" -j "$(nproc)" --target fuzz_config >/dev/null

# Seeds: every experiment file (node-count byte 3, then the INI text), and the
# same files with a few --set assignments after 0x01 separators.
corpus=$out/corpus
mkdir -p "$corpus" "$out/artifacts"
for f in experiments/*.ini; do
    name=$(basename "$f" .ini)
    { printf '\003'; cat "$f"; } >"$corpus/seed-$name"
    { printf '\005'; cat "$f"; printf '\001experiment.seed=7\001nodes.labels=a,b,c,d,e,f'; } \
        >"$corpus/seed-$name-set"
done

log=$out/fuzz.log
status=0
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$out/fuzz_config" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=4096 -dict=tests/fuzz/config.dict -artifact_prefix="$out/artifacts/" \
    "$corpus" >"$log" 2>&1 || status=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
if [ "$status" -ne 0 ]; then
    tail -n 60 "$log" >&2
    echo "clocklab fuzz: FAILED after ${runs:-?} executions (log $log, inputs in $out/artifacts/)" >&2
    exit 1
fi
echo "clocklab fuzz: ${runs:-?} executions in ${seconds} s, no crash, no sanitizer report," \
    "no broken oracle (corpus $corpus: $(ls "$corpus" | wc -l) inputs)"
