// Command go-template-function does what function-go-templating does (that
// module is not served by the Go module proxy here), on function-sdk-go:
// execute the inline Go template of a GoTemplate input against the request,
// parse the YAML it produces, and return the objects as desired composed
// resources (named by the gotemplating.fn.crossplane.io/composition-resource-name
// annotation) with readiness from their observed Ready condition. It is the
// Go baseline of npm run bench, and stands in for function-go-templating
// when the platform example (examples/platform) is rendered.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/template"

	"github.com/crossplane/function-sdk-go"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/response"
	"google.golang.org/protobuf/types/known/structpb"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

const nameAnnotation = "gotemplating.fn.crossplane.io/composition-resource-name"

type runner struct {
	fnv1.UnimplementedFunctionRunnerServiceServer
}

func ready(observed *fnv1.Resource) fnv1.Ready {
	if observed == nil {
		return fnv1.Ready_READY_FALSE
	}
	status, _ := observed.GetResource().AsMap()["status"].(map[string]any)
	conditions, _ := status["conditions"].([]any)
	for _, c := range conditions {
		m, _ := c.(map[string]any)
		if m["type"] == "Ready" && m["status"] == "True" {
			return fnv1.Ready_READY_TRUE
		}
	}
	return fnv1.Ready_READY_FALSE
}

func (r *runner) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	rsp := response.To(req, response.DefaultTTL)
	input := req.GetInput().AsMap()
	inline, _ := input["inline"].(map[string]any)
	source, _ := inline["template"].(string)
	tmpl, err := template.New("input").Parse(source)
	if err != nil {
		response.Fatal(rsp, fmt.Errorf("cannot parse template: %w", err))
		return rsp, nil
	}
	// The template sees the request as function-go-templating shows it: .observed.composite.resource, …
	observed := map[string]any{"composite": map[string]any{"resource": req.GetObserved().GetComposite().GetResource().AsMap()}}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, map[string]any{"observed": observed}); err != nil {
		response.Fatal(rsp, fmt.Errorf("cannot execute template: %w", err))
		return rsp, nil
	}
	if rsp.Desired == nil {
		rsp.Desired = &fnv1.State{}
	}
	if rsp.Desired.Resources == nil {
		rsp.Desired.Resources = map[string]*fnv1.Resource{}
	}
	decoder := utilyaml.NewYAMLOrJSONDecoder(&out, 4096)
	for {
		obj := map[string]any{}
		if err := decoder.Decode(&obj); err == io.EOF {
			break
		} else if err != nil {
			response.Fatal(rsp, fmt.Errorf("cannot decode template output: %w", err))
			return rsp, nil
		}
		if len(obj) == 0 {
			continue
		}
		meta, _ := obj["metadata"].(map[string]any)
		annotations, _ := meta["annotations"].(map[string]any)
		name, _ := annotations[nameAnnotation].(string)
		if name == "" {
			// The XR's status.
			s, err := structpb.NewStruct(obj)
			if err != nil {
				return nil, err
			}
			rsp.Desired.Composite = &fnv1.Resource{Resource: s}
			continue
		}
		delete(annotations, nameAnnotation)
		s, err := structpb.NewStruct(obj)
		if err != nil {
			return nil, err
		}
		rsp.Desired.Resources[name] = &fnv1.Resource{Resource: s, Ready: ready(req.GetObserved().GetResources()[name])}
	}
	return rsp, nil
}

func main() {
	address := flag.String("address", "0.0.0.0:9443", "address to listen on")
	insecure := flag.Bool("insecure", false, "run without mTLS")
	certs := flag.String("tls-server-certs-dir", "/tls/server", "TLS certificates")
	flag.Parse()
	fmt.Fprintf(os.Stderr, "listening on %s\n", strings.TrimSpace(*address))
	opts := []function.ServeOption{function.Listen("tcp", *address), function.Insecure(*insecure)}
	if !*insecure {
		opts = append(opts, function.MTLSCertificates(*certs))
	}
	if err := function.Serve(&runner{}, opts...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
