package cli

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
)

// onReady is what --ready-file does once the process is ready: write its
// id to path, logging (not failing) when that cannot be done. Nil without
// a path.
func onReady(path string, log *slog.Logger) func() {
	if path == "" {
		return nil
	}
	return func() {
		if err := writeReadyFile(path, os.Getpid()); err != nil {
			log.Error("writing the ready file failed", "path", path, "error", err)
			return
		}
		log.Info("ready file written", "path", path)
	}
}

// writeReadyFile writes pid and a newline to path atomically: to a new file
// in the same folder, renamed over path, so that a reader sees the whole
// file or none.
func writeReadyFile(path string, pid int) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("creating the ready file %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	_, err = f.WriteString(strconv.Itoa(pid) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing the ready file %s: %w", path, err)
	}
	return nil
}
