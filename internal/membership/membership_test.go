package membership_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/herald-dev/herald/internal/membership"
	"github.com/herald-dev/herald/internal/testenv"
)

var kube kubernetes.Interface

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	cp, err := testenv.StartControlPlane()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the control plane:", err)
		return 1
	}
	defer func() { _ = cp.Stop() }()
	if kube, err = kubernetes.NewForConfig(cp.Config); err != nil {
		fmt.Fprintln(os.Stderr, "creating the client:", err)
		return 1
	}
	return m.Run()
}

func newNamespace(t *testing.T) string {
	t.Helper()
	ns, err := kube.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "members-"},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	return ns.Name
}

// replica is one running member.
type replica struct {
	m      *membership.Members
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	changes [][]string
}

func startReplica(t *testing.T, ns, id string, lease time.Duration) *replica {
	t.Helper()
	r := &replica{done: make(chan struct{})}
	m, err := membership.New(membership.Config{
		Client: kube, Namespace: ns, Identity: id, LeaseDuration: lease,
		OnChange: func(live []string) {
			r.mu.Lock()
			r.changes = append(r.changes, live)
			r.mu.Unlock()
		},
	})
	require.NoError(t, err)
	r.m = m
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		defer close(r.done)
		if err := m.Run(ctx); err != nil {
			t.Errorf("membership of %s: %v", id, err)
		}
	}()
	t.Cleanup(r.stop)
	select {
	case <-m.Ready():
	case <-time.After(30 * time.Second):
		t.Fatalf("%s is not ready", id)
	}
	return r
}

// stop ends the replica's Run without releasing its Lease (a crash).
func (r *replica) stop() {
	r.cancel()
	<-r.done
}

func keys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Sensor ns-%d/sensor-%d", i%7, i)
	}
	return out
}

func TestReplicasAgreeOnOwners(t *testing.T) {
	ns := newNamespace(t)
	ids := []string{"replica-a", "replica-b", "replica-c"}
	var reps []*replica
	for _, id := range ids {
		reps = append(reps, startReplica(t, ns, id, 2*time.Second))
	}
	for _, r := range reps {
		require.Eventually(t, func() bool { return slices.Equal(r.m.Live(), ids) }, 10*time.Second, 10*time.Millisecond)
	}
	for _, k := range keys(300) {
		owners := 0
		for _, r := range reps {
			if r.m.Owns(k) {
				owners++
			}
			require.Equal(t, reps[0].m.Owner(k), r.m.Owner(k), "replicas disagree on %s", k)
		}
		require.Equal(t, 1, owners, "%s has one owner", k)
	}
}

func TestReleasedReplicaHandsOverAtOnce(t *testing.T) {
	ns := newNamespace(t)
	// A long lease: only the release can explain a quick hand-over.
	a := startReplica(t, ns, "a", time.Minute)
	b := startReplica(t, ns, "b", time.Minute)
	require.Eventually(t, func() bool { return len(a.m.Live()) == 2 && len(b.m.Live()) == 2 }, 10*time.Second, 10*time.Millisecond)

	b.stop()
	require.NoError(t, b.m.Release(t.Context()))
	require.Eventually(t, func() bool { return slices.Equal(a.m.Live(), []string{"a"}) }, 10*time.Second, 10*time.Millisecond)
	for _, k := range keys(50) {
		require.True(t, a.m.Owns(k), "%s", k)
	}
	require.Empty(t, b.m.Owner("x"), "a released replica owns nothing")
}

func TestCrashedReplicaExpires(t *testing.T) {
	ns := newNamespace(t)
	a := startReplica(t, ns, "a", time.Second)
	b := startReplica(t, ns, "b", time.Second)
	require.Eventually(t, func() bool { return len(a.m.Live()) == 2 }, 10*time.Second, 10*time.Millisecond)
	moved := ""
	for _, k := range keys(50) {
		if b.m.Owns(k) {
			moved = k
			break
		}
	}
	require.NotEmpty(t, moved, "b owns some keys")

	b.stop() // no release: a must notice the Lease is no longer renewed
	require.Eventually(t, func() bool { return slices.Equal(a.m.Live(), []string{"a"}) }, 10*time.Second, 10*time.Millisecond)
	require.True(t, a.m.Owns(moved))
	a.mu.Lock()
	defer a.mu.Unlock()
	require.Equal(t, []string{"a"}, a.changes[len(a.changes)-1], "a was told")
}

func TestNewRejectsBadConfig(t *testing.T) {
	_, err := membership.New(membership.Config{Client: kube, Namespace: "x"})
	require.ErrorContains(t, err, "identity")
	_, err = membership.New(membership.Config{Client: kube, Namespace: "x", Identity: "a", LeaseDuration: time.Millisecond})
	require.ErrorContains(t, err, "too short")
}
