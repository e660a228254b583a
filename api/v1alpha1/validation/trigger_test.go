package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func logTrigger(name string) v1alpha1.Trigger {
	return v1alpha1.Trigger{Template: &v1alpha1.TriggerTemplate{Name: name, Log: &v1alpha1.LogTrigger{}}}
}

func TestValidateTriggers(t *testing.T) {
	runSensorCases(t, []sensorCase{
		{
			name:   "no triggers",
			mutate: func(sn *v1alpha1.Sensor) { sn.Spec.Triggers = nil },
			errs:   []string{"spec.triggers: at least one trigger is required"},
		},
		{
			name:   "template missing",
			mutate: func(sn *v1alpha1.Sensor) { sn.Spec.Triggers[0].Template = nil },
			errs:   []string{"spec.triggers[0].template: template is required: the trigger's name and kind"},
		},
		{
			name:   "name missing",
			mutate: func(sn *v1alpha1.Sensor) { trig(sn).Name = "" },
			errs:   []string{"spec.triggers[0].template.name: trigger name is required"},
		},
		{
			name:   "name duplicated",
			mutate: func(sn *v1alpha1.Sensor) { sn.Spec.Triggers = append(sn.Spec.Triggers, logTrigger("create-cm")) },
			errs:   []string{`spec.triggers[1].template.name: trigger name "create-cm" is already used by spec.triggers[0]`},
		},
		{
			name:   "no kind",
			mutate: func(sn *v1alpha1.Sensor) { trig(sn).K8s = nil },
			errs:   []string{"spec.triggers[0].template: no trigger kind set (want one of argoWorkflow, http, k8s, kafka, log, nats, slack)"},
		},
		{
			name:   "two kinds",
			mutate: func(sn *v1alpha1.Sensor) { trig(sn).Log = &v1alpha1.LogTrigger{} },
			errs:   []string{"spec.triggers[0].template: more than one trigger kind set: k8s, log (want exactly one)"},
		},
		{
			name: "unsupported kind",
			mutate: func(sn *v1alpha1.Sensor) {
				trig(sn).K8s = nil
				trig(sn).AWSLambda = &v1alpha1.AWSLambdaTrigger{FunctionName: "f"}
			},
			errs: []string{"spec.triggers[0].template.awsLambda: unsupported: trigger kind awsLambda"},
		},
		{
			name:   "conditions valid",
			mutate: func(sn *v1alpha1.Sensor) { trig(sn).Conditions = "dep || !dep" },
		},
		{
			name:   "conditions do not parse",
			mutate: func(sn *v1alpha1.Sensor) { trig(sn).Conditions = "dep && ()" },
			errs:   []string{`spec.triggers[0].template.conditions: conditions do not parse: at offset 8: expected dependency name, found ")"`},
		},
		{
			name:   "conditions name an unknown dependency",
			mutate: func(sn *v1alpha1.Sensor) { trig(sn).Conditions = "dep && dep-2" },
			errs:   []string{`spec.triggers[0].template.conditions: conditions refer to unknown dependency "dep-2" (have "dep")`},
		},
		{
			name: "conditionsReset valid",
			mutate: func(sn *v1alpha1.Sensor) {
				trig(sn).ConditionsReset = []v1alpha1.ConditionsResetCriteria{{ByTime: &v1alpha1.ConditionsResetByTime{Cron: "0 23 * * *", Timezone: "America/Los_Angeles"}}}
			},
		},
		{
			name:   "conditionsReset without byTime",
			mutate: func(sn *v1alpha1.Sensor) { trig(sn).ConditionsReset = []v1alpha1.ConditionsResetCriteria{{}} },
			errs:   []string{"spec.triggers[0].template.conditionsReset[0].byTime: byTime is required: the cron schedule on which gathered events are cleared"},
		},
		{
			name: "conditionsReset cron and timezone",
			mutate: func(sn *v1alpha1.Sensor) {
				trig(sn).ConditionsReset = []v1alpha1.ConditionsResetCriteria{{ByTime: &v1alpha1.ConditionsResetByTime{Cron: "@every 10s", Timezone: "Nowhere"}}}
			},
			errs: []string{
				`spec.triggers[0].template.conditionsReset[0].byTime.cron: invalid cron schedule "@every 10s": parser does not accept descriptors: @every 10s (want five fields: minute hour day-of-month month day-of-week)`,
				`spec.triggers[0].template.conditionsReset[0].byTime.timezone: unknown time zone "Nowhere" (want an IANA name such as Europe/Paris)`,
			},
		},
	})
}

func TestValidateK8sTrigger(t *testing.T) {
	k8s := func(sn *v1alpha1.Sensor) *v1alpha1.StandardK8STrigger { return trig(sn).K8s }
	runSensorCases(t, []sensorCase{
		{
			name:   "source missing",
			mutate: func(sn *v1alpha1.Sensor) { k8s(sn).Source = nil },
			errs:   []string{"spec.triggers[0].template.k8s.source: source is required: where the object manifest is read from (want one of resource, inline, file, url, configmap, git, s3)"},
		},
		{
			name:   "source without location",
			mutate: func(sn *v1alpha1.Sensor) { k8s(sn).Source = &v1alpha1.ArtifactLocation{} },
			errs:   []string{"spec.triggers[0].template.k8s.source: source sets no location (want one of resource, inline, file, url, configmap, git, s3)"},
		},
		{
			name:   "two locations",
			mutate: func(sn *v1alpha1.Sensor) { k8s(sn).Source.Inline = ptr("kind: ConfigMap") },
			errs:   []string{"spec.triggers[0].template.k8s.source: source sets more than one location: inline, resource (want exactly one)"},
		},
		{
			name: "unsupported locations",
			mutate: func(sn *v1alpha1.Sensor) {
				k8s(sn).Source = &v1alpha1.ArtifactLocation{Git: &v1alpha1.GitArtifact{URL: "https://example.com/r.git"}}
				sn.Spec.Triggers = append(sn.Spec.Triggers, v1alpha1.Trigger{Template: &v1alpha1.TriggerTemplate{
					Name: "from-s3", K8s: &v1alpha1.StandardK8STrigger{Source: &v1alpha1.ArtifactLocation{S3: &v1alpha1.S3Artifact{}}},
				}})
			},
			errs: []string{
				"spec.triggers[0].template.k8s.source.git: unsupported: k8s trigger source git",
				"spec.triggers[1].template.k8s.source.s3: unsupported: k8s trigger source s3",
			},
		},
		{
			name:   "inline empty",
			mutate: func(sn *v1alpha1.Sensor) { k8s(sn).Source = &v1alpha1.ArtifactLocation{Inline: ptr(" ")} },
			errs:   []string{"spec.triggers[0].template.k8s.source.inline: inline manifest is empty"},
		},
		{
			name:   "file without path",
			mutate: func(sn *v1alpha1.Sensor) { k8s(sn).Source = &v1alpha1.ArtifactLocation{File: &v1alpha1.FileArtifact{}} },
			errs:   []string{"spec.triggers[0].template.k8s.source.file.path: path is required: the file the manifest is read from"},
		},
		{
			name: "url not absolute",
			mutate: func(sn *v1alpha1.Sensor) {
				k8s(sn).Source = &v1alpha1.ArtifactLocation{URL: &v1alpha1.URLArtifact{Path: "example.com/cm.yaml"}}
			},
			errs: []string{`spec.triggers[0].template.k8s.source.url.path: "example.com/cm.yaml" is not an absolute http or https URL`},
		},
		{
			name: "configmap without name and key",
			mutate: func(sn *v1alpha1.Sensor) {
				k8s(sn).Source = &v1alpha1.ArtifactLocation{Configmap: &corev1.ConfigMapKeySelector{}}
			},
			errs: []string{
				"spec.triggers[0].template.k8s.source.configmap.name: name is required: the ConfigMap holding the manifest",
				"spec.triggers[0].template.k8s.source.configmap.key: key is required: the ConfigMap key holding the manifest",
			},
		},
		{
			name:   "resource empty",
			mutate: func(sn *v1alpha1.Sensor) { k8s(sn).Source.Resource = resource(`{}`) },
			errs:   []string{"spec.triggers[0].template.k8s.source.resource: resource is empty: write the object to create, update, patch or delete"},
		},
		{
			name:   "resource without apiVersion and kind",
			mutate: func(sn *v1alpha1.Sensor) { k8s(sn).Source.Resource = resource(`{"metadata":{"name":"x"}}`) },
			errs: []string{
				"spec.triggers[0].template.k8s.source.resource.apiVersion: apiVersion is required: the object's apiVersion",
				"spec.triggers[0].template.k8s.source.resource.kind: kind is required: the object's kind",
			},
		},
		{
			name: "resource kind set by a parameter",
			mutate: func(sn *v1alpha1.Sensor) {
				k8s(sn).Source.Resource = resource(`{"apiVersion":"v1"}`)
				k8s(sn).Parameters = []v1alpha1.TriggerParameter{{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "kind"}, Dest: "kind"}}
			},
		},
		{
			name:   "operation unknown",
			mutate: func(sn *v1alpha1.Sensor) { k8s(sn).Operation = "crate" },
			errs:   []string{`spec.triggers[0].template.k8s.operation: unknown operation "crate" (want create, update, patch, delete, apply)`},
		},
		{
			name:   "operation apply",
			mutate: func(sn *v1alpha1.Sensor) { k8s(sn).Operation = v1alpha1.K8sOperationApply },
			warns:  []string{"spec.triggers[0].template.k8s.operation: operation apply is a Herald extension: Argo Events rejects this sensor"},
		},
		{
			name: "patch strategy valid",
			mutate: func(sn *v1alpha1.Sensor) {
				k8s(sn).Operation, k8s(sn).PatchStrategy = v1alpha1.K8sOperationPatch, "application/json-patch+json"
			},
		},
		{
			name: "patch strategy unknown",
			mutate: func(sn *v1alpha1.Sensor) {
				k8s(sn).Operation, k8s(sn).PatchStrategy = v1alpha1.K8sOperationPatch, "merge"
			},
			errs: []string{`spec.triggers[0].template.k8s.patchStrategy: unknown patch strategy "merge" (want application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json, application/apply-patch+yaml)`},
		},
		{
			name:   "patch strategy without patch",
			mutate: func(sn *v1alpha1.Sensor) { k8s(sn).PatchStrategy = "application/merge-patch+json" },
			warns:  []string{"spec.triggers[0].template.k8s.patchStrategy: patchStrategy is ignored: only the patch operation uses it"},
		},
		{
			name:   "liveObject without update",
			mutate: func(sn *v1alpha1.Sensor) { k8s(sn).LiveObject = true },
			warns:  []string{"spec.triggers[0].template.k8s.liveObject: liveObject is ignored: only the update operation reads the live object"},
		},
		{
			name:   "liveObject with update",
			mutate: func(sn *v1alpha1.Sensor) { k8s(sn).LiveObject, k8s(sn).Operation = true, v1alpha1.K8sOperationUpdate },
		},
		{
			name: "liveObject with operation set by a parameter",
			mutate: func(sn *v1alpha1.Sensor) {
				k8s(sn).LiveObject = true
				sn.Spec.Triggers[0].Parameters = []v1alpha1.TriggerParameter{{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "op"}, Dest: "k8s.operation"}}
			},
		},
	})
}

func httpTrigger(h *v1alpha1.HTTPTrigger) func(sn *v1alpha1.Sensor) {
	return func(sn *v1alpha1.Sensor) {
		trig(sn).K8s = nil
		trig(sn).HTTP = h
	}
}

func TestValidateHTTPTrigger(t *testing.T) {
	runSensorCases(t, []sensorCase{
		{
			name: "valid with whole-body payload",
			mutate: httpTrigger(&v1alpha1.HTTPTrigger{
				URL: "http://svc:8080/hook", Method: "PUT", Timeout: 10,
				Payload: []v1alpha1.TriggerParameter{{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "body"}}},
			}),
		},
		{
			name: "dynamic headers and a host (Argo after v1.9)",
			mutate: httpTrigger(&v1alpha1.HTTPTrigger{
				URL: "https://svc/hook", Host: "tenant.example:8443", TLS: &v1alpha1.TLSConfig{Enabled: true},
				DynamicHeaders: []v1alpha1.TriggerParameter{{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "body.id"}, Dest: "X-Id"}},
			}),
		},
		{
			name: "dynamic headers that cannot be sent, a bad host",
			mutate: httpTrigger(&v1alpha1.HTTPTrigger{
				URL: "http://svc/hook", Host: "svc/path", Headers: map[string]string{"X Team": "a", "X-Ok": "b\nc"},
				SecureHeaders: []*v1alpha1.SecureHeader{{Name: "X-Key", ValueFrom: &v1alpha1.ValueFromSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{Key: "k"}}}},
				DynamicHeaders: []v1alpha1.TriggerParameter{
					{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "body.id"}, Dest: "X Id"},
					{Src: &v1alpha1.TriggerParameterSource{DependencyName: "nodep", DataKey: "body.id"}},
				},
			}),
			errs: []string{
				`spec.triggers[0].template.http.secureHeaders[0].valueFrom: unsupported: secure header values from a ConfigMap (want secretKeyRef)`,
				`spec.triggers[0].template.http.headers[X Team]: "X Team" is not an HTTP header name`,
				`spec.triggers[0].template.http.headers[X-Ok]: the value of "X-Ok" holds a line break or a control character, which a header cannot`,
				`spec.triggers[0].template.http.host: "svc/path" is not a host name (with an optional :port)`,
				`spec.triggers[0].template.http.dynamicHeaders[0].dest: "X Id" is not an HTTP header name`,
				`spec.triggers[0].template.http.dynamicHeaders[1].src.dependencyName: unknown dependency "nodep" (have "dep")`,
				`spec.triggers[0].template.http.dynamicHeaders[1].dest: dest is required: the path the value is written to`,
			},
		},
		{
			name:   "url missing",
			mutate: httpTrigger(&v1alpha1.HTTPTrigger{}),
			errs:   []string{"spec.triggers[0].template.http.url: url is required: where the request is sent"},
		},
		{
			name:   "url not absolute",
			mutate: httpTrigger(&v1alpha1.HTTPTrigger{URL: "svc/hook"}),
			errs:   []string{`spec.triggers[0].template.http.url: "svc/hook" is not an absolute http or https URL`},
		},
		{
			name: "url set by a parameter",
			mutate: func(sn *v1alpha1.Sensor) {
				httpTrigger(&v1alpha1.HTTPTrigger{URL: "placeholder"})(sn)
				sn.Spec.Triggers[0].Parameters = []v1alpha1.TriggerParameter{{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "url"}, Dest: "http.url"}}
			},
		},
		{
			name: "url set by the trigger's own parameter",
			mutate: httpTrigger(&v1alpha1.HTTPTrigger{
				URL:        "PLACEHOLDER",
				Parameters: []v1alpha1.TriggerParameter{{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "body.callbackUrl"}, Dest: "url"}},
			}),
		},
		{
			name:   "method lower case",
			mutate: httpTrigger(&v1alpha1.HTTPTrigger{URL: "http://svc", Method: "post"}),
			errs:   []string{`spec.triggers[0].template.http.method: method "post" must be written in upper case (want GET, POST, PUT, PATCH, DELETE)`},
		},
		{
			name:   "method not accepted",
			mutate: httpTrigger(&v1alpha1.HTTPTrigger{URL: "http://svc", Method: "HEAD"}),
			errs:   []string{`spec.triggers[0].template.http.method: method "HEAD" is not accepted by http triggers (want GET, POST, PUT, PATCH, DELETE)`},
		},
		{
			name:   "method unknown",
			mutate: httpTrigger(&v1alpha1.HTTPTrigger{URL: "http://svc", Method: "PSOT"}),
			errs:   []string{`spec.triggers[0].template.http.method: unknown method "PSOT" (want GET, POST, PUT, PATCH, DELETE)`},
		},
		{
			name:   "timeout negative",
			mutate: httpTrigger(&v1alpha1.HTTPTrigger{URL: "http://svc", Timeout: -1}),
			warns:  []string{"spec.triggers[0].template.http.timeout: timeout is negative: the default (60 s) is used, as in Argo"},
		},
	})
}

func TestValidateTriggerOptions(t *testing.T) {
	first := func(sn *v1alpha1.Sensor) *v1alpha1.Trigger { return &sn.Spec.Triggers[0] }
	runSensorCases(t, []sensorCase{
		{
			name: "valid options",
			mutate: func(sn *v1alpha1.Sensor) {
				tr := first(sn)
				tr.RetryStrategy = &v1alpha1.Backoff{Steps: 3, Duration: ptr(v1alpha1.FromString("500ms")), Factor: ptr(v1alpha1.NewAmount("2")), Jitter: ptr(v1alpha1.NewAmount("0.1"))}
				tr.RateLimit = &v1alpha1.RateLimit{Unit: v1alpha1.RateLimitUnitMinute, RequestsPerUnit: 10}
				tr.Policy = &v1alpha1.TriggerPolicy{K8s: &v1alpha1.K8SResourcePolicy{Labels: map[string]string{"done": "true"}, Backoff: &v1alpha1.Backoff{Duration: ptr(v1alpha1.FromInt64(1000))}}}
			},
		},
		{
			name: "retryStrategy malformed",
			mutate: func(sn *v1alpha1.Sensor) {
				first(sn).RetryStrategy = &v1alpha1.Backoff{Steps: -1, Duration: ptr(v1alpha1.FromString("5 seconds")), Factor: ptr(v1alpha1.NewAmount("-2")), Jitter: ptr(v1alpha1.NewAmount("-0.5"))}
			},
			errs: []string{
				`spec.triggers[0].retryStrategy.duration: invalid duration "5 seconds" (want a Go duration such as 10s or 1m30s)`,
			},
			warns: []string{
				"spec.triggers[0].retryStrategy.factor: factor is negative, which Argo runs too: the duration is not multiplied",
				"spec.triggers[0].retryStrategy.jitter: jitter is negative, which Argo runs too: it shortens each wait",
				"spec.triggers[0].retryStrategy.steps: steps is negative: the default number of steps is used, as in Argo",
			},
		},
		{
			name: "retryStrategy negative duration",
			mutate: func(sn *v1alpha1.Sensor) {
				first(sn).RetryStrategy = &v1alpha1.Backoff{Duration: ptr(v1alpha1.FromInt64(-5))}
			},
			warns: []string{"spec.triggers[0].retryStrategy.duration: duration is negative: retries do not wait, as in Argo"},
		},
		{
			name:   "rateLimit malformed",
			mutate: func(sn *v1alpha1.Sensor) { first(sn).RateLimit = &v1alpha1.RateLimit{Unit: "Day", RequestsPerUnit: -1} },
			warns: []string{
				`spec.triggers[0].rateLimit.unit: unknown unit "Day", taken as Second as Argo does (want Second, Minute, Hour)`,
				"spec.triggers[0].rateLimit.requestsPerUnit: requestsPerUnit is negative: no rate limit, as in Argo",
			},
		},
		{
			name:   "rateLimit zero",
			mutate: func(sn *v1alpha1.Sensor) { first(sn).RateLimit = &v1alpha1.RateLimit{} },
			warns:  []string{"spec.triggers[0].rateLimit.requestsPerUnit: requestsPerUnit is 0; set the number of runs allowed per unit (Argo Events cannot run a zero rate limit)"},
		},
		{
			name: "policy k8s without labels",
			mutate: func(sn *v1alpha1.Sensor) {
				first(sn).Policy = &v1alpha1.TriggerPolicy{K8s: &v1alpha1.K8SResourcePolicy{Backoff: &v1alpha1.Backoff{Steps: -2}}}
			},
			errs: []string{
				"spec.triggers[0].policy.k8s.labels: labels are required: the labels the created object must carry for the run to count as successful",
			},
			warns: []string{"spec.triggers[0].policy.k8s.backoff.steps: steps is negative: the default number of steps is used, as in Argo"},
		},
		{
			name: "policy status",
			mutate: func(sn *v1alpha1.Sensor) {
				httpTrigger(&v1alpha1.HTTPTrigger{URL: "http://svc"})(sn)
				first(sn).Policy = &v1alpha1.TriggerPolicy{Status: &v1alpha1.StatusPolicy{Allow: []int32{200, 42}}}
			},
			warns: []string{"spec.triggers[0].policy.status.allow[1]: 42 is not an HTTP status code (want 100-599): no answer has it"},
		},
		{
			name: "a policy section the trigger does not read is not checked",
			mutate: func(sn *v1alpha1.Sensor) {
				httpTrigger(&v1alpha1.HTTPTrigger{URL: "http://svc"})(sn)
				first(sn).Policy = &v1alpha1.TriggerPolicy{K8s: &v1alpha1.K8SResourcePolicy{}, Status: &v1alpha1.StatusPolicy{Allow: []int32{200}}}
			},
			warns: []string{"spec.triggers[0].policy.k8s: policy.k8s is ignored: only k8s and argoWorkflow triggers read it"},
		},
		{
			name: "policy status without allow",
			mutate: func(sn *v1alpha1.Sensor) {
				httpTrigger(&v1alpha1.HTTPTrigger{URL: "http://svc"})(sn)
				first(sn).Policy = &v1alpha1.TriggerPolicy{Status: &v1alpha1.StatusPolicy{}}
			},
			errs: []string{"spec.triggers[0].policy.status.allow: allow is required: the response status codes that count as success"},
		},
		{
			name: "policy for another kind",
			mutate: func(sn *v1alpha1.Sensor) {
				first(sn).Policy = &v1alpha1.TriggerPolicy{Status: &v1alpha1.StatusPolicy{Allow: []int32{200}}}
			},
			warns: []string{"spec.triggers[0].policy.status: policy.status is ignored: only http and awsLambda triggers read it"},
		},
		{
			name: "dlqTrigger valid",
			mutate: func(sn *v1alpha1.Sensor) {
				first(sn).AtLeastOnce = ptr(true)
				dlq := logTrigger("dead-letters")
				dlq.AtLeastOnce = ptr(true)
				first(sn).DlqTrigger = &dlq
			},
		},
		{
			name: "dlqTrigger with atLeastOnce false, checked recursively",
			mutate: func(sn *v1alpha1.Sensor) {
				first(sn).AtLeastOnce = ptr(false)
				dlq := logTrigger("")
				dlq.AtLeastOnce = ptr(false)
				dlq.RateLimit = &v1alpha1.RateLimit{Unit: "Week", RequestsPerUnit: 1}
				first(sn).DlqTrigger = &dlq
			},
			errs: []string{
				"spec.triggers[0].atLeastOnce: atLeastOnce must not be false when dlqTrigger is set",
				"spec.triggers[0].dlqTrigger.atLeastOnce: atLeastOnce must not be false within dlqTrigger",
				"spec.triggers[0].dlqTrigger.template.name: trigger name is required",
			},
			warns: []string{`spec.triggers[0].dlqTrigger.rateLimit.unit: unknown unit "Week", taken as Second as Argo does (want Second, Minute, Hour)`},
		},
	})
}
