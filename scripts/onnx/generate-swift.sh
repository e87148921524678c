#!/usr/bin/env bash
# Regenerates Sources/RampartONNX/Proto/onnx-ml.pb.swift from onnx-ml.proto as the `onnx` PyPI wheel ships it (the
# ONNX IR with the ONNX-ML extensions; onnx.proto is a subset). Run once per ONNX or swift-protobuf upgrade; the output
# is committed, so builds never need protoc or the plugin (the plugin's first build takes ~10 minutes).
#   bash scripts/onnx/generate-swift.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ONNX_VERSION=${ONNX_VERSION:-1.23.2}
PROTOBUF_VERSION=${PROTOBUF_VERSION:-1.39.0}   # the swift-protobuf version Package.swift names
command -v protoc >/dev/null || { apt-get update -qq && apt-get install -y -qq protobuf-compiler >/dev/null; }
python3 -m pip install -q --disable-pip-version-check "onnx==$ONNX_VERSION"
PROTO_DIR=$(python3 -c "import onnx, os; print(os.path.dirname(onnx.__file__))")
PLUGIN_SRC=${PLUGIN_SRC:-/tmp/swift-protobuf-$PROTOBUF_VERSION}
if [ ! -x "$PLUGIN_SRC/.build/release/protoc-gen-swift" ]; then
    rm -rf "$PLUGIN_SRC"
    git clone -q https://github.com/apple/swift-protobuf.git "$PLUGIN_SRC"
    git -C "$PLUGIN_SRC" checkout -q "$PROTOBUF_VERSION"
    (cd "$PLUGIN_SRC" && swift build -c release --product protoc-gen-swift >&2)
fi
protoc --plugin=protoc-gen-swift="$PLUGIN_SRC/.build/release/protoc-gen-swift" --swift_opt=Visibility=Public \
    --swift_out=Sources/RampartONNX/Proto -I "$PROTO_DIR" "$PROTO_DIR/onnx-ml.proto"
echo "generated Sources/RampartONNX/Proto/onnx-ml.pb.swift from onnx $ONNX_VERSION with swift-protobuf $PROTOBUF_VERSION" >&2
