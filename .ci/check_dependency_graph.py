#!/usr/bin/env python3
"""Fails when a workspace crate depends on another one the architecture forbids.

The allowed edges (ARCHITECTURE.md, "Dependency rules"):
  kernel <- db <- platform <- jobs <- notifications <- media
  domain crates may use all of the above;
  appointments -> clinics, pets; chat -> clinics, pets;
  emergency -> clinics, pets, appointments, chat; commerce -> clinics, pets, appointments;
  outreach -> clinics, pets, commerce (a campaign's audience: clients, visits, plans);
  testkit -> kernel, db, platform, jobs (never a domain crate), dev-dependency only;
  gateway -> everything; nothing depends on gateway.
A crate's tests may also mount a peer domain crate's routes (a dev-dependency on
a domain crate that does not itself depend on the crate), so a scene is built
through the real API instead of rows written behind its owner's back.
"""
import json
import subprocess
import sys

LAYERS = ["kernel", "db", "platform", "jobs", "notifications", "media"]
DOMAIN_EDGES = {
    "appointments": {"clinics", "pets"},
    "chat": {"clinics", "pets"},
    "emergency": {"clinics", "pets", "appointments", "chat"},
    "commerce": {"clinics", "pets", "appointments"},
    "outreach": {"clinics", "pets", "commerce"},
}


def allowed(source: str, target: str, kind: str, depends_on=lambda source, target: False) -> bool:
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
    if target in LAYERS or target in DOMAIN_EDGES.get(source, set()):
        return True
    return kind == "dev" and source not in LAYERS and target not in LAYERS and not depends_on(target, source)


def main() -> int:
    metadata = json.loads(
        subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--no-deps"])
    )
    members = {package["name"] for package in metadata["packages"]}
    normal = {
        package["name"]: {dep["name"] for dep in package["dependencies"] if dep["name"] in members and not dep["kind"]}
        for package in metadata["packages"]
    }

    def depends_on(source: str, target: str, seen=frozenset()) -> bool:
        direct = normal.get(source, set())
        return target in direct or any(depends_on(next_, target, seen | {source}) for next_ in direct - seen)

    violations = []
    for package in metadata["packages"]:
        for dependency in package["dependencies"]:
            target = dependency["name"]
            if target not in members:
                continue
            kind = dependency["kind"] or "normal"
            if not allowed(package["name"], target, kind, depends_on):
                violations.append(f"{package['name']} -> {target} ({kind})")
    for violation in violations:
        print(f"forbidden dependency: {violation}", file=sys.stderr)
    if not violations:
        print(f"dependency graph ok ({len(members)} crates)")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
