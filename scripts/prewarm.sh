#!/bin/sh
# Pre-warms the cache with curl: POSTs every processing (or /info) URL of a file (one per line, # starts a
# comment, paths are relative to IMGFLO_API_SERVER), N at a time, for cron jobs.
#   IMGFLO_API_SERVER=https://img.example.com scripts/prewarm.sh [-P 4] urls.txt
# Prints one "status url" line per URL, then a summary; exits 1 when any failed. Transient
# failures (no connection, 408, 429, 5xx) are tried twice more, a second apart.
set -eu
parallel=4
if [ "${1:-}" = "-P" ]; then parallel=$2; shift 2; fi
if [ $# -ne 1 ]; then echo "usage: $0 [-P N] <file|->" >&2; exit 2; fi
if [ "$1" != - ] && [ ! -r "$1" ]; then echo "$0: cannot read the list $1" >&2; exit 2; fi
server=${IMGFLO_API_SERVER:-http://127.0.0.1:8787}
server=${server%/}
results=$(mktemp)
trap 'rm -f "$results"' EXIT

grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$1" |
  while IFS= read -r line; do
    case $line in http://*|https://*) printf '%s\n' "$line" ;; *) printf '%s/%s\n' "$server" "${line#/}" ;; esac
  done |
  # Each body to a file of its own: curl cannot start /dev/null over for a retry (it would exit
  # 23 and print no status, and the URL would go uncounted).
  xargs -P "$parallel" -I{} sh -c 'body=$(mktemp); curl -s -o "$body" -X POST --max-time 60 --retry 2 --retry-delay 1 --retry-connrefused -w "%{http_code} %{url_effective}\n" "$1"; rm -f "$body"' prewarm {} |
  tee "$results"

total=$(wc -l < "$results" | tr -d ' ')
failed=$(awk '$1 != "200" && $1 != "202" && $1 != "301" && $1 != "302"' "$results" | wc -l | tr -d ' ')
summary=$(awk '{print $1}' "$results" | sort | uniq -c | awk '{printf "%s%s ×%s", sep, $2, $1; sep=", "}')
echo "$total URLs: ${summary:-none}; $failed failed"
[ "$failed" -eq 0 ]
