#!/usr/bin/env bash
# make-bytes-in-flight.sh - regenerate test/truth-extra/bytes-in-flight.json: Wireshark's
# tcp.analysis.bytes_in_flight per frame of a few corpus captures and of one generated scenario
# capture (flowbench simulate, deterministic: the test regenerates the same bytes). Only
# numbers are stored: frame number and bytes in flight.
#
#   test/truth-extra/make-bytes-in-flight.sh [CORPUS_DIR]   # default: $FLOWBENCH_CORPUS or ../shared/corpus
#
# Per file it runs (tshark 4.0.17, default preferences, like the corpus truth):
#   tshark -n -r FILE -Y tcp.analysis.bytes_in_flight -T fields -e frame.number -e tcp.analysis.bytes_in_flight
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CORPUS=${1:-${FLOWBENCH_CORPUS:-$HERE/../../../shared/corpus}}
OUT=$HERE/bytes-in-flight.json
FILES="ndpi__netflix.pcap ndpi__reddit.pcap ndpi__alexa-app.pcapng zeek__bro.org.pcap zeek__irc-dcc-send.pcapng zeek__smb3_multichannel.pcap"
# The generated capture: keep these options equal to SIMULATED in test/bytes-in-flight-truth.test.ts.
SIM_ARGS=(simulate --scenario mixed --duration 60 --rate 300 --seed 42)
export LC_ALL=C TZ=UTC
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export WIRESHARK_CONFIG_DIR="$TMP/wsconf"
mkdir -p "$WIRESHARK_CONFIG_DIR"
for name in $FILES; do
  tshark -n -r "$CORPUS/pcap/$name" -Y tcp.analysis.bytes_in_flight -T fields \
    -e frame.number -e tcp.analysis.bytes_in_flight >"$TMP/$name.tsv" 2>/dev/null
done
SIM="$TMP/simulated-mixed-seed42.pcapng"
(cd "$ROOT" && node --import tsx -e "import('./src-main/cli/main.ts').then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })" \
  -- "${SIM_ARGS[@]}" --out "$SIM" >/dev/null)
tshark -n -r "$SIM" -Y tcp.analysis.bytes_in_flight -T fields \
  -e frame.number -e tcp.analysis.bytes_in_flight >"$TMP/simulated-mixed-seed42.pcapng.tsv" 2>/dev/null
VERSION=$(tshark --version | head -1)
python3 - "$TMP" "$OUT" "$VERSION" "${SIM_ARGS[*]}" <<'PY'
import json, os, sys
tmp, out, version, sim = sys.argv[1:5]
files = {}
for name in sorted(os.listdir(tmp)):
    if not name.endswith('.tsv'):
        continue
    rows = []
    for line in open(os.path.join(tmp, name)):
        frame, v = line.rstrip('\n').split('\t')
        rows.append([int(frame), int(v)])
    files[name[:-4]] = rows
doc = {
    "what": "Wireshark tcp.analysis.bytes_in_flight per frame: [frame number, bytes]",
    "tool": version,
    "command": "tshark -n -r FILE -Y tcp.analysis.bytes_in_flight -T fields -e frame.number -e tcp.analysis.bytes_in_flight",
    "simulated": "simulated-mixed-seed42.pcapng = flowbench " + sim,
    "files": files,
}
with open(out, 'w') as fh:
    json.dump(doc, fh, indent=None, separators=(',', ':'))
    fh.write('\n')
print(f"{out}: {sum(len(v) for v in files.values())} values in {len(files)} files")
PY
