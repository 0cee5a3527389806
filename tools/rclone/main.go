// Command rclone is rclone v1.76.0 with only what the backup Jobs and the
// tests use: the S3 and local backends and the copyto, delete, lsf, lsjson
// and mkdir commands.
// The end-to-end tests put it in an image of their own; clusters use the
// official rclone/rclone image, whose rclone has every backend.
package main

import (
	_ "github.com/rclone/rclone/backend/local"
	_ "github.com/rclone/rclone/backend/s3"
	"github.com/rclone/rclone/cmd"
	_ "github.com/rclone/rclone/cmd/copyto"
	_ "github.com/rclone/rclone/cmd/delete"
	_ "github.com/rclone/rclone/cmd/lsf"
	_ "github.com/rclone/rclone/cmd/lsjson"
	_ "github.com/rclone/rclone/cmd/mkdir"
	_ "github.com/rclone/rclone/cmd/version"
)

func main() {
	cmd.Main()
}
