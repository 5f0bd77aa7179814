#!/usr/bin/env bash
# Builds @tensorflow/tfjs-node 4.22.0 without internet access, against the libraries of a TensorFlow CPU wheel
# that is already on disk (tfjs-node's own install script downloads libtensorflow, which fails offline).
#
#   bash bench/tfjs-node-from-wheel.sh WHEEL [DEST]      (DEST defaults to bench/.cache/tfjs-node)
#   e.g. bash bench/tfjs-node-from-wheel.sh /opt/pypi/files/tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl
#
# The wheel's libtensorflow_cc.so.2 and libtensorflow_framework.so.2 export the TensorFlow C API that tfjs-node's
# binding calls; the binding is compiled with node-gyp (shipped inside npm) against this node's headers. Only the
# npm registry is contacted. Then point Tensor Trace at it: the CLI's `--tfjs-node DIR`, the setting
# `tensorTrace.tfjsNodePath`, or `npx tsx bench/conv-block.bench.ts --backend node --tfjs-node DIR`.
set -euo pipefail

WHEEL=$(readlink -f "${1:?usage: bash bench/tfjs-node-from-wheel.sh WHEEL [DEST]}")
DEST=${2:-bench/.cache/tfjs-node}
VERSION=4.22.0
[ -f "$WHEEL" ] || { echo "no such wheel: $WHEEL" >&2; exit 2; }

mkdir -p "$DEST"
cd "$DEST"
DEST=$(pwd)
[ -f package.json ] || echo '{ "name": "tfjs-node-from-wheel", "private": true }' > package.json
echo "[tfjs-node] npm install @tensorflow/tfjs-node@$VERSION without its install script"
npm install --no-save --no-audit --no-fund --ignore-scripts "@tensorflow/tfjs-node@$VERSION" > /dev/null
PKG="$DEST/node_modules/@tensorflow/tfjs-node"

echo "[tfjs-node] unpacking the TensorFlow C libraries and headers from $(basename "$WHEEL")"
rm -rf wheel && mkdir wheel
unzip -q -o "$WHEEL" 'tensorflow/libtensorflow_cc.so.2' 'tensorflow/libtensorflow_framework.so.2' 'tensorflow/include/*' -d wheel
mkdir -p "$PKG/deps/lib"
ln -f wheel/tensorflow/libtensorflow_cc.so.2 wheel/tensorflow/libtensorflow_framework.so.2 "$PKG/deps/lib/"
# binding.gyp links -ltensorflow -ltensorflow_framework; the addon then needs the libraries by their SONAMEs,
# found through its rpath $ORIGIN/../../deps/lib.
ln -sfn libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow.so"
ln -sfn libtensorflow_framework.so.2 "$PKG/deps/lib/libtensorflow_framework.so"
rm -rf "$PKG/deps/include"
cp -al wheel/tensorflow/include "$PKG/deps/include"

echo "[tfjs-node] compiling the binding"
NODE_GYP="$(npm prefix -g)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
NODE_DIR=$(node -p 'require("path").resolve(process.execPath, "..", "..")')
# node-pre-gyp looks for the addon under lib/napi-v<highest N-API version in the package's list ≤ node's>: 8.
(cd "$PKG" && node "$NODE_GYP" rebuild --nodedir="$NODE_DIR" --module_name=tfjs_binding \
  --module_path="$PKG/lib/napi-v8" --napi_build_version=8 -j 2 > "$DEST/build.log" 2>&1) \
  || { tail -30 "$DEST/build.log" >&2; exit 1; }

TF_CPP_MIN_LOG_LEVEL=2 node -e '
  const tf = require(process.argv[1]);
  const y = tf.conv2d(tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 1]), 1, "same");
  if (tf.getBackend() !== "tensorflow" || y.dataSync()[5] !== 18) throw new Error("tfjs-node does not compute");
  console.log(`[tfjs-node] ready: backend ${tf.getBackend()}, ${process.argv[1]}`);
' "$PKG"
