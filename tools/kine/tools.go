//go:build tools

// Pins kine, the end-to-end test's Kubernetes storage (SQLite behind the etcd API).
package tools

import _ "github.com/k3s-io/kine"
