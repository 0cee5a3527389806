#!/bin/sh
# The container runtime of the kubelet stand-in: runs one container of a Pod
# the way a runtime would, started by the stand-in as
#   ip netns exec <pod netns> unshare --mount --pid --uts --fork --kill-child \
#     --propagation private sh run-container.sh <args> -- <command>
# so it is in the Pod's network namespace and in mount, PID and UTS
# namespaces of its own. Here it stacks the image's layers with overlayfs
# (a private upper layer per container), makes the root read-only when the
# container asks, mounts /proc, /sys, a minimal /dev and the Pod's volumes,
# then chroots into the root as the container's user and execs its command
# in its working directory. The environment it was started with is the
# container's, passed on unchanged.
#
# args: root lower upper work readonly(0|1) uid:gid groups workdir hostname mounts -- command...
# mounts: one "source|target|ro-or-rw|file-or-dir" per line
set -eu
root=$1 lower=$2 upper=$3 work=$4 readonly=$5 userspec=$6 groups=$7 workdir=$8 name=$9
shift 9
mounts=$1
shift
[ "$1" = "--" ] && shift

/bin/hostname "$name"
/bin/mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$work" "$root"

# Mount points outside /dev go into the container's own upper layer, before the root may become read-only.
echo "$mounts" | while IFS='|' read -r src target mode kind; do
  case "$target" in ''|/dev/*) continue ;; esac
  if [ "$kind" = file ]; then
    /bin/mkdir -p "$root$(dirname "$target")"
    [ -e "$root$target" ] || : > "$root$target"
  else
    /bin/mkdir -p "$root$target"
  fi
done
if [ "$readonly" = 1 ]; then
  /bin/mount --bind "$root" "$root"
  /bin/mount -o remount,bind,ro "$root"
fi

/bin/mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
/bin/mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys" 2>/dev/null || true
/bin/mount -t tmpfs -o nosuid,mode=0755,size=1m tmpfs "$root/dev"
for d in null zero full random urandom tty; do
  : > "$root/dev/$d"
  /bin/mount --bind "/dev/$d" "$root/dev/$d"
done
/bin/mkdir -p "$root/dev/shm" "$root/dev/pts"
/bin/mount -t tmpfs -o nosuid,nodev,mode=1777,size=64m shm "$root/dev/shm"
/bin/ln -s /proc/self/fd "$root/dev/fd"
/bin/ln -s /proc/self/fd/0 "$root/dev/stdin"
/bin/ln -s /proc/self/fd/1 "$root/dev/stdout"
/bin/ln -s /proc/self/fd/2 "$root/dev/stderr"

echo "$mounts" | while IFS='|' read -r src target mode kind; do
  [ -n "$target" ] || continue
  case "$target" in
    /dev/*)
      if [ "$kind" = file ]; then : > "$root$target"; else /bin/mkdir -p "$root$target"; fi
      ;;
  esac
  /bin/mount --bind "$src" "$root$target"
  if [ "$mode" = ro ]; then /bin/mount -o remount,bind,ro "$root$target"; fi
done

exec /usr/sbin/chroot --userspec="$userspec" --groups="$groups" "$root" /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "$@"
