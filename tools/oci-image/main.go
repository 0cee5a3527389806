// Command oci-image writes a container image as a docker-save tarball from
// a root filesystem directory, without a Docker daemon, using
// go-containerregistry. npm run package uses it for the Function package's
// runtime image (crossplane xpkg build --embed-runtime-image-tarball).
package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// layerTar archives dir with every file owned by root and a fixed mtime, so
// the same tree gives the same layer digest.
func layerTar(dir string) ([]byte, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0)
	for _, p := range paths {
		info, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		link := ""
		if info.Mode()&os.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return nil, err
			}
		}
		hdr, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(dir, p)
		hdr.Name = rel
		if info.IsDir() {
			hdr.Name += "/"
		}
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
		hdr.ModTime, hdr.AccessTime, hdr.ChangeTime = epoch, epoch, epoch
		hdr.Format = tar.FormatPAX
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if info.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			if err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func main() {
	rootfs := flag.String("rootfs", "", "root filesystem directory")
	out := flag.String("out", "", "tarball to write")
	tag := flag.String("tag", "function-odoo:latest", "image reference recorded in the tarball")
	user := flag.String("user", "65532:65532", "user to run as")
	workdir := flag.String("workdir", "/", "working directory")
	arch := flag.String("arch", "amd64", "architecture of the root filesystem's binaries (amd64, arm64): recorded in the image config, which is what a multi-platform index lists")
	var entrypoint, env, ports, labels list
	flag.Var(&entrypoint, "entrypoint", "entrypoint argument (repeat)")
	flag.Var(&env, "env", "NAME=value (repeat)")
	flag.Var(&ports, "port", "exposed port such as 9443/tcp (repeat)")
	flag.Var(&labels, "label", "key=value (repeat)")
	flag.Parse()
	if err := run(*rootfs, *out, *tag, *user, *workdir, *arch, entrypoint, env, ports, labels); err != nil {
		fmt.Fprintln(os.Stderr, "oci-image:", err)
		os.Exit(1)
	}
}

func run(rootfs, out, tag, user, workdir, arch string, entrypoint, env, ports, labels []string) error {
	data, err := layerTar(rootfs)
	if err != nil {
		return fmt.Errorf("cannot archive %s: %w", rootfs, err)
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		return err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return err
	}
	cfg = cfg.DeepCopy()
	cfg.Architecture, cfg.OS = arch, "linux"
	cfg.Created = v1.Time{Time: time.Unix(0, 0)}
	cfg.Config.Entrypoint = entrypoint
	cfg.Config.User = user
	cfg.Config.WorkingDir = workdir
	cfg.Config.Env = env
	cfg.Config.ExposedPorts = map[string]struct{}{}
	for _, p := range ports {
		cfg.Config.ExposedPorts[p] = struct{}{}
	}
	cfg.Config.Labels = map[string]string{}
	for _, l := range labels {
		k, v, _ := strings.Cut(l, "=")
		cfg.Config.Labels[k] = v
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return err
	}
	ref, err := name.NewTag(tag)
	if err != nil {
		return err
	}
	return tarball.WriteToFile(out, ref, img)
}
