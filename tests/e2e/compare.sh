#!/usr/bin/env bash
# pipespec diff, --shard and merge on reports of real runs under Wine:
#  - a run split into --shard 1/2 and 2/2 and merged equals the whole run (same cases in
#    the same order, same outcomes, and pipespec diff finds no difference in any step);
#  - every case of list --shard K/3 is in exactly one shard;
#  - diff of a run against itself exits 0; against a doctored copy (one outcome and one
#    error code changed) it reports exactly those two and exits 1; bad input exits 2;
#  - the native pipespec_compare gives the same answers as pipespec.exe;
#  - merge of two platforms writes a well-formed matrix.html (xmllint, chromium) with a
#    labelled column per platform, and a report set per platform;
#  - report.json records the platform in full.
set -uo pipefail
src=${PIPESPEC_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PIPESPEC_BUILD:-$src/build}
ps() { "$src/ci/wine" "$build/win/pipespec.exe" "$@"; }
native=$build/pipespec_compare
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fails=0
check() { # DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
cd "$src" || { echo "FAIL: cannot cd to $src"; exit 1; }
# Cases without process actors and with few time windows, so that two runs agree.
sel=(scenarios/security scenarios/messages scenarios/info scenarios/modes scenarios/names)

# 1. the whole run, then its two shards balanced by the whole run's durations
ps run --jobs 1 --no-progress --report-dir "$out/whole" "${sel[@]}" >"$out/whole.txt" 2>&1
tail -3 "$out/whole.txt"
for k in 1 2; do
  ps run --jobs 1 --no-progress --shard $k/2 --durations "$out/whole/report.json" --report-dir "$out/s$k" \
    "${sel[@]}" >"$out/s$k.txt" 2>&1
  head -1 "$out/s$k.txt"
done
check "each shard says what share it runs" grep -q "^shard 2/2: [0-9]* of the [0-9]* selected cases (balanced by " "$out/s2.txt"
ps merge --out "$out/merged" "$out/s1/report.json" "$out/s2" >"$out/merge.txt" 2>&1
check "merge of the shards exits 0 without a warning" bash -c '[ $0 = 0 ] && ! grep -q warning "$1"' $? "$out/merge.txt"
check "the merged report is valid against docs/report.schema.json" \
  python3 tests/tools/validate_json.py docs/report.schema.json "$out/merged/report.json"
check "the merged junit.xml is valid against docs/junit.xsd" xmllint --noout --schema docs/junit.xsd "$out/merged/junit.xml"
check "shards 1/2 + 2/2 merged = the whole run: same cases, same order, same outcomes, disjoint shards" python3 -c '
import json, sys
w, s1, s2, m = (json.load(open(p)) for p in sys.argv[1:5])
ids = lambda r: [(c["id"], c["outcome"]) for c in r["cases"]]
a, b = {c["id"] for c in s1["cases"]}, {c["id"] for c in s2["cases"]}
assert s1["shard"] == {"k": 1, "n": 2} and s2["shard"] == {"k": 2, "n": 2}, "shard fields"
assert a and b and not (a & b), "the shards overlap or one is empty"
assert a | b == {c["id"] for c in w["cases"]}, "the shards miss cases"
assert ids(m) == ids(w), "merged %d cases, whole %d" % (len(m["cases"]), len(w["cases"]))
assert m["summary"] == w["summary"], (m["summary"], w["summary"])
assert "shard" not in m
' "$out/whole/report.json" "$out/s1/report.json" "$out/s2/report.json" "$out/merged/report.json"
ps diff "$out/whole" "$out/merged" >"$out/diff-merged.txt" 2>&1
check "diff whole vs merged shards: no difference in any step (exit 0)" \
  bash -c '[ $0 = 0 ] && grep -q "^The two runs agree" "$1"' $? "$out/diff-merged.txt"
[ "$fails" = 0 ] || cat "$out/diff-merged.txt"

# 2. list --shard K/3 without durations: every case in exactly one shard
ps list --json "${sel[@]}" >"$out/all.json"
for k in 1 2 3; do ps list --json --shard $k/3 "${sel[@]}" >"$out/l$k.json"; done
check "list --shard K/3: every case in exactly one of the three shards" python3 -c '
import json, sys
allids = [c["id"] for c in json.load(open(sys.argv[1]))]
parts = [[c["id"] for c in json.load(open(p))] for p in sys.argv[2:]]
flat = sum(parts, [])
assert sorted(flat) == sorted(allids) and len(set(flat)) == len(flat), "not a partition"
assert all(parts), "an empty shard"
' "$out/all.json" "$out/l1.json" "$out/l2.json" "$out/l3.json"

# 3. diff: itself, a doctored copy, bad input
ps diff "$out/whole/report.json" "$out/whole/report.json" >"$out/self.txt" 2>&1
check "diff of a run against itself exits 0" bash -c '[ $0 = 0 ] && grep -q "^The two runs agree" "$1"' $? "$out/self.txt"
python3 - "$out/whole/report.json" "$out/doctored.json" "$out/doctored.expect" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
oc = next(c for c in r["cases"] if c["outcome"] == "PASS")
oc["outcome"] = "FAIL"
ec = next(c for c in r["cases"] if c is not oc and any(e.get("error") == 0 and e.get("verdict") == "ok" for e in c["trace"]))
e = next(e for e in ec["trace"] if e.get("error") == 0 and e.get("verdict") == "ok")
e["error"], e["error_name"] = 5, "ERROR_ACCESS_DENIED"
json.dump(r, open(sys.argv[2], "w"))
step = "L%d %s %s" % (e["line"], e["actor"], e["op"])
open(sys.argv[3], "w").write("%s|-|outcome|PASS|FAIL\n%s|%s|error|ERROR_SUCCESS (0)|ERROR_ACCESS_DENIED (5)\n" % (oc["id"], ec["id"], step))
PY
ps diff --markdown "$out/d.md" --html "$out/d.html" "$out/whole/report.json" "$out/doctored.json" >"$out/doctored.txt" 2>&1
check "diff against the doctored report exits 1" [ $? = 1 ]
cat "$out/doctored.txt"
python3 - "$out/d.md" >"$out/d.rows" <<'PY'
import sys
for line in open(sys.argv[1]):
    if line.startswith("| ") and not line.startswith("| Case "):
        cells = [c.strip().replace("\\", "") for c in line.strip().strip("|").split(" | ")]
        print("|".join(cells[:5]))
PY
check "it reports exactly the changed outcome and the changed error code" \
  bash -c 'sort "$0" >"$0.s"; sort "$1" >"$1.s"; diff "$0.s" "$1.s"' "$out/d.rows" "$out/doctored.expect"
check "the summary counts 2 differences in 2 cases" grep -q "^2 difference(s) in 2 case(s)" "$out/doctored.txt"
check "diff --html is well-formed" xmllint --html --noout "$out/d.html"
"$native" diff "$out/whole/report.json" "$out/doctored.json" >"$out/native.txt" 2>&1
check "the native pipespec_compare prints the same and exits 1" \
  bash -c '[ $0 = 1 ] && diff <(tr -d "\r" <"$1") "$2"' $? "$out/doctored.txt" "$out/native.txt"
head -c 2000 "$out/whole/report.json" >"$out/cut.json"
ps diff "$out/whole/report.json" "$out/cut.json" >"$out/bad.txt" 2>&1
check "diff of a cut-off report exits 2 naming file:line:column" \
  bash -c '[ $0 = 2 ] && grep -q "cut.json:[0-9]*:[0-9]*: not valid JSON" "$1"' $? "$out/bad.txt"
ps diff "$out/whole/report.json" "$out/no-such.json" >"$out/missing.txt" 2>&1
check "diff of a missing report exits 2" bash -c '[ $0 = 2 ] && grep -q "no-such.json: cannot read" "$1"' $? "$out/missing.txt"

# 4. the platform in full, and a matrix of two platforms
check "report.json records the platform in full" python3 -c '
import json, sys
r = json.load(open(sys.argv[1])); p = r["platform_info"]
assert p["os"] == "Wine" and p["version"] and p["build"] and p["host"] and p["arch"] and p["machine"], p
assert r["platform"].startswith("Wine " ) and p["arch"] in r["platform"] and p["host"] in r["platform"], r["platform"]
' "$out/whole/report.json"
python3 - "$out/merged/report.json" "$out/other.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["platform"] = "Windows 10 Pro 22H2 (Professional) build 19045.3803, x86_64"
r["platform_info"].update(os="Windows", version="10.0.19045.3803", build="19045.3803", host=None,
                          edition="Windows 10 Pro 22H2 (Professional)", machine="other-machine")
r["cases"][0]["outcome"] = "FAIL"
r["cases"][0]["reason"] = "doctored: expected <ok> & got \"x\""
json.dump(r, open(sys.argv[2], "w"))
PY
ps merge --out "$out/matrix" "$out/whole" "$out/other.json" >"$out/matrix.txt" 2>&1
check "merge of two platforms exits 0" [ $? = 0 ]
cat "$out/matrix.txt"
check "a report set per platform" bash -c 'ls "$0"/*/report.json | wc -l | grep -qx 2 && ls "$0"/*/report.html >/dev/null' "$out/matrix"
check "matrix.html is well-formed (xmllint --html, and as XML)" \
  bash -c 'xmllint --html --noout "$0" && xmllint --noout "$0"' "$out/matrix/matrix.html"
check "matrix.html is self-contained" bash -c '! grep -Eq "(src|href)=" "$0"' "$out/matrix/matrix.html"
if command -v chromium >/dev/null; then
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$out/chrome" --dump-dom "file://$out/matrix/matrix.html" >"$out/dom.html" 2>"$out/chrome.log"
  check "chromium: two labelled platform columns, a row per case, the doctored row marked" python3 -c '
import json, re, sys
d = open(sys.argv[1]).read(); r = json.load(open(sys.argv[2]))
heads = re.findall(r"<th class=\"platform\" id=\"platform-\d\">([^<]*)", d)
assert len(heads) == 2 and heads[0].startswith("Wine ") and heads[1].startswith("Windows 10 Pro"), heads
assert "machine other-machine" in d and "machine " + r["platform_info"]["machine"] in d
rows = re.findall(r"<th class=\"case\" scope=\"row\"", d)
assert len(rows) == len(r["cases"]), (len(rows), len(r["cases"]))
first = r["cases"][0]["id"]
assert re.search(r"<tr class=\"differs\"><th class=\"case\" scope=\"row\" title=\"[^\"]*\">%s<" % re.escape(first), d)
assert len(re.findall(r"<tr class=\"differs\">", d)) == 1
assert "doctored: expected &lt;ok&gt; &amp; got \"x\"" in d
' "$out/dom.html" "$out/whole/report.json"
else
  echo "FAIL: chromium is not installed (ci/bootstrap installs it for ci/test)"; fails=$((fails + 1))
fi

echo "$fails check(s) failed"
[ "$fails" = 0 ]
