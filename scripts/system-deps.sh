#!/usr/bin/env bash
# Installs the system packages the tests use, when they are missing and we may (root with apt-get).
# Without root it only lists what is missing; the tests that need a missing part skip (or fail under CI=true).
set -euo pipefail

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

have_cmd chromium || need+=(chromium)
have_cmd Xvfb || need+=(xvfb)
have_pkg libgl1-mesa-dri || need+=(libgl1-mesa-dri)
have_pkg libegl1 || need+=(libegl1)
have_pkg libmtdev1 || need+=(libmtdev1)
have_pkg fonts-noto-cjk || need+=(fonts-noto-cjk)
have_cmd espeak-ng || need+=(espeak-ng)
have_cmd aplay || need+=(alsa-utils)  # the kiosk's spoken guidance plays through it
have_cmd fc-match || need+=(fontconfig)
have_cmd xdotool || need+=(xdotool)
have_cmd nginx || need+=(nginx-light)        # the TLS proxy example in deploy/
have_cmd openssl || need+=(openssl)
have_cmd systemd-analyze || need+=(systemd)  # verifies the service units in deploy/
have_pkg libusb-1.0-0 || need+=(libusb-1.0-0)  # pyusb's backend, for USB ticket printers

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && have_cmd apt-get; then
  echo "installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "missing system packages (install them as root): ${need[*]}" >&2
fi
