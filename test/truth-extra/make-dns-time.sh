#!/usr/bin/env bash
# make-dns-time.sh - regenerate test/truth-extra/dns-time.json: Wireshark's dns.time (DNS
# query -> response latency) per frame of every corpus capture, which the corpus truth lacks.
# Only numbers are stored: frame number and dns.time in integer nanoseconds.
#
#   test/truth-extra/make-dns-time.sh [CORPUS_DIR]     # default: $FLOWBENCH_CORPUS or ../shared/corpus
#
# Per file it runs (tshark 4.0.17, default preferences, like the corpus truth):
#   tshark -n -r FILE -Y dns.time -T fields -E occurrence=l -e frame.number -e dns.time
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS=${1:-${FLOWBENCH_CORPUS:-$HERE/../../../shared/corpus}}
OUT=$HERE/dns-time.json
export LC_ALL=C TZ=UTC
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# never read a personal Wireshark profile (default preferences only)
export WIRESHARK_CONFIG_DIR="$TMP/wsconf"
mkdir -p "$WIRESHARK_CONFIG_DIR"
for f in "$CORPUS"/pcap/*; do
  tshark -n -r "$f" -Y dns.time -T fields -E occurrence=l -e frame.number -e dns.time \
    >"$TMP/$(basename "$f").tsv" 2>/dev/null
done
VERSION=$(tshark --version | head -1)
python3 - "$TMP" "$OUT" "$VERSION" <<'PY'
import json, os, sys
from decimal import Decimal
tmp, out, version = sys.argv[1:4]
files = {}
for name in sorted(os.listdir(tmp)):
    if not name.endswith('.tsv'):
        continue
    rows = []
    for line in open(os.path.join(tmp, name)):
        frame, t = line.rstrip('\n').split('\t')
        rows.append([int(frame), int(Decimal(t) * 1_000_000_000)])
    files[name[:-4]] = rows
doc = {
    "what": "Wireshark dns.time per frame of each corpus capture: [frame number, nanoseconds]; files without DNS responses have []",
    "tool": version,
    "command": "tshark -n -r FILE -Y dns.time -T fields -E occurrence=l -e frame.number -e dns.time",
    "files": files,
}
with open(out, 'w') as fh:
    json.dump(doc, fh, indent=None, separators=(',', ':'))
    fh.write('\n')
print(f"{out}: {sum(len(v) for v in files.values())} dns.time values in {len(files)} files")
PY
