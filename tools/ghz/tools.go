//go:build tools

// Pins ghz, the gRPC load generator of npm run bench.
package tools

import _ "github.com/bojand/ghz/cmd/ghz"
