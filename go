#!/usr/bin/env bash
# Set up (once) and run.  ./go run [consim run args]  |  ./go test [pytest args]  |  ./go sh CMD
set -euo pipefail
cd "$(dirname "$0")"

python_for_venv() {
  local want
  want="$(cat .python-version 2>/dev/null || echo 3.12)"
  for cand in "${PYTHON:-}" "$(command -v pyenv >/dev/null && pyenv root 2>/dev/null)/versions/$want/bin/python" \
              "python$want" "python${want%.*}" python3.12 python3; do
    [ -n "$cand" ] || continue
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$cand"; return 0
    fi
  done
  echo "error: Python >= 3.12 is needed (pyenv install $want, or set PYTHON=/path/to/python3.12)" >&2
  return 1
}

setup() {  # setup EXTRA: create .venv and install the package with that extra, when needed
  local extra="$1" stamp=".venv/.installed-${1:-base}" target="."
  [ -z "$extra" ] || target=".[$extra]"
  if [ ! -x .venv/bin/python ]; then
    "$(python_for_venv)" -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$target"
    touch "$stamp"
  fi
}

cmd="${1:-run}"; shift || true
case "$cmd" in
  run)
    setup ""
    if [ $# -eq 0 ]; then set -- scenarios/baseline.yaml; fi
    exec .venv/bin/consim run "$@" ;;
  test)
    setup dev
    bash scripts/install-browser.sh
    .venv/bin/ruff check sim tests experiments
    .venv/bin/ruff format --check sim tests experiments
    exec .venv/bin/python -m pytest "$@" ;;
  sh)
    setup dev
    exec "$@" ;;
  *)
    echo "usage: ./go run [SCENARIO] [consim run options] | ./go test [pytest options] | ./go sh CMD" >&2
    exit 2 ;;
esac
