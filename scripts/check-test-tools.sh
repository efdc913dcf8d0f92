#!/usr/bin/env bash
# Run before the tests: they need redis-server (they start their own on free ports), Chromium (the browser
# tests drive the pages with playwright-core) and Firefox ESR (the same pages driven with puppeteer-core over
# WebDriver BiDi). Installs Debian's packages when missing and running as root; otherwise says exactly what
# to install.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
[ -x "${FIREFOX_PATH:-/usr/bin/firefox-esr}" ] || missing+=(firefox-esr)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  # apt and dpkg print a line per package (hundreds for the browsers): kept aside, shown only if the install fails.
  log="$(mktemp)"
  if apt-get update -qq >"$log" 2>&1 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 \
      "${missing[@]}" >>"$log" 2>&1; then
    echo "Installed the Debian packages the tests need: ${missing[*]} ($(grep -c '^Setting up' "$log") packages)."
    rm -f "$log"
    exit 0
  fi
  echo "Installing ${missing[*]} failed; apt's last lines:" >&2
  tail -n 20 "$log" >&2
  rm -f "$log"
fi
echo "The tests need: ${missing[*]}. Install them (Debian: sudo apt-get install ${missing[*]}; elsewhere redis, a Chromium and a Firefox, with CHROMIUM_PATH and FIREFOX_PATH naming the browsers) and run npm test again." >&2
exit 1
