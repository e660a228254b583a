package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// validEventSource returns an event source that passes validation, with one
// event of each supported kind: webhook "hook", calendar "tick", resource
// "pods".
func validEventSource() *v1alpha1.EventSource {
	return &v1alpha1.EventSource{
		ObjectMeta: metav1.ObjectMeta{Name: "es"},
		Spec: v1alpha1.EventSourceSpec{
			Webhook: map[string]v1alpha1.WebhookEventSource{
				"hook": {WebhookContext: v1alpha1.WebhookContext{Endpoint: "/hook", Port: "12000", Method: "POST"}},
			},
			Calendar: map[string]v1alpha1.CalendarEventSource{
				"tick": {Interval: "10s"},
			},
			Resource: map[string]v1alpha1.ResourceEventSource{
				"pods": {Version: "v1", Resource: "pods", EventTypes: []v1alpha1.ResourceEventType{v1alpha1.ADD}},
			},
		},
	}
}

type eventSourceCase struct {
	name   string
	mutate func(es *v1alpha1.EventSource)
	errs   []string
	warns  []string
}

func runEventSourceCases(t *testing.T, cases []eventSourceCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			es := validEventSource()
			c.mutate(es)
			requireResult(t, ValidateEventSource(es, DefaultSupport()), c.errs, c.warns)
		})
	}
}

func setWebhook(w v1alpha1.WebhookContext) func(es *v1alpha1.EventSource) {
	return func(es *v1alpha1.EventSource) {
		es.Spec.Webhook["hook"] = v1alpha1.WebhookEventSource{WebhookContext: w}
	}
}

func setCalendar(c v1alpha1.CalendarEventSource) func(es *v1alpha1.EventSource) {
	return func(es *v1alpha1.EventSource) { es.Spec.Calendar["tick"] = c }
}

func setResource(r v1alpha1.ResourceEventSource) func(es *v1alpha1.EventSource) {
	return func(es *v1alpha1.EventSource) {
		if r.Version == "" {
			r.Version, r.Resource, r.EventTypes = "v1", "pods", []v1alpha1.ResourceEventType{v1alpha1.UPDATE}
		}
		es.Spec.Resource["pods"] = r
	}
}

func TestValidateEventSourceNil(t *testing.T) {
	requireResult(t, ValidateEventSource(nil, DefaultSupport()), []string{"spec: no event source given"}, nil)
}

func TestValidateEventSource(t *testing.T) {
	runEventSourceCases(t, []eventSourceCase{
		{name: "valid", mutate: func(*v1alpha1.EventSource) {}},
		{
			name:   "name missing",
			mutate: func(es *v1alpha1.EventSource) { es.Name = "" },
			errs:   []string{"metadata.name: name is required"},
		},
		{
			name:   "no source",
			mutate: func(es *v1alpha1.EventSource) { es.Spec = v1alpha1.EventSourceSpec{} },
			errs:   []string{"spec: no event source declared (want at least one of amqp, calendar, file, github, gitlab, kafka, mqtt, nats, redis, redisStream, resource, webhook)"},
		},
		{
			name: "unsupported kind",
			mutate: func(es *v1alpha1.EventSource) {
				es.Spec.SQS = map[string]v1alpha1.SQSEventSource{"a": {}, "b": {}}
			},
			errs: []string{"spec.sqs: unsupported: event source kind sqs"},
		},
		{
			name: "empty event name",
			mutate: func(es *v1alpha1.EventSource) {
				es.Spec.Calendar[""] = v1alpha1.CalendarEventSource{Interval: "1m"}
			},
			errs: []string{"spec.calendar[]: event name is empty"},
		},
		{
			name: "event name used by two kinds",
			mutate: func(es *v1alpha1.EventSource) {
				es.Spec.Webhook["tick"] = v1alpha1.WebhookEventSource{WebhookContext: v1alpha1.WebhookContext{Endpoint: "/tick", Port: "12000", Method: "POST"}}
			},
			errs: []string{`spec.webhook[tick]: event name "tick" is also declared under spec.calendar; event names must be unique within an EventSource`},
		},
	})
}

func TestValidateWebhook(t *testing.T) {
	runEventSourceCases(t, []eventSourceCase{
		{
			name:   "endpoint and port missing",
			mutate: setWebhook(v1alpha1.WebhookContext{Method: "POST"}),
			errs: []string{
				"spec.webhook[hook].endpoint: endpoint is required: the URL path to listen on, e.g. /push",
				`spec.webhook[hook].port: port is required: the port to listen on, as a string such as "12000"`,
			},
		},
		{
			name:   "endpoint without slash",
			mutate: setWebhook(v1alpha1.WebhookContext{Endpoint: "push", Port: "12000", Method: "POST"}),
			errs:   []string{`spec.webhook[hook].endpoint: endpoint must start with "/" (e.g. "/push")`},
		},
		{
			name:   "port not a number",
			mutate: setWebhook(v1alpha1.WebhookContext{Endpoint: "/", Port: "http", Method: "POST"}),
			errs:   []string{`spec.webhook[hook].port: port "http" is not a port number (want 1-65535, written as a string such as "12000")`},
		},
		{
			name:   "port out of range",
			mutate: setWebhook(v1alpha1.WebhookContext{Endpoint: "/", Port: "70000", Method: "POST"}),
			errs:   []string{`spec.webhook[hook].port: port "70000" is not a port number (want 1-65535, written as a string such as "12000")`},
		},
		{
			name:   "method missing",
			mutate: setWebhook(v1alpha1.WebhookContext{Endpoint: "/", Port: "12000"}),
			warns:  []string{"spec.webhook[hook].method: method is not set, so every request is refused; set the accepted method, e.g. POST"},
		},
		{
			name:   "method lower case",
			mutate: setWebhook(v1alpha1.WebhookContext{Endpoint: "/", Port: "12000", Method: "post"}),
			errs:   []string{`spec.webhook[hook].method: method "post" must be written in upper case ("POST")`},
		},
		{
			name:   "method unknown",
			mutate: setWebhook(v1alpha1.WebhookContext{Endpoint: "/", Port: "12000", Method: "PSOT"}),
			errs:   []string{`spec.webhook[hook].method: unknown method "PSOT" (want GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)`},
		},
		{
			name:   "maxPayloadSize not positive",
			mutate: setWebhook(v1alpha1.WebhookContext{Endpoint: "/", Port: "12000", Method: "GET", MaxPayloadSize: ptr(int64(0))}),
			errs:   []string{"spec.webhook[hook].maxPayloadSize: maxPayloadSize must be a positive number of bytes"},
		},
		{
			name: "basicAuth without its password, and with authSecret",
			mutate: setWebhook(v1alpha1.WebhookContext{
				Endpoint: "/", Port: "12000", Method: "POST",
				AuthSecret: amqpSecret("hook", "token"),
				BasicAuth:  &v1alpha1.BasicAuth{Username: amqpSecret("hook", "user")},
			}),
			errs:  []string{"spec.webhook[hook].basicAuth.password: password is required: the Secret key holding the password"},
			warns: []string{"spec.webhook[hook].basicAuth: authSecret is set too: a request with either the bearer token or this username and password is accepted"},
		},
		{
			name: "authSecret incomplete",
			mutate: setWebhook(v1alpha1.WebhookContext{
				Endpoint: "/", Port: "12000", Method: "POST",
				AuthSecret: &corev1.SecretKeySelector{},
			}),
			errs: []string{
				"spec.webhook[hook].authSecret.name: name is required: the Secret holding the bearer token",
				"spec.webhook[hook].authSecret.key: key is required: the Secret key holding the bearer token",
			},
		},
		{
			name: "certificate without key",
			mutate: setWebhook(v1alpha1.WebhookContext{
				Endpoint: "/", Port: "12000", Method: "POST",
				ServerCertSecret: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "tls"}, Key: "crt"},
			}),
			warns: []string{"spec.webhook[hook].serverKeySecret: serverKeySecret is not set, so serverCertSecret is ignored and the endpoint serves plain HTTP"},
		},
		{
			name: "two events on one route",
			mutate: func(es *v1alpha1.EventSource) {
				es.Spec.Webhook["other"] = es.Spec.Webhook["hook"]
			},
			warns: []string{"spec.webhook[other].endpoint: endpoint /hook on port 12000 is also used by spec.webhook[hook]; only one of them receives the requests"},
		},
	})
}

func TestValidateCalendar(t *testing.T) {
	runEventSourceCases(t, []eventSourceCase{
		{
			name: "valid schedule with options",
			mutate: setCalendar(v1alpha1.CalendarEventSource{
				Schedule: "30 9 * * MON-FRI", Timezone: "Asia/Tokyo",
				ExclusionDates: []string{"EXDATE:20250101T000000Z,20251225T000000Z"},
				Persistence:    &v1alpha1.EventPersistence{Catchup: &v1alpha1.CatchupConfiguration{Enabled: true, MaxDuration: "5m"}},
			}),
		},
		{
			name:   "neither schedule nor interval",
			mutate: setCalendar(v1alpha1.CalendarEventSource{}),
			errs:   []string{`spec.calendar[tick]: schedule or interval is required (e.g. schedule: "*/5 * * * *" or interval: 10s)`},
		},
		{
			name:   "both schedule and interval",
			mutate: setCalendar(v1alpha1.CalendarEventSource{Schedule: "* * * * *", Interval: "1m"}),
			warns:  []string{"spec.calendar[tick].interval: interval is ignored because schedule is set"},
		},
		{
			name:   "schedule with a descriptor",
			mutate: setCalendar(v1alpha1.CalendarEventSource{Schedule: "@hourly"}),
			errs:   []string{`spec.calendar[tick].schedule: invalid cron schedule "@hourly": parser does not accept descriptors: @hourly (want five fields: minute hour day-of-month month day-of-week)`},
		},
		{
			name:   "schedule with seconds",
			mutate: setCalendar(v1alpha1.CalendarEventSource{Schedule: "0 * * * * *"}),
			errs:   []string{`spec.calendar[tick].schedule: invalid cron schedule "0 * * * * *": expected exactly 5 fields, found 6: [0 * * * * *] (want five fields: minute hour day-of-month month day-of-week)`},
		},
		{
			name:   "interval malformed",
			mutate: setCalendar(v1alpha1.CalendarEventSource{Interval: "10"}),
			errs:   []string{`spec.calendar[tick].interval: invalid interval "10" (want a Go duration such as 10s or 1h30m)`},
		},
		{
			name:   "interval zero",
			mutate: setCalendar(v1alpha1.CalendarEventSource{Interval: "0s"}),
			errs:   []string{"spec.calendar[tick].interval: interval must be positive"},
		},
		{
			name:   "timezone unknown",
			mutate: setCalendar(v1alpha1.CalendarEventSource{Interval: "1m", Timezone: "Paris"}),
			errs:   []string{`spec.calendar[tick].timezone: unknown time zone "Paris" (want an IANA name such as Europe/Paris)`},
		},
		{
			name:   "exclusion dates",
			mutate: setCalendar(v1alpha1.CalendarEventSource{Interval: "1m", ExclusionDates: []string{"EXDATE:2025-01-01", "20250101T000000Z"}}),
			errs:   []string{`spec.calendar[tick].exclusionDates[0]: invalid exclusion date: date "2025-01-01" is not of the form 20060102T150405Z`},
			warns:  []string{"spec.calendar[tick].exclusionDates[1]: entry is ignored: exclusion dates start with EXDATE:, e.g. EXDATE:20240101T000000Z"},
		},
		{
			name: "catchup maxDuration malformed",
			mutate: setCalendar(v1alpha1.CalendarEventSource{
				Interval:    "1m",
				Persistence: &v1alpha1.EventPersistence{Catchup: &v1alpha1.CatchupConfiguration{MaxDuration: "1 day"}},
			}),
			errs: []string{`spec.calendar[tick].persistence.catchup.maxDuration: invalid duration "1 day" (want a Go duration such as 5m)`},
		},
	})
}

func TestValidateResource(t *testing.T) {
	runEventSourceCases(t, []eventSourceCase{
		{
			name: "valid filters",
			mutate: setResource(v1alpha1.ResourceEventSource{Filter: &v1alpha1.ResourceFilter{
				Prefix: "web-", AfterStart: true,
				Labels: []v1alpha1.Selector{{Key: "app", Value: "web"}, {Key: "tier", Operation: "in", Value: "a,b"}, {Key: "canary", Operation: "!"}},
				Fields: []v1alpha1.Selector{{Key: "metadata.annotations.host", Operation: "==", Value: ".+"}, {Key: "spec.nodeName", Value: "node-1"}},
			}}),
		},
		{
			name:   "what to watch missing",
			mutate: func(es *v1alpha1.EventSource) { es.Spec.Resource["pods"] = v1alpha1.ResourceEventSource{} },
			errs: []string{
				"spec.resource[pods].version: version is required: the API version of the watched resource, e.g. v1",
				"spec.resource[pods].resource: resource is required: the plural resource name, e.g. services",
				"spec.resource[pods].eventTypes: eventTypes is required: the changes to report (ADD, UPDATE, DELETE)",
			},
		},
		{
			name: "event type unknown",
			mutate: setResource(v1alpha1.ResourceEventSource{
				Version: "v1", Resource: "pods",
				EventTypes: []v1alpha1.ResourceEventType{"ADD", "CREATE"},
			}),
			errs: []string{`spec.resource[pods].eventTypes[1]: unknown event type "CREATE" (want ADD, UPDATE, DELETE)`},
		},
		{
			name: "label selectors invalid",
			mutate: setResource(v1alpha1.ResourceEventSource{Filter: &v1alpha1.ResourceFilter{
				Labels: []v1alpha1.Selector{{Value: "x"}, {Key: "app", Operation: "~", Value: "x"}, {Key: "app", Value: "not valid!"}},
			}}),
			errs: []string{
				"spec.resource[pods].filter.labels[0].key: key is required: the label to test",
				`spec.resource[pods].filter.labels[1]: invalid label selector: operator: Unsupported value: "~": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"`,
				`spec.resource[pods].filter.labels[2]: invalid label selector: values[0][app]: Invalid value: "not valid!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
			},
		},
		{
			name: "field selectors invalid",
			mutate: setResource(v1alpha1.ResourceEventSource{Filter: &v1alpha1.ResourceFilter{
				Fields: []v1alpha1.Selector{{Key: "metadata..name", Operation: "in", Value: "(a"}},
			}}),
			errs: []string{
				"spec.resource[pods].filter.fields[0].key: malformed path: empty component at offset 9 (two separators in a row)",
				`spec.resource[pods].filter.fields[0].operation: unknown operation "in" (want ==, =, !=)`,
				"spec.resource[pods].filter.fields[0].value: values are regular expressions and this one does not compile: error parsing regexp: missing closing ): `(a`",
			},
		},
	})
}
