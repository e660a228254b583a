package validation

import (
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestIsHostPort(t *testing.T) {
	for s, want := range map[string]bool{
		"kafka:9092": true, "[::1]:9092": true, "10.0.0.1:6379": true, "redis.ns.svc:6379": true,
		"kafka": false, ":9092": false, "kafka:0": false, "kafka:65536": false, "kafka:port": false,
		"::1:9092": false, "kafka/x:9092": false, "tcp://kafka:9092": false,
	} {
		require.Equal(t, want, isHostPort(s), s)
	}
}

// TestMQTTURLsTheClientTakes checks URLs the MQTT client accepts as Argo's
// does: no scheme (tcp), and mqtt+ssl.
func TestMQTTURLsTheClientTakes(t *testing.T) {
	for _, u := range []string{"broker:1883", "tcp://broker:1883", "mqtt+ssl://broker:8883", "wss://broker/mqtt"} {
		var r report
		validateMQTTSource(&r, field.NewPath("spec", "mqtt").Key("ev"), &v1alpha1.MQTTEventSource{URL: u, Topic: "a/b", ClientID: "c1"})
		require.Empty(t, r.Errors, u)
	}
	var r report
	validateMQTTSource(&r, field.NewPath("spec", "mqtt").Key("ev"), &v1alpha1.MQTTEventSource{URL: "http://broker:1883", Topic: "a/b", ClientID: "c1"})
	require.NotEmpty(t, r.Errors)
}

// TestCalendarIntervalBesideASchedule: with a schedule the interval is never
// read, so a bad one is only the warning that it is ignored.
func TestCalendarIntervalBesideASchedule(t *testing.T) {
	var r report
	validateCalendar(&r, field.NewPath("spec", "calendar").Key("ev"), &v1alpha1.CalendarEventSource{Schedule: "0 * * * *", Interval: "1d"})
	require.Empty(t, r.Errors)
	require.Len(t, r.Warnings, 1)
}
