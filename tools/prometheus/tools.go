//go:build tools

// promtool, built from Prometheus's module at the version go.mod pins: npm test
// checks monitoring/rules.yaml and runs its unit tests (monitoring/rules.test.yaml),
// and the e2e evaluates the rules on what kube-state-metrics exported.
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
