package resource

import (
	"context"
	"encoding/json"
	"fmt"
)

// An ADD is the one change a restart cannot tell was reported: after an
// UPDATE or a DELETE the checkpoint still holds the older state, so the next
// start reports the difference again, but after an ADD it holds nothing, and
// if the object changed or went away before the next start, that start would
// report it as a new object (an ADD with another body) or not at all. So
// before an ADD is emitted it is written, with its body, to the source's
// intents (a second, small value next to the checkpoint); the write is
// shared by the ADDs of all workers waiting for it. A restart that finds an
// intent the checkpoint does not cover emits that ADD again (with its
// original event id, so a bus that still remembers it drops it) and then
// compares the object with it as with a checkpointed entry.

// intentsSuffix names the intents value: the checkpoint's key + the suffix.
const intentsSuffix = "/adds"

// intentBodyLimit bounds the body an intent keeps to emit its ADD again;
// larger objects keep their identifying metadata, like the checkpoint.
const intentBodyLimit = 512 << 10

// intent is an ADD that was (or was about to be) emitted.
type intent struct {
	entry
	// Done is the checkpoint generation that recorded the ADD's object;
	// a checkpoint saved at that generation or later covers the intent.
	Done uint64 `json:"done,omitempty"`
}

// intentsFile is the saved form of the intents, plain JSON.
type intentsFile struct {
	Version int                `json:"v"`
	View    string             `json:"view"`
	Intents map[string]*intent `json:"intents"`
}

// known is what a restart knows of one object: the checkpointed entry, and
// the body of an ADD emitted after it may have been saved.
type known struct {
	entry *entry
	add   *entry
}

// loadIntents reads the saved intents and returns those the checkpoint
// saved at generation gen does not cover. They stay in c until recorded.
func (c *checkpoint) loadIntents(ctx context.Context, gen uint64) (map[string]*entry, error) {
	data, err := c.store.Load(ctx, c.key+intentsSuffix)
	if err != nil {
		return nil, fmt.Errorf("loading intents %s: %w", c.key, err)
	}
	if len(data) == 0 {
		return nil, nil
	}
	var f intentsFile
	if err := json.Unmarshal(data, &f); err != nil {
		c.log.Warn("ignoring unreadable intents", "key", c.key, "error", err)
		return nil, nil
	}
	if f.Version != checkpointVersion || f.View != c.view {
		return nil, nil
	}
	open := map[string]*entry{}
	for key, in := range f.Intents {
		if in == nil || (in.Done != 0 && in.Done <= gen) {
			continue
		}
		if e, ok := c.objects[key]; ok && e.equal(in.entry) {
			continue
		}
		c.intents[key] = &intent{entry: in.entry}
		open[key] = &in.entry
	}
	c.intentsGen++ // the pruned set is saved at the next flush
	return open, nil
}

// intend makes sure the ADD of the object at key described by e is saved as
// an intent before it returns; it shares one save with the other callers
// waiting at the same time.
func (c *checkpoint) intend(ctx context.Context, key string, e *entry) error {
	c.mu.Lock()
	never := c.saved == 0
	c.mu.Unlock()
	if never {
		// Intents are read only next to a checkpoint: save a first one.
		if err := c.flushFirst(ctx); err != nil {
			return err
		}
	}
	c.mu.Lock()
	if old, ok := c.intents[key]; !ok || !old.equal(*e) || old.Done != 0 {
		c.intents[key] = &intent{entry: *e}
		c.intentsGen++
	}
	gen := c.intentsGen
	c.mu.Unlock()
	return c.saveIntents(ctx, gen)
}

// resolve marks the intent of key, if it is the one for e, as covered by
// the checkpoint from generation gen on. It is called with c.mu held.
func (c *checkpoint) resolve(key string, e *entry, gen uint64) {
	if in, ok := c.intents[key]; ok && in.Done == 0 && in.equal(*e) {
		in.Done = gen
		c.intentsGen++
	}
}

// prune drops the intents a checkpoint saved at generation gen covers.
func (c *checkpoint) prune(gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, in := range c.intents {
		if in.Done != 0 && in.Done <= gen {
			delete(c.intents, key)
			c.intentsGen++
		}
	}
}

// saveIntents saves the intents unless a save of generation gen or later
// already happened. Saves are serialised, so callers that queued up behind
// one save are served by the next.
func (c *checkpoint) saveIntents(ctx context.Context, gen uint64) error {
	c.intentsIO.Lock()
	defer c.intentsIO.Unlock()
	c.mu.Lock()
	if c.intentsSaved >= gen {
		c.mu.Unlock()
		return nil
	}
	cur := c.intentsGen
	f := intentsFile{Version: checkpointVersion, View: c.view, Intents: make(map[string]*intent, len(c.intents))}
	for key, in := range c.intents {
		cp := *in
		f.Intents[key] = &cp
	}
	c.mu.Unlock()

	raw, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encoding intents %s: %w", c.key, err)
	}
	if err := c.store.Save(ctx, c.key+intentsSuffix, raw); err != nil {
		return fmt.Errorf("saving intents %s: %w", c.key, err)
	}
	c.mu.Lock()
	c.intentsSaved = max(c.intentsSaved, cur)
	c.mu.Unlock()
	return nil
}

// intentsDirty reports the intents generation when it was not saved yet.
func (c *checkpoint) intentsDirty() (uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.intentsGen, c.intentsGen > c.intentsSaved
}
