package v1alpha1

// Backoff describes how to wait and retry a failing operation.
type Backoff struct {
	// Duration is the first wait: nanoseconds as an integer, or a Go duration
	// string such as "1s" or "3m".
	// +optional
	Duration *Int64OrString `json:"duration,omitempty"`
	// Factor multiplies the wait after each try.
	// +optional
	Factor *Amount `json:"factor,omitempty"`
	// Jitter is the random fraction added to each wait.
	// +optional
	Jitter *Amount `json:"jitter,omitempty"`
	// Steps is the number of tries before giving up with an error.
	// +optional
	Steps int32 `json:"steps,omitempty"`
}

// GetSteps returns Steps as an int.
func (b Backoff) GetSteps() int {
	return int(b.Steps)
}
