module function-odoo/tools/rclone

go 1.25

require github.com/rclone/rclone v1.76.0
