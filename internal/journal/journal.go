// Package journal is an append-only log of records filed under keys, kept
// in segment files in one folder of the local disk, bounded in size and
// age. It is where a single Herald process keeps its event traces: cheaper
// than a JetStream stream (one write per batch of records, no block caches
// and no per-key subject index in the bus server's memory) and it survives
// a restart like the bus does.
//
// A record is written as a 24-byte header and then its key and data:
//
//	crc32c   uint32  of everything after it
//	keyLen   uint32
//	dataLen  uint32
//	prev     uint64  location+1 of the previous record whose key has the
//	                 same hash (0: none), for Read
//	nothing  uint32  reserved, 0
//
// Records are written whole with one write per Append and are not synced:
// they survive a crash of the process, not of the machine. A torn record at
// the end of the last segment (a crash during a write) is cut off when the
// journal is opened.
package journal

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/maphash"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herald-dev/herald/internal/eventbus/jetstream"
)

const (
	headerSize = 24
	// MaxKeyBytes and MaxDataBytes bound a record; larger ones are refused
	// by Append and mark the end of the valid records when opening.
	MaxKeyBytes  = 1 << 10
	MaxDataBytes = 16 << 20

	minSegment = 256 << 10
	maxSegment = 16 << 20
	// segments is about how many segment files a full journal has.
	segments = 8
	suffix   = ".seg"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Options bound a journal: the oldest segments are removed once the
// journal holds more than MaxBytes (0: no limit) and once their newest
// record is older than MaxAge (0: no limit).
type Options struct {
	MaxBytes int64
	MaxAge   time.Duration
	// Now is the clock (nil: time.Now), for tests.
	Now func() time.Time
	// Logger reports damage found when the journal is opened (nil: none).
	Logger *slog.Logger
}

// Journal is an open journal. It is safe for concurrent use.
type Journal struct {
	dir    string
	opts   Options
	segMax int64

	mu   sync.Mutex
	segs []*segment // oldest first; the last is written to
	// index is the location of the last record of each key hash.
	seed  maphash.Seed
	index map[uint64]loc
	total int64
	buf   []byte
}

type segment struct {
	id      uint32
	f       *os.File
	size    int64
	records int
	newest  time.Time
}

// loc is where a record starts: segment id and offset.
type loc struct {
	seg uint32
	off uint32
}

func (l loc) pack() uint64        { return uint64(l.seg)<<32 | uint64(l.off) + 1 }
func unpack(v uint64) (loc, bool) { return loc{seg: uint32((v - 1) >> 32), off: uint32(v - 1)}, v != 0 }

// Open opens the journal in dir, creating the folder when missing, and
// reads its segments to rebuild the index.
func Open(dir string, o Options) (*Journal, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("opening journal %s: %w", dir, err)
	}
	j := &Journal{dir: dir, opts: o, seed: maphash.MakeSeed(), index: map[uint64]loc{}, segMax: maxSegment}
	if o.MaxBytes > 0 {
		j.segMax = min(max(o.MaxBytes/segments, minSegment), maxSegment)
	}
	ids, err := j.segmentIDs()
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		if err := j.load(id, i == len(ids)-1); err != nil {
			j.closeFiles()
			return nil, err
		}
	}
	if len(j.segs) == 0 {
		if err := j.rotate(); err != nil {
			return nil, err
		}
	}
	if err := j.trim(); err != nil {
		j.closeFiles()
		return nil, err
	}
	return j, nil
}

// segmentIDs lists the segment files of dir, oldest first.
func (j *Journal) segmentIDs() ([]uint32, error) {
	entries, err := os.ReadDir(j.dir)
	if err != nil {
		return nil, fmt.Errorf("opening journal %s: %w", j.dir, err)
	}
	var ids []uint32
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), suffix)
		if !ok || e.IsDir() {
			continue
		}
		id, err := strconv.ParseUint(name, 10, 32)
		if err != nil {
			continue
		}
		ids = append(ids, uint32(id))
	}
	slices.Sort(ids)
	return ids, nil
}

func (j *Journal) path(id uint32) string {
	return filepath.Join(j.dir, fmt.Sprintf("%010d%s", id, suffix))
}

// load reads segment id, indexes its records and keeps it open; in the
// last segment, whatever follows the last whole record is cut off.
func (j *Journal) load(id uint32, last bool) error {
	f, err := os.OpenFile(j.path(id), os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("opening journal segment %s: %w", j.path(id), err)
	}
	s := &segment{id: id, f: f}
	if info, err := f.Stat(); err == nil {
		s.newest = info.ModTime()
	}
	r := bufio.NewReaderSize(f, 256<<10)
	hdr := make([]byte, headerSize)
	var scratch []byte
	var off int64
	for {
		rec, err := readRecord(r, hdr, &scratch)
		if err != nil {
			break
		}
		j.index[j.hash(rec.key)] = loc{seg: id, off: uint32(off)}
		s.records++
		off += rec.size
	}
	// Past off: a torn write at the end of the last segment, cut off; or
	// damage in an older one, which is read up to it.
	if stat, err := f.Stat(); err == nil && stat.Size() != off {
		j.opts.Logger.Warn("journal segment damaged: records after the damage are dropped",
			"segment", j.path(id), "whole_bytes", off, "dropped_bytes", stat.Size()-off, "records", s.records)
		if last {
			if err := f.Truncate(off); err != nil {
				_ = f.Close()
				return fmt.Errorf("cutting the torn end of journal segment %s: %w", j.path(id), err)
			}
		}
	}
	s.size = off
	j.segs = append(j.segs, s)
	j.total += off
	return nil
}

// record is a record read back; data aliases the reader's scratch space
// when one was given.
type record struct {
	key  string
	data []byte
	prev uint64
	size int64 // encoded
}

// readRecord reads the record at r's position, into *scratch (grown as
// needed) when scratch is not nil, else into new memory. It fails at the
// end and at a damaged record.
func readRecord(r io.Reader, hdr []byte, scratch *[]byte) (record, error) {
	if _, err := io.ReadFull(r, hdr); err != nil {
		return record{}, err
	}
	keyLen, dataLen := binary.LittleEndian.Uint32(hdr[4:]), binary.LittleEndian.Uint32(hdr[8:])
	if keyLen == 0 || keyLen > MaxKeyBytes || dataLen > MaxDataBytes {
		return record{}, errDamaged
	}
	size := int(keyLen + dataLen)
	var b []byte
	if scratch != nil {
		*scratch = slices.Grow((*scratch)[:0], size)[:size]
		b = *scratch
	} else {
		b = make([]byte, size)
	}
	if _, err := io.ReadFull(r, b); err != nil {
		return record{}, err
	}
	crc := crc32.Update(crc32.Checksum(hdr[4:], castagnoli), castagnoli, b)
	if crc != binary.LittleEndian.Uint32(hdr) {
		return record{}, errDamaged
	}
	return record{
		key: string(b[:keyLen]), data: b[keyLen:size:size],
		prev: binary.LittleEndian.Uint64(hdr[12:]), size: int64(headerSize + size),
	}, nil
}

var errDamaged = errors.New("damaged record")

func (j *Journal) hash(key string) uint64 { return maphash.String(j.seed, key) }

// Append writes the entries (those without a key are skipped) with one
// write. ctx is not used: a local write does not wait.
func (j *Journal) Append(_ context.Context, entries []jetstream.JournalEntry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.segs) == 0 {
		return fmt.Errorf("appending to journal %s: closed", j.dir)
	}
	var errs []error
	for _, e := range entries {
		if e.Key == "" {
			continue
		}
		if len(e.Key) > MaxKeyBytes || len(e.Data) > MaxDataBytes {
			errs = append(errs, fmt.Errorf("record %.64q: %d bytes of key and %d of data, more than a journal holds", e.Key, len(e.Key), len(e.Data)))
			continue
		}
		if err := j.roomFor(int64(headerSize + len(e.Key) + len(e.Data))); err != nil {
			errs = append(errs, err)
			break
		}
		cur := j.segs[len(j.segs)-1]
		at := loc{seg: cur.id, off: uint32(cur.size + int64(len(j.buf)))}
		h := j.hash(e.Key)
		var prev uint64
		if p, ok := j.index[h]; ok {
			prev = p.pack()
		}
		j.buf = appendRecord(j.buf, e.Key, e.Data, prev)
		j.index[h] = at
		cur.records++
	}
	if err := j.flush(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("appending to journal %s: %w", j.dir, errors.Join(errs...))
	}
	return nil
}

func appendRecord(b []byte, key string, data []byte, prev uint64) []byte {
	start := len(b)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(key)))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = binary.LittleEndian.AppendUint64(b, prev)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = append(b, key...)
	b = append(b, data...)
	binary.LittleEndian.PutUint32(b[start:], crc32.Checksum(b[start+4:], castagnoli))
	return b
}

// roomFor starts a new segment when the current one cannot take n more
// bytes (writing what is buffered first), and drops old segments past the
// limits.
func (j *Journal) roomFor(n int64) error {
	cur := j.segs[len(j.segs)-1]
	if cur.size+int64(len(j.buf))+n <= j.segMax || cur.size+int64(len(j.buf)) == 0 {
		return nil
	}
	if err := j.flush(); err != nil {
		return err
	}
	if err := j.rotate(); err != nil {
		return err
	}
	return j.trim()
}

// flush writes the buffered records to the current segment.
func (j *Journal) flush() error {
	if len(j.buf) == 0 {
		return nil
	}
	cur := j.segs[len(j.segs)-1]
	n, err := cur.f.WriteAt(j.buf, cur.size)
	cur.size += int64(n)
	j.total += int64(n)
	cur.newest = j.opts.Now()
	j.buf = j.buf[:0]
	if err != nil {
		// The records not written are in the index: Read skips what it
		// cannot read back.
		return fmt.Errorf("writing journal segment %s: %w", cur.f.Name(), err)
	}
	if cap(j.buf) > 1<<20 {
		j.buf = nil
	}
	return nil
}

// rotate starts a new segment.
func (j *Journal) rotate() error {
	var id uint32
	if len(j.segs) > 0 {
		id = j.segs[len(j.segs)-1].id + 1
	}
	f, err := os.OpenFile(j.path(id), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("starting journal segment %s: %w", j.path(id), err)
	}
	j.segs = append(j.segs, &segment{id: id, f: f, newest: j.opts.Now()})
	return nil
}

// trim removes the oldest segments (never the current one) while the
// journal is over MaxBytes or they are older than MaxAge.
func (j *Journal) trim() error {
	dropped := false
	for len(j.segs) > 1 {
		old := j.segs[0]
		over := j.opts.MaxBytes > 0 && j.total > j.opts.MaxBytes
		expired := j.opts.MaxAge > 0 && j.opts.Now().Sub(old.newest) > j.opts.MaxAge
		if !over && !expired {
			break
		}
		_ = old.f.Close()
		if err := os.Remove(old.f.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing journal segment %s: %w", old.f.Name(), err)
		}
		j.total -= old.size
		j.segs = j.segs[1:]
		dropped = true
	}
	if dropped {
		first := j.segs[0].id
		for h, l := range j.index {
			if l.seg < first {
				delete(j.index, h)
			}
		}
	}
	return nil
}

// segment returns the open segment id, nil when it was removed.
func (j *Journal) segment(id uint32) *segment {
	if len(j.segs) == 0 || id < j.segs[0].id {
		return nil
	}
	i := int(id - j.segs[0].id)
	if i >= len(j.segs) || j.segs[i].id != id {
		return nil
	}
	return j.segs[i]
}

// Read returns the data of the records filed under key, oldest first; none
// is not an error.
func (j *Journal) Read(_ context.Context, key string) ([][]byte, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	// Drop what is past MaxAge first: an idle journal does not rotate, and
	// must not show what it should have forgotten.
	if err := j.trim(); err != nil {
		return nil, err
	}
	var out [][]byte
	hdr := make([]byte, headerSize)
	l, ok := j.index[j.hash(key)]
	for ok {
		s := j.segment(l.seg)
		if s == nil || int64(l.off) >= s.size {
			break
		}
		rec, err := readRecord(io.NewSectionReader(s.f, int64(l.off), s.size-int64(l.off)), hdr, nil)
		if err != nil {
			return nil, fmt.Errorf("reading %s from journal %s: %w", key, j.dir, err)
		}
		if rec.key == key {
			out = append(out, rec.data)
		}
		next, has := unpack(rec.prev)
		if has && (next.seg > l.seg || next.seg == l.seg && next.off >= l.off) {
			break // a chain only goes back
		}
		l, ok = next, has
	}
	slices.Reverse(out)
	return out, nil
}

// Recent calls fn with the last n records (all keys), oldest first; data
// is only valid during the call. The records are read without holding the
// journal: appends go on meanwhile (and are not part of what fn sees), so
// a slow fn (a large index being rebuilt) does not hold up writers.
func (j *Journal) Recent(ctx context.Context, n uint64, fn func(key string, data []byte)) error {
	parts, skip, err := j.recentParts(n)
	if err != nil {
		return err
	}
	defer func() {
		for _, p := range parts {
			_ = p.f.Close()
		}
	}()
	hdr := make([]byte, headerSize)
	var scratch []byte
	for _, p := range parts {
		r := bufio.NewReaderSize(io.NewSectionReader(p.f, 0, p.size), 256<<10)
		for {
			rec, err := readRecord(r, hdr, &scratch)
			if err != nil {
				break
			}
			if skip > 0 {
				skip--
				continue
			}
			fn(rec.key, rec.data)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// part is a segment's file opened anew, readable whatever happens to the
// segment (a removal by trim, a close), and its size at the time.
type part struct {
	f    *os.File
	size int64
}

// recentParts writes what is buffered and opens the segments holding the
// last n records, oldest first, with how many of their first records come
// before those n.
func (j *Journal) recentParts(n uint64) ([]part, uint64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.flush(); err != nil {
		return nil, 0, err
	}
	if n == 0 {
		return nil, 0, nil
	}
	first, skip := len(j.segs), uint64(0)
	var have uint64
	for first > 0 && have < n {
		first--
		have += uint64(j.segs[first].records)
	}
	if have > n {
		skip = have - n
	}
	parts := make([]part, 0, len(j.segs)-first)
	for _, s := range j.segs[first:] {
		f, err := os.Open(j.path(s.id))
		if err != nil {
			for _, p := range parts {
				_ = p.f.Close()
			}
			return nil, 0, fmt.Errorf("reading journal segment %s: %w", j.path(s.id), err)
		}
		parts = append(parts, part{f: f, size: s.size})
	}
	return parts, skip, nil
}

// Close writes what is buffered and closes the segment files.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.segs) == 0 {
		return nil
	}
	err := j.flush()
	j.closeFiles()
	return err
}

func (j *Journal) closeFiles() {
	for _, s := range j.segs {
		_ = s.f.Close()
	}
	j.segs = nil
}
