#!/usr/bin/env bash
# Feed-history replay (issue 25): a folder of dated AWS feeds (aws-ip-ranges-DATE.json.gz) replayed in date order
# through RefreshProviders and Plan, a run every EVERY days between feeds (DNS fixed: replayed observations), every
# would-be pull request applied with `git apply` in a scratch repository; prints pull requests and their sizes,
# merges that left published space unadmitted, and merged changes that did not plan clean. The folder is read where
# it is, never copied. Usage: bench/feed-history.sh DIR [--every=DAYS] [--limit=N] [--keep]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 DIR [--every=DAYS] [--limit=N] [--keep]" >&2; exit 2; }
cd "$(dirname "$0")/.."
dotnet build bench/FeedHistory -c Release -v quiet -nologo >/dev/null
dotnet bench/FeedHistory/bin/Release/net10.0/FeedHistory.dll "$@"
