package manifest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DefaultMaxFileSize is the size limit applied when Options.MaxFileSize is 0.
const DefaultMaxFileSize = 4 << 20

// Options control a load.
type Options struct {
	// Strict turns unknown fields (including keys that match a field only
	// when case is ignored) from warnings into errors.
	Strict bool
	// MaxFileSize is the largest file, in bytes, that is read;
	// 0 means DefaultMaxFileSize and a negative value means no limit.
	MaxFileSize int64
	// Kinds lists the kinds to load; documents of other kinds are skipped.
	Kinds Kinds
}

func (o Options) maxFileSize() int64 {
	if o.MaxFileSize == 0 {
		return DefaultMaxFileSize
	}
	return o.MaxFileSize
}

// manifestExts are the file extensions picked up when walking directories.
var manifestExts = []string{".yaml", ".yml", ".json"}

// Load reads manifests from files and directories. Directories are walked
// recursively in lexical order, taking *.yaml, *.yml and *.json files and
// skipping hidden files and directories (names starting with a dot);
// symbolic links to directories are not followed. Files named explicitly
// are read whatever their extension, and a file reached twice is read once.
//
// Problems with the manifests, including paths that do not exist or cannot
// be read, are returned as Diagnostics, grouped by file in the order the
// files were read and by line within a file. The documents returned are the
// ones without errors, in the same order. The error is non-nil only when
// opts cannot work (see ErrInvalidOptions); it is then the only result.
func Load(paths []string, opts Options) ([]Document, Diagnostics, error) {
	if err := opts.Kinds.validate(); err != nil {
		return nil, nil, err
	}
	files, diags := collectFiles(paths)
	var docs []Document
	for _, f := range files {
		data, d, ok := readFile(f.path, opts.maxFileSize())
		if !ok {
			diags = append(diags, d)
			continue
		}
		fdocs, fdiags := loadData(f.path, data, f.explicit, opts)
		docs = append(docs, fdocs...)
		diags = append(diags, fdiags...)
	}
	return docs, diags, nil
}

// LoadBytes loads the manifests in data as if read from a file called name
// (which is used only in diagnostics) given explicitly to Load. The error
// is non-nil only when opts cannot work.
func LoadBytes(name string, data []byte, opts Options) ([]Document, Diagnostics, error) {
	if err := opts.Kinds.validate(); err != nil {
		return nil, nil, err
	}
	if limit := opts.maxFileSize(); limit >= 0 && int64(len(data)) > limit {
		return nil, Diagnostics{tooLarge(name, int64(len(data)), limit)}, nil
	}
	docs, diags := loadData(name, data, true, opts)
	return docs, diags, nil
}

// manifestFile is a file to read; explicit is true when it was named
// directly rather than found in a directory.
type manifestFile struct {
	path     string
	explicit bool
}

// collectFiles expands the given paths into the files to read.
func collectFiles(paths []string) ([]manifestFile, Diagnostics) {
	var files []manifestFile
	var diags Diagnostics
	seen := map[string]bool{}
	add := func(path string, explicit bool) {
		key := filepath.Clean(path)
		if abs, err := filepath.Abs(path); err == nil {
			key = abs
		}
		if !seen[key] {
			seen[key] = true
			files = append(files, manifestFile{path: path, explicit: explicit})
		}
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			diags = append(diags, fileError(root, err))
			continue
		}
		if !info.IsDir() {
			add(root, true)
			continue
		}
		if link, err := os.Lstat(root); err == nil && link.Mode()&fs.ModeSymlink != 0 {
			// WalkDir does not follow a symbolic link, even as its root;
			// a trailing separator makes the system resolve it.
			root += string(filepath.Separator)
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				diags = append(diags, fileError(path, err))
				return nil
			}
			if path != root && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || !hasManifestExt(path) {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				if target, err := os.Stat(path); err != nil || !target.Mode().IsRegular() {
					return nil
				}
			} else if !d.Type().IsRegular() {
				return nil
			}
			add(path, false)
			return nil
		})
		if err != nil {
			diags = append(diags, fileError(root, err))
		}
	}
	return files, diags
}

func hasManifestExt(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	for _, e := range manifestExts {
		if ext == e {
			return true
		}
	}
	return false
}

// readFile reads a file of at most limit bytes (no limit when negative).
// It checks the size from stat first and then reads through a LimitReader,
// so an oversized file, or one that grows, is never read whole.
func readFile(path string, limit int64) ([]byte, Diagnostic, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err), false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fileError(path, err), false
	}
	if limit >= 0 && info.Mode().IsRegular() && info.Size() > limit {
		return nil, tooLarge(path, info.Size(), limit), false
	}
	var r io.Reader = f
	if limit >= 0 {
		r = io.LimitReader(f, limit+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fileError(path, err), false
	}
	if limit >= 0 && int64(len(data)) > limit {
		return nil, Diagnostic{File: path, Message: fmt.Sprintf("file is too large: more than %d bytes, the limit", limit)}, false
	}
	return data, Diagnostic{}, true
}

func tooLarge(path string, size, limit int64) Diagnostic {
	return Diagnostic{File: path, Message: fmt.Sprintf("file is too large: %d bytes, the limit is %d", size, limit)}
}

// fileError turns an error from the file system into a diagnostic.
func fileError(path string, err error) Diagnostic {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return Diagnostic{File: path, Message: "reading manifest: " + err.Error()}
}
