//go:build tools

// kube-state-metrics, built from its module at the version go.mod pins: the e2e
// runs it against the real API server with monitoring/kube-state-metrics.yaml.
package tools

import _ "k8s.io/kube-state-metrics/v2"
