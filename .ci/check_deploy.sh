#!/usr/bin/env bash
# Validates deploy/ (`make lint`), with no Docker engine and no cluster:
# 1. deploy/compose.yaml through Docker Compose's own `config` (the compose-spec
#    schema, interpolation, anchors and merges, references between services);
# 2. every Kubernetes manifest in deploy/k8s against the Kubernetes OpenAPI
#    schemas (kubernetes-validate, strict: an unknown or misspelt field fails,
#    and so does a kind it has no schema for), for the oldest and newest
#    Kubernetes versions we claim;
# 3. that kustomization.yaml lists every manifest but the Secret example, and
#    nothing that does not exist;
# 4. that every query of the Grafana dashboard parses as PromQL and that the
#    dashboard charts exactly the series the code records (a metric renamed,
#    added or removed without the dashboard fails here).
# Exits non-zero on the first broken file. The tools are pinned and installed
# into .venv by `.ci/services.sh deploy-tools`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.venv/bin"
K8S_VERSIONS=(1.30.0 1.37.0)

"$ROOT/.ci/services.sh" deploy-tools

echo "compose: $("$BIN/docker-compose" version --short) config"
# No interpolation from this machine's environment or a local deploy/.env: the
# file's own defaults are what is checked.
(cd "$ROOT" && env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
  "$BIN/docker-compose" -f deploy/compose.yaml --env-file /dev/null config --quiet)

manifests=()
for file in "$ROOT"/deploy/k8s/*.yaml; do
  [ "$(basename "$file")" = kustomization.yaml ] || manifests+=("$file")
done
for version in "${K8S_VERSIONS[@]}"; do
  echo "kubernetes-validate $("$BIN/kubernetes-validate" --version) --strict -k $version: ${#manifests[@]} files"
  out="$("$BIN/kubernetes-validate" --strict --quiet -k "$version" "${manifests[@]}" 2>&1)" || { echo "$out"; exit 1; }
  # A kind without a schema (a misspelt kind or apiVersion) is only a warning there.
  if [ -n "$out" ]; then echo "$out"; exit 1; fi
done

"$BIN/python" - "$ROOT/deploy" <<'EOF'
import pathlib, sys, yaml

deploy = pathlib.Path(sys.argv[1])
k8s = deploy / "k8s"
kustomization = yaml.safe_load((k8s / "kustomization.yaml").read_text())
listed = set(kustomization.get("resources", []))
present = {path.name for path in k8s.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
problems = [f"{name} is not in kustomization.yaml resources" for name in sorted(present - listed)]
problems += [f"kustomization.yaml lists {name}, which does not exist" for name in sorted(listed - present)]
if "secret.example.yaml" in listed:
    problems.append("kustomization.yaml must not apply secret.example.yaml (placeholders)")
# The scrape config the compose stack mounts must at least parse.
prometheus = yaml.safe_load((deploy / "prometheus.yml").read_text())
if not prometheus.get("scrape_configs"):
    problems.append("prometheus.yml has no scrape_configs")
for problem in problems:
    print(f"deploy/k8s: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"kustomization.yaml lists all {len(present)} manifests")
EOF
"$BIN/python" "$ROOT/.ci/check_dashboard.py" "$ROOT"
echo "deploy/ is valid"
