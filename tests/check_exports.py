"""The public surface is deliberate: the functions declared REC_API in
librec.h, the symbols listed in lib/librec.map and the symbols librec.so
exports must be the same three sets.
Usage: check_exports.py librec.h librec.map librec.so"""
import re
import subprocess
import sys

header, mapfile, lib = sys.argv[1:4]

text = open(header).read()
declared = set(re.findall(r"REC_API\s+[^;(]*?\b(rec_\w+)\s*\(", text))

body = re.sub(r"/\*.*?\*/", "", open(mapfile).read(), flags=re.S)
listed = set(re.findall(r"\b(rec_\w+)\s*;", body))

nm = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True, text=True,
                    check=True).stdout
exported = set()
for line in nm.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "TtWwDdBbRr":
        name = parts[2].split("@")[0]
        if name not in ("_init", "_fini"):
            exported.add(name)
exported.discard("LIBREC_0")

ok = True
for what, a, b in (("declared REC_API but not in librec.map", declared, listed),
                   ("in librec.map but not declared REC_API", listed, declared),
                   ("in librec.map but not exported", listed, exported),
                   ("exported but not in librec.map", exported, listed)):
    extra = sorted(a - b)
    if extra:
        ok = False
        print(f"{what}: {', '.join(extra)}")
print(f"{len(declared)} declared, {len(listed)} listed, {len(exported)} exported")
sys.exit(0 if ok else 1)
