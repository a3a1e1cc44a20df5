#!/usr/bin/env python3
"""Fails when a workspace crate depends on another one the architecture forbids.

The allowed edges (ARCHITECTURE.md, "Dependency rules"):
  kernel <- db <- platform <- jobs <- notifications <- media
  domain crates may use all of the above;
  appointments -> clinics, pets; emergency -> clinics, pets; commerce -> pets;
  testkit -> kernel, db, platform, jobs (never a domain crate), dev-dependency only;
  gateway -> everything; nothing depends on gateway.
"""
import json
import subprocess
import sys

LAYERS = ["kernel", "db", "platform", "jobs", "notifications", "media"]
DOMAIN_EDGES = {
    "appointments": {"clinics", "pets"},
    "emergency": {"clinics", "pets"},
    "commerce": {"pets"},
}


def allowed(source: str, target: str, kind: str) -> bool:
    if target == "gateway":
        return False
    if target == "testkit":
        return kind == "dev" and source != "testkit"
    if source == "gateway":
        return True
    if source == "testkit":
        return target in {"kernel", "db", "platform", "jobs"}
    if source in LAYERS:
        return target in LAYERS and LAYERS.index(target) < LAYERS.index(source)
    # A domain crate: every layer, plus the few domain edges that carry behaviour.
    return target in LAYERS or target in DOMAIN_EDGES.get(source, set())


def main() -> int:
    metadata = json.loads(
        subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--no-deps"])
    )
    members = {package["name"] for package in metadata["packages"]}
    violations = []
    for package in metadata["packages"]:
        for dependency in package["dependencies"]:
            target = dependency["name"]
            if target not in members:
                continue
            kind = dependency["kind"] or "normal"
            if not allowed(package["name"], target, kind):
                violations.append(f"{package['name']} -> {target} ({kind})")
    for violation in violations:
        print(f"forbidden dependency: {violation}", file=sys.stderr)
    if not violations:
        print(f"dependency graph ok ({len(members)} crates)")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
