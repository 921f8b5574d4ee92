"""make_spec.py -- writes the installable kernel.json: kernelspec/kernel.json with argv[0]
replaced by the absolute path of the built loupe-kernel.

    make_spec.py BINARY TEMPLATE OUT
"""
import json
import os
import sys


def main():
    binary, template, out = sys.argv[1:4]
    with open(template, encoding="utf-8") as f:
        spec = json.load(f)
    spec["argv"][0] = os.path.abspath(binary)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
