#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine with Swift: installs what the tests use (curl, openssl,
# pkg-config, libopenblas-dev, zlib/xz/bzip2 headers, PostgreSQL, the Python test clients), builds once,
# runs the libFuzzer targets for a fixed number of runs, the Swift tests, then the end-to-end tests (real binary,
# OpenAI SDK, curl) against that same build.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v curl >/dev/null || missing+=(curl)
command -v openssl >/dev/null || missing+=(openssl)
command -v pkg-config >/dev/null || missing+=(pkg-config)
# OpenBLAS for RampartML's matrix products.
pkg-config --exists openblas 2>/dev/null || missing+=(libopenblas-dev)
# zlib, liblzma and libbzip2 for the model scanner's decompressors.
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
[ -f /usr/include/lzma.h ] || missing+=(liblzma-dev)
[ -f /usr/include/bzlib.h ] || missing+=(libbz2-dev)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; else sudo apt-get install -y "${missing[@]}"; fi
fi
python3 -m pip install -q --disable-pip-version-check -r Tests/e2e/requirements.txt

# One release build for everything: the attacks, training and the model runtime are only fast optimized, and the
# package sets no compiler flags of its own (its libraries stay usable as versioned dependencies). -enable-testing
# lets the tests' @testable imports see internal API in a release build.
swift build -c release --build-tests -Xswiftc -enable-testing
RAMPART_BIN_DIR=$(swift build -c release -Xswiftc -enable-testing --show-bin-path)
export RAMPART_BIN_DIR
bash Fuzz/run.sh 200000

# The store's suites run against SQLite and against a real PostgreSQL server on loopback (installed if missing,
# started here, stopped on exit).
RAMPART_TEST_POSTGRES=$(bash scripts/postgres.sh start)
export RAMPART_TEST_POSTGRES
trap 'bash scripts/postgres.sh stop' EXIT
swift test -c release --skip-build
python3 -m pytest -q Tests/e2e
