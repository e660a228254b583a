// Package hostile feeds Herald's real entry points inputs built to hurt:
// webhook requests (a running webhook source over HTTP), manifests (the
// bundle loader lint and run use), dependency filters and transforms (what
// a Sensor evaluates for each event), trigger parameters and templates.
// Each row names the input, where it goes and the outcome expected, a clear
// error or status; after every row a good input must still go through, so
// a hostile input never leaves the code path broken. docs/reliability.md
// ("Bad input") lists the rows and what they found.
package hostile

import (
	"strings"
	"time"
)

// Hostile inputs used by several tables.
var (
	tenMB      = strings.Repeat("x", 10<<20)
	deepArrays = strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	badUTF8    = "a\xff\xfe\xc0\x80b"
	nulBytes   = "a\x00b\x00"
	longName   = strings.Repeat("a", 300)
)

// rowTimeout bounds each row's run time: a row that takes longer than this
// hangs, whatever its result. It is generous because the machines that run
// the tests are often loaded: the limits under test are far smaller (200 ms
// for the rows that must time out, a few seconds at most otherwise).
const rowTimeout = 60 * time.Second
