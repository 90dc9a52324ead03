#!/usr/bin/env bash
# Wheels for `make gpu-check` on a GPU machine without internet access whose image already has
# CUDA torch and the usual scientific stack (numpy, pillow, opencv, pyarrow, accelerate, peft, ...):
# what the core and the `train` extra need beyond such an image, for CPython 3.12 on x86_64, at the
# versions this checkout's .venv runs (so the GPU run uses the versions CI tested).
#
#   scripts/gpu_wheels.sh [OUT_DIR]          # default .whl/ (git-ignored)
#   then, on the GPU machine, from the repository root:
#   python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl
#   PYTHONPATH=/tmp/site make gpu-check
#
# GPU_WHEELS overrides the package list; GPU_PYTHON_VERSION the Python version (default 3.12).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.whl}
pyv=${GPU_PYTHON_VERSION:-3.12}
pkgs=${GPU_WHEELS:-"transformers trl datasets dill multiprocess pydantic pydantic_core annotated-types
  typing-inspection SQLAlchemy greenlet alembic Mako fastapi starlette annotated-doc uvicorn python-multipart
  argon2-cffi argon2-cffi-bindings itsdangerous sniffio liger-kernel"}
py=.venv/bin/python
[ -x "$py" ] || { echo "run make install-full first (versions are read from .venv)" >&2; exit 1; }
mkdir -p "$out"
platforms=()
for p in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64; do
  platforms+=(--platform "$p")
done
for name in $pkgs; do
  version=$("$py" -m pip show "$name" 2>/dev/null | awk '/^Version:/{print $2}')
  spec="$name${version:+==$version}"
  "$py" -m pip download -q --no-deps --only-binary=:all: --python-version "$pyv" --implementation cp \
    "${platforms[@]}" -d "$out" "$spec"
done
du -sh "$out"
