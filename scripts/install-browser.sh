#!/bin/sh
# Install the headless Chromium that the browser tests drive (Debian / Ubuntu).
# Idempotent: does nothing when chromium is already on the PATH. Run as root in CI.
set -eu

if command -v chromium >/dev/null 2>&1; then
    echo "chromium already installed: $(command -v chromium)"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "install-browser.sh: chromium is missing and this is not root; run as root:" >&2
        echo "  apt-get update && apt-get install -y chromium chromium-driver" >&2
        exit 1
    fi
else
    SUDO=""
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y chromium chromium-driver
command -v chromium
