#!/usr/bin/env bash
# The GPU check: on a machine with a GPU, make Deno's WebGPU see it, then run `doctor`, the GPU
# benchmark (`bench.ts --backend webgpu`: the tutorial and the lecture's 64x64 DCGAN, with PyTorch
# on CUDA and the wasm backend side by side) and notebook 02 in the `gpu` profile, each under a time
# limit, writing everything to one output folder. About 10 minutes.
#
#   bench/gpu_check.sh prepare            here, where npm and Debian's registry answer: build
#                                         bench/gpu_bundle/ (git-ignored, ~45 MB) for a GPU machine
#                                         that reaches no registry: Deno (xz), libvulkan1 (.deb),
#                                         the benchmark and notebook 02 bundled as JavaScript
#   bench/gpu_check.sh run [OUT]          on the GPU machine; uses bench/gpu_bundle/ when it is
#                                         there, else this checkout as it is (deno task ...)
#
# Environment: COURSE_BACKEND (default webgpu: forced, so that a software adapter still runs, and
# the output says which adapter it was), GPU_CHECK_PROFILE (default gpu; ci for a quick try),
# GPU_CHECK_BENCH_ARGS (extra benchmark flags, e.g. "--width 0.125 --steps 3").
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUNDLE="$ROOT/bench/gpu_bundle"
DENO_VERSION=2.9.6

find_deno() {
  if [ -x "$BUNDLE/deno" ]; then echo "$BUNDLE/deno"; return; fi
  if command -v deno >/dev/null; then command -v deno; return; fi
  if [ -f "$BUNDLE/deno.xz" ]; then
    xz -dc "$BUNDLE/deno.xz" >"$BUNDLE/deno" && chmod +x "$BUNDLE/deno" && echo "$BUNDLE/deno"
    return
  fi
  echo "npx -y deno@$DENO_VERSION"
}

prepare() {
  set -e
  rm -rf "$BUNDLE" && mkdir -p "$BUNDLE"
  local deno
  deno=$(command -v deno || true)
  if [ -z "$deno" ]; then
    npx -y "deno@$DENO_VERSION" --version >/dev/null
    deno=$(find "$HOME/.npm/_npx" -path '*linux-x64-glibc/deno' -type f | head -1)
  fi
  deno=$(readlink -f "$deno")
  echo "gpu_check: Deno $("$deno" --version | head -1) -> deno.xz"
  xz -T0 -6 -c "$deno" >"$BUNDLE/deno.xz"
  echo "gpu_check: Debian's libvulkan1 (the Vulkan loader Deno's WebGPU needs)"
  (cd "$BUNDLE" && apt-get download libvulkan1 >/dev/null)
  echo "gpu_check: bundling the benchmark and notebook 02"
  "$deno" task setup >/dev/null
  mkdir -p runs
  "$deno" run -A scripts/notebook_script.ts notebooks/02_dcgan.ipynb "$ROOT/runs/gpu_check_02.ts"
  # sharp (image output) is native: it stays a package, carried with its libvips below.
  local b
  for b in bench:bench/bench.ts doctor:scripts/doctor.ts notebook_02:runs/gpu_check_02.ts; do
    "$deno" bundle --platform deno --external sharp -o "$BUNDLE/${b%%:*}.js" "${b#*:}"
  done
  # tfjs-backend-wasm finds its .wasm files next to its module (__dirname in Node terms).
  # The bundles are compressed to fit a 64 MiB carry (MNIST's digits alone are 30 MB of JS).
  for f in bench doctor notebook_02; do
    { echo 'globalThis.__dirname = new URL(".", import.meta.url).pathname;'; cat "$BUNDLE/$f.js"; } \
      | xz -T0 -6 >"$BUNDLE/$f.js.xz" && rm "$BUNDLE/$f.js"
  done
  cp node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm \
    node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm "$BUNDLE/"
  cp bench/torch_dcgan.py "$BUNDLE/"
  local staging="$BUNDLE/sharp_modules" spec
  mkdir -p "$staging/node_modules/@img"
  for spec in sharp detect-libc semver @img/colour @img/sharp-linux-x64 @img/sharp-libvips-linux-x64; do
    cp -rL "node_modules/.deno/$(ls node_modules/.deno | grep -m1 "^${spec/\//+}@")/node_modules/$spec" \
      "$staging/node_modules/$spec"
  done
  echo '{ "dependencies": { "sharp": "*" } }' >"$staging/package.json"
  tar -C "$staging" -cJf "$BUNDLE/sharp_modules.tar.xz" node_modules package.json
  rm -rf "$staging"
  du -sh "$BUNDLE"
  echo "gpu_check: carry bench/gpu_bundle (the device tool: carry [\"bench/gpu_bundle\"]) and run" \
    "bench/gpu_check.sh run"
}

# Make the Vulkan loader and the NVIDIA driver's Vulkan part visible to Deno.
setup_vulkan() {
  local out=$1
  if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1' \
    && ! ls /usr/lib/*/libvulkan.so.1 >/dev/null 2>&1; then
    local deb
    deb=$(ls "$BUNDLE"/libvulkan1_*.deb 2>/dev/null | head -1)
    if [ -n "$deb" ]; then
      dpkg -x "$deb" "$BUNDLE/root"
      export LD_LIBRARY_PATH="$(dirname "$(find "$BUNDLE/root" -name 'libvulkan.so.1' | head -1)"):${LD_LIBRARY_PATH:-}"
      echo "vulkan loader: from $deb" | tee -a "$out/summary.txt"
    else
      echo "vulkan loader: missing (apt-get install libvulkan1, or run prepare)" \
        | tee -a "$out/summary.txt"
    fi
  fi
  local icd=""
  for dir in /usr/share/vulkan/icd.d /etc/vulkan/icd.d; do
    icd=$(ls "$dir"/nvidia*.json 2>/dev/null | head -1)
    [ -n "$icd" ] && break
  done
  if [ -z "$icd" ]; then
    # A container given the GPU for compute only may still have the driver's GL library, which
    # is also its Vulkan driver: describe it to the loader.
    local lib
    lib=$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia.so.0/ {print $NF; exit}')
    [ -z "$lib" ] && lib=$(ls /usr/lib/*/libGLX_nvidia.so.0 /usr/lib64/libGLX_nvidia.so.0 2>/dev/null | head -1)
    if [ -n "$lib" ]; then
      icd="$out/nvidia_icd.json"
      printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3"}}\n' \
        "$lib" >"$icd"
    fi
  fi
  if [ -n "$icd" ]; then
    export VK_ICD_FILENAMES="$icd" VK_DRIVER_FILES="$icd"
    echo "vulkan driver: $icd" | tee -a "$out/summary.txt"
  else
    echo "vulkan driver: no NVIDIA Vulkan ICD and no libGLX_nvidia.so.0 (a container needs" \
      "NVIDIA_DRIVER_CAPABILITIES to include graphics)" | tee -a "$out/summary.txt"
  fi
}

# phase NAME SECONDS COMMAND...: run with a time limit, log to OUT/NAME.txt, note the outcome.
phase() {
  local name=$1 limit=$2
  shift 2
  local start=$SECONDS
  timeout --kill-after=10 "$limit" "$@" >"$OUT/$name.txt" 2>&1
  local rc=$?
  echo "$name: exit $rc in $((SECONDS - start)) s (limit $limit s)" | tee -a "$OUT/summary.txt"
  tail -n 15 "$OUT/$name.txt"
}

run() {
  OUT=$(realpath -m "${1:-runs/gpu_check}")
  mkdir -p "$OUT"
  : >"$OUT/summary.txt"
  export COURSE_BACKEND=${COURSE_BACKEND:-webgpu}
  local profile=${GPU_CHECK_PROFILE:-gpu}
  local bench_args=${GPU_CHECK_BENCH_ARGS:-}
  echo "gpu_check: $(date -u +%FT%TZ), backend $COURSE_BACKEND, profile $profile" \
    | tee -a "$OUT/summary.txt"
  nvidia-smi >"$OUT/nvidia-smi.txt" 2>&1 || echo "no nvidia-smi" >>"$OUT/nvidia-smi.txt"
  setup_vulkan "$OUT"
  local deno
  deno=$(find_deno)
  export COURSE_RESULTS="$OUT/results.jsonl" COURSE_PROFILE=$profile
  for f in "$BUNDLE"/*.js.xz; do [ -f "$f" ] && xz -dkf "$f"; done
  [ -f "$BUNDLE/sharp_modules.tar.xz" ] && tar -C "$BUNDLE" -xJf "$BUNDLE/sharp_modules.tar.xz"
  if [ -f "$BUNDLE/bench.js" ]; then
    # Bundle mode: no node_modules, no Jupyter; notebook 02 runs as a script of its code cells.
    # Run from the bundle's folder: its package.json and node_modules/ give the bundles sharp.
    local run_js="$deno run -A --node-modules-dir=manual"
    cd "$BUNDLE"
    phase doctor 120 $run_js doctor.js
    phase bench 300 $run_js bench.js --backend "$COURSE_BACKEND" --out "$OUT" $bench_args
    phase notebook_02 420 $run_js notebook_02.js
    cd "$ROOT"
  else
    phase doctor 120 $deno task doctor
    phase bench 300 $deno task bench --backend "$COURSE_BACKEND" --out "$OUT" $bench_args
    phase notebook_02 420 $deno task notebooks notebooks/02_dcgan.ipynb --profile "$profile" \
      --timeout 400
    [ -f notebooks/11_faces.ipynb ] && phase notebook_11 300 $deno task notebooks \
      notebooks/11_faces.ipynb --profile "$profile" --timeout 280
  fi
  echo "gpu_check: done; everything is in $OUT" | tee -a "$OUT/summary.txt"
}

case "${1:-}" in
  prepare) prepare ;;
  run) run "${2:-}" ;;
  *)
    echo "usage: bench/gpu_check.sh prepare | run [OUT]" >&2
    exit 2
    ;;
esac
