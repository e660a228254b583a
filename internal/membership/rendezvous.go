package membership

import (
	"hash/fnv"
)

// Owner returns the member that owns key among members: the one whose
// hash with key is highest (rendezvous hashing). Every replica that sees
// the same members picks the same owner, and a member leaving moves only
// its own keys. Empty when members is empty.
func Owner(members []string, key string) string {
	var (
		best  string
		bestH uint64
	)
	for _, m := range members {
		h := score(m, key)
		if best == "" || h > bestH || (h == bestH && m < best) {
			best, bestH = m, h
		}
	}
	return best
}

// score mixes a member and a key into one well-spread number.
func score(member, key string) uint64 {
	f := fnv.New64a()
	_, _ = f.Write([]byte(member))
	_, _ = f.Write([]byte{0})
	_, _ = f.Write([]byte(key))
	// FNV's low bits mix poorly for short inputs: finish with a 64-bit
	// avalanche (splitmix64's).
	z := f.Sum64()
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
