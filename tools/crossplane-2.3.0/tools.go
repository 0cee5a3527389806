//go:build tools

// Crossplane core v2.3.0 for the version matrix (npm run test:matrix). From
// v2.3 the CLI is its own module (github.com/crossplane/cli/v2), which the Go
// module proxy here does not serve: the matrix runs every row with the CLI
// of tools/crossplane (v2.2.1).
package tools

import _ "github.com/crossplane/crossplane/v2/cmd/crossplane"
