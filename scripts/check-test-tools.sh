#!/usr/bin/env bash
# Run before the tests: they need redis-server (they start their own on free ports).
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "redis-server is missing; installing Debian's redis-server package…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server && exit 0
fi
echo "The tests need redis-server. Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) and run npm test again." >&2
exit 1
