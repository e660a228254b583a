package admission

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// The files of a serving certificate in Options.CertDir, as a
// kubernetes.io/tls Secret mounts them.
const (
	CertFile = "tls.crt"
	KeyFile  = "tls.key"
)

// certificate serves the key pair of a folder and loads it again when the
// files change (cert-manager renewing it, a Secret volume updated): each TLS
// handshake looks at the files' size and modification time. When the new
// files do not load (a pair caught half-written), the previous certificate
// stays in use and the next handshake tries again.
type certificate struct {
	certPath, keyPath string
	log               *slog.Logger

	mu      sync.Mutex
	current *tls.Certificate
	stamp   [2]fileStamp
}

// fileStamp tells one version of a file from another.
type fileStamp struct {
	size    int64
	modTime time.Time
}

// loadCertificate loads dir's tls.crt and tls.key; log (nil: none) hears
// of reloads.
func loadCertificate(dir string, log *slog.Logger) (*certificate, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &certificate{certPath: filepath.Join(dir, CertFile), keyPath: filepath.Join(dir, KeyFile), log: log}
	stamp, err := c.stamps()
	if err != nil {
		return nil, fmt.Errorf("reading the admission certificate: %w", err)
	}
	pair, err := tls.LoadX509KeyPair(c.certPath, c.keyPath)
	if err != nil {
		return nil, fmt.Errorf("loading the admission certificate from %s: %w", dir, err)
	}
	c.current, c.stamp = &pair, stamp
	return c, nil
}

func (c *certificate) stamps() ([2]fileStamp, error) {
	var out [2]fileStamp
	for i, p := range []string{c.certPath, c.keyPath} {
		st, err := os.Stat(p)
		if err != nil {
			return out, err
		}
		out[i] = fileStamp{size: st.Size(), modTime: st.ModTime()}
	}
	return out, nil
}

// get is tls.Config's GetCertificate.
func (c *certificate) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// A file missing for a moment (a Secret volume being updated) keeps
	// the certificate in use.
	stamp, err := c.stamps()
	if err != nil || stamp == c.stamp {
		return c.current, nil
	}
	pair, err := tls.LoadX509KeyPair(c.certPath, c.keyPath)
	if err != nil {
		c.log.Warn("keeping the previous admission certificate", "error", err.Error())
		return c.current, nil
	}
	c.current, c.stamp = &pair, stamp
	c.log.Info("admission certificate reloaded", "path", c.certPath)
	return c.current, nil
}
