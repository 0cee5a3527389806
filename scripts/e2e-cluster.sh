# Sourced by scripts/test-e2e and scripts/sandbox: build the control plane
# (kube-apiserver, kube-controller-manager, kube-scheduler, kine, Crossplane
# core, provider-sql), kubectl, an OCI registry and the other pieces of the
# e2e cluster with the Go toolchain at pinned versions, install PostgreSQL
# from Debian if missing, package function-odoo and build the Odoo images;
# export where each is (E2E_*). With E2E_PREBUILD=1 (.ci/run, while npm test
# runs) only the Go binaries npm test does not build and the Odoo images:
# nothing npm test writes or builds too.
if [[ -z "${E2E_PREBUILD:-}" ]]; then
  ensure_build
  ensure_crossplane
fi
# The versions of the control plane: 1.34.2 and Crossplane v2.2.1 unless a
# row of the version matrix (npm run test:matrix, scripts/test-matrix) sets
# E2E_KUBERNETES (a tools/kubernetes-<version> module pins it) or
# E2E_CROSSPLANE_CORE (tools/crossplane-<version>). kubectl and the
# Crossplane CLI stay the default ones: what the docs' blocks run.
E2E_KUBERNETES="${E2E_KUBERNETES:-1.34.2}"
K8S_TOOLS="$ROOT/tools/kubernetes"
[[ "$E2E_KUBERNETES" == 1.34.2 ]] || K8S_TOOLS="$ROOT/tools/kubernetes-$E2E_KUBERNETES"
[[ -f "$K8S_TOOLS/go.mod" ]] || { echo "E2E_KUBERNETES=$E2E_KUBERNETES: no $K8S_TOOLS/go.mod pins that version" >&2; exit 1; }
k8s_ldflags() { # version
  local minor="${1#*.}"; minor="${minor%%.*}"
  echo "-X k8s.io/component-base/version.gitVersion=v$1 -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/component-base/version.buildDate=2025-11-11T00:00:00Z"
}
K8S_LDFLAGS="$(k8s_ldflags 1.34.2)"
GO_LDFLAGS="$(k8s_ldflags "$E2E_KUBERNETES")" ensure_go_tool kube-apiserver "$K8S_TOOLS" k8s.io/kubernetes/cmd/kube-apiserver
export E2E_KUBE_APISERVER="$TOOL"
GO_LDFLAGS="$(k8s_ldflags "$E2E_KUBERNETES")" ensure_go_tool kube-controller-manager "$K8S_TOOLS" k8s.io/kubernetes/cmd/kube-controller-manager
export E2E_KUBE_CONTROLLER_MANAGER="$TOOL"
GO_LDFLAGS="$(k8s_ldflags "$E2E_KUBERNETES")" ensure_go_tool kube-scheduler "$K8S_TOOLS" k8s.io/kubernetes/cmd/kube-scheduler
export E2E_KUBE_SCHEDULER="$TOOL"
export E2E_KUBERNETES
ensure_go_tool kine "$ROOT/tools/kine" github.com/k3s-io/kine
export E2E_KINE="$TOOL"
# With its version: the package manager checks packages' crossplane.version constraints against it.
E2E_CROSSPLANE_CORE="${E2E_CROSSPLANE_CORE:-$CROSSPLANE_VERSION}"
CROSSPLANE_TOOLS="$ROOT/tools/crossplane"
[[ "$E2E_CROSSPLANE_CORE" == "$CROSSPLANE_VERSION" ]] || CROSSPLANE_TOOLS="$ROOT/tools/crossplane-${E2E_CROSSPLANE_CORE#v}"
[[ -f "$CROSSPLANE_TOOLS/go.mod" ]] || { echo "E2E_CROSSPLANE_CORE=$E2E_CROSSPLANE_CORE: no $CROSSPLANE_TOOLS/go.mod pins that version" >&2; exit 1; }
CROSSPLANE_LDFLAGS="-X github.com/crossplane/crossplane/v2/internal/version.version=$E2E_CROSSPLANE_CORE"
# From v2.3 the version lives in crossplane-runtime's pkg/version.
[[ "$E2E_CROSSPLANE_CORE" == "$CROSSPLANE_VERSION" ]] || CROSSPLANE_LDFLAGS="$CROSSPLANE_LDFLAGS -X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=$E2E_CROSSPLANE_CORE"
GO_LDFLAGS="$CROSSPLANE_LDFLAGS" ensure_go_tool crossplane-core "$CROSSPLANE_TOOLS" github.com/crossplane/crossplane/v2/cmd/crossplane
export E2E_CROSSPLANE="$TOOL" E2E_CROSSPLANE_CORE
export E2E_CROSSPLANE_CLI="${CROSSPLANE:-}"
# The README's install commands: kubectl, and an OCI registry (go-containerregistry's) to push the packages to.
GO_LDFLAGS="$K8S_LDFLAGS" ensure_go_tool kubectl "$ROOT/tools/kubernetes" k8s.io/kubernetes/cmd/kubectl
export E2E_KUBECTL="$TOOL"
ensure_go_tool oci-registry "$ROOT/tools/oci-registry" .
export E2E_OCI_REGISTRY="$TOOL"
ensure_go_tool provider-sql "$ROOT/tools/provider-sql" github.com/crossplane-contrib/provider-sql/cmd/provider
export E2E_PROVIDER_SQL="$TOOL"
# Crossplane's Helm chart (in the Crossplane module above), rendered by Helm for the RBAC a Helm install gives Crossplane and providers.
ensure_go_tool helm "$ROOT/tools/helm" helm.sh/helm/v4/cmd/helm
export E2E_HELM="$TOOL"
# Backups: a real S3-compatible server, and the rclone the backup Jobs run (docs/devops.md: Backups and restore).
ensure_go_tool versitygw "$ROOT/tools/versitygw" github.com/versity/versitygw/cmd/versitygw
export E2E_VERSITYGW="$TOOL"
ensure_go_tool rclone "$ROOT/tools/rclone" .
export E2E_RCLONE="$TOOL"
# Mail: the catcher tenants compose for their copies, and the customer's SMTP relay the harness runs (docs/devops.md: Hosting, Mail).
ensure_go_tool mailpit "$ROOT/tools/mailpit" github.com/axllent/mailpit
export E2E_MAILPIT="$TOOL"
# Alerts: kube-state-metrics exports the XRs with monitoring/kube-state-metrics.yaml; promtool evaluates the rules on what it exported.
ensure_go_tool kube-state-metrics "$ROOT/tools/kube-state-metrics" k8s.io/kube-state-metrics/v2
export E2E_KUBE_STATE_METRICS="$TOOL"
if [[ -z "${E2E_PREBUILD:-}" ]]; then
  GO_TAGS=remove_all_sd ensure_go_tool promtool "$ROOT/tools/prometheus" github.com/prometheus/prometheus/cmd/promtool
  export PROMTOOL="$TOOL"
fi
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "installing PostgreSQL from Debian"
  apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null
fi
# Not in the prebuild: npm test packages too (test/package), into the same directories.
[[ -n "${E2E_PREBUILD:-}" ]] || PACKAGE_SKIP_BUILD=1 bash "$ROOT/scripts/package" 2>/dev/null
# Odoo 17.0, 18.0 and 19.0 as image layers for the kubelet stand-in (docs/development.md: Real Odoo).
RCLONE_BIN="$E2E_RCLONE" MAILPIT_BIN="$E2E_MAILPIT" bash "$ROOT/scripts/odoo-images"
log "control plane binaries, PostgreSQL, packages and Odoo images ready after ${SECONDS}s"
