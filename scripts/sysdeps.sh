#!/usr/bin/env bash
# Installs the Qt system libraries MedBill Desk needs (Debian 12 / Ubuntu).
# As root it runs apt-get; otherwise it prints the exact line to run.
# Usage: scripts/sysdeps.sh [test|run|screenshots|dist|venv]
set -euo pipefail
want=${1:-run}
pkgs=(libegl1 libgl1 libx11-6 libxkbcommon0 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3)
window=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0
        libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0)
case "$want" in
  run) pkgs+=("${window[@]}") ;;
  test) pkgs+=(poppler-utils) ;;
  screenshots) pkgs+=("${window[@]}" xvfb xauth poppler-utils) ;;
  dist) pkgs+=(binutils) ;;  # PyInstaller reads the libraries with objdump
  venv) pkgs=(python3-venv) ;;  # Debian's python3 makes no venv with pip without it
esac
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "sysdeps: not a Debian/Ubuntu system; install the Qt 6 runtime libraries yourself." >&2
  exit 0
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "sysdeps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || true
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "sysdeps: these system packages are missing. Run:" >&2
  echo "  sudo $line" >&2
  exit 1
fi
