#!/usr/bin/env bash
# `npm start` runs this first: builds (compiles, and trains the language model) only when something the build
# reads changed since the last build, so a restart with nothing changed starts the bot at once. The stamp is
# made when a build starts, so a file edited during a build is built again next time.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=dist/.built
if [ -f "$stamp" ] && [ -z "$(find src dialogs locales tsconfig.json tsconfig.build.json package.json \
  -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
mkdir -p dist
touch dist/.building
npm run --silent build
mv dist/.building "$stamp"
