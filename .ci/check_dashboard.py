"""Checks deploy/grafana/vet-platform.json against the code (.ci/check_deploy.sh):
every query parses as PromQL, every series charted is one the code records, and
every metric the code records is charted."""
import json
import pathlib
import re
import sys

import promql_parser

root = pathlib.Path(sys.argv[1])
dashboard = json.loads((root / "deploy/grafana/vet-platform.json").read_text())
# Grafana's variables, as Prometheus sees them once Grafana has expanded them.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$route": ".*"}


def series(node):
    """The metric names a parsed query selects."""
    if isinstance(node, promql_parser.VectorSelector):
        yield node.name
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from series(item)
    else:
        for child in ("args", "expr", "lhs", "rhs", "param", "vector_selector"):
            if hasattr(node, child):
                yield from series(getattr(node, child))


problems, charted = [], set()
for panel in dashboard["panels"]:
    for target in panel.get("targets", []):
        query = target["expr"]
        for variable, value in GRAFANA_VARIABLES.items():
            query = query.replace(variable, value)
        try:
            charted.update(series(promql_parser.parse(query)))
        except ValueError as error:
            problems.append(f"panel {panel['title']!r}: {target['expr']}: {error}")

# What the code records: metrics::{counter,gauge,histogram}!("name", ...).
recorded = {}
for source in root.glob("crates/*/src/**/*.rs"):
    for kind, name in re.findall(r'\b(counter|gauge|histogram)!\(\s*"([a-z_:]+)"', source.read_text()):
        recorded[name] = kind


def exposed_as(name):
    """The series Prometheus scrapes for a recorded metric."""
    if recorded[name] == "histogram":
        return {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
    return {name}


exposed = set().union(*(exposed_as(name) for name in recorded))
problems += [f"charts {name}, which no code records" for name in sorted(charted - exposed)]
problems += [f"does not chart {name}" for name in sorted(recorded) if not exposed_as(name) & charted]
for problem in problems:
    print(f"deploy/grafana/vet-platform.json: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"grafana dashboard: {len(charted)} series charted, covering all {len(recorded)} metrics the code records")
