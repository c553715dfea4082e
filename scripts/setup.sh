#!/usr/bin/env bash
# Set-up for a development checkout on Debian/Ubuntu: the system packages the tests and the demo use
# (SoftHSM2, OpenSC, NSS tools, GnuTLS, OpenSSL, Chromium), then the npm packages (npm ci), which
# also builds the app. Idempotent: installs only what is missing. Elsewhere, install the
# equivalents by hand (see README) and run `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(softhsm2 opensc libnss3-tools gnutls-bin openssl chromium ca-certificates)
need=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "setup: installing Debian packages: ${need[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
  fi
else
  echo "setup: not a Debian system; install SoftHSM2, OpenSC, NSS tools, GnuTLS, OpenSSL and Chromium yourself." >&2
fi
command -v keytool >/dev/null 2>&1 || echo "setup: note: Java keytool not found; the keytool PKCS#12 interoperability test will fail." >&2

# npm ci installs exactly the lock file; the Electron binary download is disabled by allowScripts
# (it is not reachable from here), and `prepare` builds the bundles.
npm ci --no-audit --no-fund
