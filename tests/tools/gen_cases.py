#!/usr/bin/env python3
"""Generates syntactically valid random case files from the op table, for a run under
Wine that must never crash the harness (ci/fuzz, issue 9 item 3).

usage: gen_cases.py OPS_JSON OUT_DIR COUNT SEED

OPS_JSON is `pipespec_docs --ops-json`. Every case parses (the run fails with exit 2
otherwise, which ci/fuzz reports). Steps mostly expect `ok|fail` (any result) so a
case goes on past its first step and reaches deeper states; blocking ops run in the
background and are awaited with a short timeout. `debug` is never generated.
"""
import json
import os
import random
import sys

SIZES = ["0", "1", "2", "16", "100", "1000", "1024", "4096", "65536", "64k", "1m", "010",
         "4294967295", "4294967294", "300m"]
SDDLS = ["D:(A;;GA;;;WD)", "D:(D;;GW;;;WD)(A;;GA;;;WD)", "D:", "D:NO_ACCESS_CONTROL",
         "D:(A;;GA;;;SY)", "not an sddl", "O:BAG:BAD:(A;;0x1;;;WD)"]
EXPECTS = ["ok|fail"] * 12 + ["ok", "fail", "ERROR_PIPE_BUSY|ok|fail", "ERROR_MORE_DATA|ok|fail"]


def arg_value(rnd, op, a):
    t, choices = a["type"], [c for c in a["choices"].split("|") if c]
    if choices and (t == "enum" or rnd.random() < 0.3):
        return rnd.choice(choices)
    if t == "size":
        return rnd.choice(SIZES)
    if t == "int":
        return rnd.choice(["0", "1", "2", "255", "256", "4294967295", "0x1", "0xffffffff", "0x80000000"])
    if t == "ms":
        return rnd.choice(["0", "1", "20ms", "50", "100ms", "0.2s"])
    if t == "bool":
        return rnd.choice(["0", "1", "yes", "no"])
    name = a["name"]
    if name == "name":
        return rnd.choice([r"\\.\pipe\{pipe}", r"\\.\pipe\{pipe}x", r"\\.\pipe\{pipe}\..\y",
                                    r"\\.\pipe\\", r"\\?\pipe\{pipe}", r"\\{host}\pipe\{pipe}",
                                    r"\\.\pipe\{pipe}" + "a" * rnd.randint(200, 300)])
    if name == "sddl":
        return '"%s"' % rnd.choice(SDDLS)
    if name == "cmd":
        return r'"\"{reference_client}\" --pipe {pipe}"' if rnd.random() < 0.5 else \
            r'"\"{reference_server}\" --pipe {pipe} --clients 1"'
    if name in ("text", "ascii", "contains"):
        return '"%s"' % rnd.choice(["x", "Default request from client", "", "{pipe}", "a b c"])
    if name == "file":
        return '"no-such-file.txt"'
    if name == "as":
        return '"{pipe}"'
    return '"x"'


def gen_case(rnd, ops, idx):
    by_role = {r: [o for o in ops if o[r] and o["name"] != "debug"] for r in ("server", "client", "proc")}
    lines = ["case    fuzz.c%05d" % idx, "title   generated", "ref     tests/tools/gen_cases.py",
             "timeout 3s", ""]
    actors = []
    bg = {}
    for i in range(rnd.randint(1, 6)):
        role = rnd.choice(["server", "server", "client", "client", "proc"])
        actors.append(("%s%d" % (role[0].upper(), i), role))
    # most cases start with an instance so clients have something to talk to
    ptype = rnd.choice(["byte", "message"])
    lines.append("server S0 create type=%s read=%s instances=%s%s" % (
        ptype, rnd.choice(["byte", ptype]), rnd.choice(["1", "2", "unlimited"]),
        " overlapped=1" if rnd.random() < 0.3 else ""))
    actors.append(("S0", "server"))
    for name, role in actors:
        if role == "proc":
            lines.append("proc %s start cmd=%s" % (name, arg_value(rnd, None, {"type": "str", "choices": "", "name": "cmd"})))
    for _ in range(rnd.randint(1, 25)):
        name, role = rnd.choice(actors)
        if name in bg and rnd.random() < 0.5:
            lines.append("await %s timeout=%s" % (name, rnd.choice(["100ms", "300ms"])))
            del bg[name]
            continue
        op = rnd.choice(by_role[role])
        if name in bg and op["name"] not in ("cancel", "cancel_sync"):
            lines.append("pending %s" % name if rnd.random() < 0.2 else "await %s timeout=200ms" % name)
            if lines[-1].startswith("await"):
                del bg[name]
            continue
        args = []
        for a in op["args"]:
            if rnd.random() < 0.35:
                args.append("%s=%s" % (a["name"], arg_value(rnd, op, a)))
        if op["name"] == "output" and not any(x.split("=")[0] in ("file", "contains", "lines") for x in args):
            args.append('contains="x"')
        step = "%s %s %s %s" % (role, name, op["name"], " ".join(args))
        background = name not in bg and op["name"] not in ("cancel", "cancel_sync") and rnd.random() < 0.4
        if background:
            step += " &"
            bg[name] = True
        if rnd.random() < 0.97:
            step += " -> " + rnd.choice(EXPECTS)
        lines.append(step.replace("  ", " "))
        if rnd.random() < 0.1:
            lines.append("sleep %s" % rnd.choice(["1ms", "10ms", "50ms"]))
    for name in list(bg):
        lines.append("await %s timeout=300ms" % name)
    return "\n".join(lines) + "\n"


def main():
    ops_file, out, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    ops = json.load(open(ops_file))
    rnd = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        with open(os.path.join(out, "c%05d.case" % i), "w") as f:
            f.write(gen_case(rnd, ops, seed * 100000 + i))


if __name__ == "__main__":
    main()
