#!/usr/bin/env bash
# Debian packages the test suite uses: chromium (browser tests) and postgresql (the
# PostgreSQL pass of the workspace tests). Installed only when missing; when they cannot
# be installed the affected tests skip with a visible notice.
set -uo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "NOTICE: apt-get not available; cannot install ${need[*]} (those tests will be skipped)" >&2
  exit 0
fi
echo "installing Debian packages: ${need[*]}" >&2
$SUDO apt-get update -qq >/dev/null 2>&1 || true
if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null 2>&1; then
  echo "NOTICE: could not install ${need[*]} (those tests will be skipped)" >&2
fi
exit 0
