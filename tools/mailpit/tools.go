//go:build tools

// Pins the mail catcher of staging and testing copies in the end-to-end
// tests: Mailpit (MIT), built from its module. Its web UI's assets are built
// by npm in Mailpit's own release and are not in the module: the tests use its
// SMTP port and JSON API, which the module serves.
package tools

import _ "github.com/axllent/mailpit"
