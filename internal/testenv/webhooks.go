package testenv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	admissionregv1 "k8s.io/api/admissionregistration/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"
)

// WithValidatingWebhooks installs the ValidatingWebhookConfigurations found
// in paths (YAML files, or folders of them; other kinds are skipped), as
// `kubectl apply -k config/webhook` would, but pointed at a webhook server
// on this machine: the API server calls https://127.0.0.1:PORT/PATH, where
// PATH is each webhook's clientConfig.service.path, and trusts a serving
// certificate made for it. Serve the webhooks on ControlPlane.WebhookAddr
// with the key pair in ControlPlane.WebhookCertDir (tls.crt, tls.key).
func WithValidatingWebhooks(paths ...string) Option {
	return func(o *options) { o.webhookPaths = append(o.webhookPaths, paths...) }
}

// webhookOptions reads the configurations in paths for envtest, which
// replaces each service reference with a URL and a CA bundle.
func webhookOptions(paths []string) (envtest.WebhookInstallOptions, error) {
	opts := envtest.WebhookInstallOptions{LocalServingHost: "127.0.0.1"}
	for _, p := range paths {
		files := []string{p}
		if st, err := os.Stat(p); err != nil {
			return opts, fmt.Errorf("reading webhook configurations: %w", err)
		} else if st.IsDir() {
			files, _ = filepath.Glob(filepath.Join(p, "*.yaml"))
		}
		for _, f := range files {
			hooks, err := readValidatingWebhooks(f)
			if err != nil {
				return opts, err
			}
			opts.ValidatingWebhooks = append(opts.ValidatingWebhooks, hooks...)
		}
	}
	if len(opts.ValidatingWebhooks) == 0 {
		return opts, fmt.Errorf("no ValidatingWebhookConfiguration in %s", strings.Join(paths, ", "))
	}
	return opts, nil
}

// readValidatingWebhooks returns the ValidatingWebhookConfigurations of a
// YAML file.
func readValidatingWebhooks(path string) ([]*admissionregv1.ValidatingWebhookConfiguration, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading webhook configurations: %w", err)
	}
	var out []*admissionregv1.ValidatingWebhookConfiguration
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		var head struct{ APIVersion, Kind string }
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return nil, fmt.Errorf("decoding %s: %w", path, err)
		}
		if head.Kind != "ValidatingWebhookConfiguration" {
			continue
		}
		var hook admissionregv1.ValidatingWebhookConfiguration
		if err := yaml.UnmarshalStrict(doc, &hook); err != nil {
			return nil, fmt.Errorf("decoding %s: %w", path, err)
		}
		for i := range hook.Webhooks {
			// envtest writes https://HOST:PORT/ + path: without this, the
			// URL's path would start with two slashes.
			if svc := hook.Webhooks[i].ClientConfig.Service; svc != nil && svc.Path != nil {
				trimmed := strings.TrimPrefix(*svc.Path, "/")
				svc.Path = &trimmed
			}
		}
		out = append(out, &hook)
	}
}
