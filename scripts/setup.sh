#!/usr/bin/env bash
# Set up newsdesk from scratch: a virtual environment, the CPU build of PyTorch first (an unpinned torch
# pulls several GB of CUDA packages), then newsdesk with its test, Milvus and Ray extras, then Debian's Chromium for the
# browser test (skipped when not root or when NEWSDESK_SKIP_BROWSER=1).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet torch==2.13.0
.venv/bin/pip install --quiet -e ".[test,milvus,ray]"
if [ "${NEWSDESK_SKIP_BROWSER:-0}" != "1" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium not installed: run 'sudo apt-get install chromium' for the browser test." >&2
  fi
fi
echo "newsdesk is set up: start the UI with '.venv/bin/python app.py', run the tests with '.venv/bin/python -m pytest'."
