// oci-registry serves go-containerregistry's OCI distribution registry
// (pkg/registry, the one crane's `registry serve` runs) on a loopback
// address, with blobs on disk. The end-to-end test pushes the packages to
// it with `crossplane xpkg push` and Crossplane's package manager pulls them
// from it, as it would from xpkg.crossplane.io.
package main

import (
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	address := flag.String("address", "127.0.0.1:0", "where to listen")
	blobs := flag.String("blobs", "", "directory for blobs (in memory when empty)")
	flag.Parse()

	opts := []registry.Option{registry.Logger(log.New(os.Stderr, "", log.LstdFlags))}
	if *blobs != "" {
		if err := os.MkdirAll(*blobs, 0o755); err != nil {
			log.Fatal(err)
		}
		opts = append(opts, registry.WithBlobHandler(registry.NewDiskBlobHandler(*blobs)))
	}
	listener, err := net.Listen("tcp", *address)
	if err != nil {
		log.Fatal(err)
	}
	// The test reads this line to learn the port.
	log.Printf("serving on %s", listener.Addr())
	server := &http.Server{Handler: registry.New(opts...), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(server.Serve(listener))
}
