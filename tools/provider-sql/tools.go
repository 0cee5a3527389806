//go:build tools

// Pins provider-sql, the end-to-end test's PostgreSQL provider (same version as the CRDs the render tests validate against).
package tools

import _ "github.com/crossplane-contrib/provider-sql/cmd/provider"
