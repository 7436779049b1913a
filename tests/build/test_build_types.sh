#!/usr/bin/env bash
# Every CMake build type a user may pick compiles without a warning, with GCC
# and with clang (where installed): Debug, Release, MinSizeRel and
# RelWithDebInfo, each configured with the default options plus
# -DCLOCKLAB_WERROR=ON, building the clocklab program (the tests are built
# by the test command). Each build goes to a scratch directory, removed at
# the end. Exit 0 when all build, 1 with the failing compiler and type named.
# Usage: bash tests/build/test_build_types.sh [TYPES...]
set -euo pipefail
cd "$(dirname "$0")/../.."
types=("$@")
((${#types[@]})) || types=(Debug Release MinSizeRel RelWithDebInfo)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=()
for cc in gcc clang; do
    if ! command -v "$cc" >/dev/null; then
        echo "build types: $cc not installed, skipped"
        continue
    fi
    for type in "${types[@]}"; do
        dir="$scratch/$cc-$type"
        start=$(date +%s)
        if CC=$cc cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DCLOCKLAB_TESTS=OFF \
            -DCLOCKLAB_WERROR=ON >"$dir.log" 2>&1 &&
            cmake --build "$dir" -j "$(nproc)" --target clocklab >>"$dir.log" 2>&1; then
            echo "build types: $cc $type ok ($(($(date +%s) - start)) s)"
        else
            echo "build types: $cc $type FAILED:"
            grep -E "error|warning" "$dir.log" | head -20
            failed+=("$cc $type")
        fi
    done
done
if ((${#failed[@]})); then
    echo "build types: failed: ${failed[*]}"
    exit 1
fi
echo "build types: all passed"
