"""Rewrites OpenAPI 3.0 schemas that say `nullable: true` without a `type` (GitHub's description has them,
e.g. an issue's milestone: oneOf [string, integer], nullable) into an explicit form Prism validates:
each alternative nullable itself. Prism otherwise skips body validation for the whole operation."""
import json
import sys


def nullable(branch):
    if isinstance(branch, dict) and "type" in branch:
        return {**branch, "nullable": True}
    return {"allOf": [branch], "nullable": True}


def rewrite(node, count):
    if isinstance(node, dict):
        if node.get("nullable") is True and "type" not in node and "allOf" not in node:
            del node["nullable"]
            for key in ("oneOf", "anyOf"):
                if key in node:
                    node["anyOf"] = [nullable(b) for b in node.pop(key)]
                    break
            count += 1
        for value in node.values():
            count = rewrite(value, count)
    elif isinstance(node, list):
        for value in node:
            count = rewrite(value, count)
    return count


source, target = sys.argv[1], sys.argv[2]
with open(source, encoding="utf-8") as f:
    spec = json.load(f)
count = rewrite(spec, 0)
with open(target, "w", encoding="utf-8") as f:
    json.dump(spec, f)
print(f"{target}: {count} type-less nullable schemas made explicit", file=sys.stderr)
