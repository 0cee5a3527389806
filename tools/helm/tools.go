//go:build tools

// Pins Helm (Apache-2.0), built from its module: the e2e renders Crossplane's
// own chart with it (from the Crossplane module the e2e runs) to give
// Crossplane core, its RBAC manager and provider-sql the ServiceAccounts and
// ClusterRoles a Helm install gives them, instead of an administrator's
// kubeconfig.
package tools

import _ "helm.sh/helm/v4/cmd/helm"
