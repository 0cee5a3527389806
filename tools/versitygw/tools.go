//go:build tools

// Pins the S3-compatible server of the end-to-end tests: the Versity S3
// Gateway (Apache-2.0) serving a directory of the test over the S3 API, where
// the backup Jobs put what they back up.
package tools

import _ "github.com/versity/versitygw/cmd/versitygw"
