//go:build tools

// Kubernetes 1.35.4 for a row of the version matrix (scripts/matrix-rows.ts), as
// tools/kubernetes pins the default one: kube-apiserver,
// kube-controller-manager and kube-scheduler from k8s.io/kubernetes, and the
// kubectl the README's install commands are run with, whose staging modules
// are replaced by their tagged releases (the module itself requires them at
// v0.0.0 and replaces them with local paths, so go install cannot build it).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
