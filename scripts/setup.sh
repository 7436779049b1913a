#!/usr/bin/env bash
# clocklab set-up on Debian 12: install what is missing, build, then
#   demo: run the default scenario's 4 nodes on one rank per CPU (at most 4)
#         -> clocklab.h5 and figures/
#   test: run every test: the unit, analysis, script, documentation and
#         style tests on the plain build, the unit and MPI tests in an
#         AddressSanitizer + UndefinedBehaviorSanitizer build, then fuzz the
#         configuration code for 60 s (tests/fuzz/run.sh, clang)
#   build: only install and build
# Usage: bash scripts/setup.sh demo|test|build
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(build-essential cmake pkg-config git clang-format openmpi-bin libopenmpi-dev
          libhdf5-openmpi-dev hdf5-tools libinih-dev libgsl-dev libcmocka-dev
          python3-h5py python3-matplotlib python3-numpy python3-pandas)
# Only for the test run's fuzzer (libFuzzer comes with clang's runtime).
TEST_PACKAGES=(clang libclang-rt-14-dev)

install_missing() { # install_missing [extra packages...]
    local missing=()
    for p in "${PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        echo "clocklab setup: installing ${missing[*]}"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo=sudo
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
            "${missing[@]}"
    fi
}

mpi_environment() {
    # Open MPI refuses root unless told, and more ranks than cores unless told.
    if [ "$(id -u)" -eq 0 ]; then
        export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    fi
    export OMPI_MCA_rmaps_base_oversubscribe=1
}

build() { # build DIR [cmake options...]
    local dir=$1
    shift
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$dir" -j "$(nproc)"
}

cmd=${1:-}
case "$cmd" in
build)
    install_missing
    build build
    ;;
demo)
    install_missing
    build build
    mpi_environment
    # One rank per CPU, at most 4, holding the scenario's 4 nodes: more ranks
    # than CPUs would leave the OS scheduler to decide when a node runs.
    ranks=$(nproc)
    ((ranks > 4)) && ranks=4
    mpirun -n "$ranks" build/clocklab experiments/default.ini -o clocklab.h5 --force \
        --set experiment.nodes=4
    analysis/clocklab-analysis plot clocklab.h5 -o figures
    ;;
test)
    install_missing "${TEST_PACKAGES[@]}"
    build build -DCLOCKLAB_WERROR=ON
    mpi_environment
    # The MPI tests run once, in the sanitized build below: they check the
    # same behaviour there and would add some 290 s here (docs/install.md,
    # "The tests"); the plain build still runs MPI jobs in the analysis
    # fixture and the documented commands.
    (cd build && ctest --output-on-failure -LE mpi)
    build build-sanitize -DCLOCKLAB_SANITIZE=ON -DCLOCKLAB_WERROR=ON
    # Open MPI's own allocations are not ours to fix: leaks are not checked.
    (cd build-sanitize && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 \
        ctest --output-on-failure -L "unit|mpi")
    bash tests/fuzz/run.sh 60
    ;;
*)
    echo "usage: bash scripts/setup.sh demo|test|build" >&2
    exit 2
    ;;
esac
