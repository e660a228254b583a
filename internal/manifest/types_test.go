package manifest

import (
	"encoding/json"
	"errors"
	"strconv"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The types below imitate the shapes of Argo Events' EventSource, Sensor and
// EventBus (inline TypeMeta/ObjectMeta, maps of structs, pointers, custom
// JSON types) so the loader can be tested without the real API package.

type testEventSource struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              testEventSourceSpec `json:"spec"`
	Status            *testStatus         `json:"status,omitempty"`
}

type testEventSourceSpec struct {
	EventBusName string                            `json:"eventBusName,omitempty"`
	Replicas     *int32                            `json:"replicas,omitempty"`
	Template     *testPodTemplate                  `json:"template,omitempty"`
	Service      *testService                      `json:"service,omitempty"`
	Webhook      map[string]testWebhookEventSource `json:"webhook,omitempty"`
	Calendar     map[string]testCalendarSource     `json:"calendar,omitempty"`
}

type testWebhookContext struct {
	Endpoint       string            `json:"endpoint"`
	Method         string            `json:"method"`
	Port           string            `json:"port"`
	URL            string            `json:"url"`
	MaxPayloadSize *int64            `json:"maxPayloadSize,omitempty"`
	Metadata       map[string]string `json:"metadata,omitempty"`
}

type testWebhookEventSource struct {
	testWebhookContext `json:",inline"`
	Filter             *testFilter `json:"filter,omitempty"`
}

type testCalendarSource struct {
	Schedule       string            `json:"schedule"`
	Interval       string            `json:"interval"`
	ExclusionDates []string          `json:"exclusionDates,omitempty"`
	Timezone       string            `json:"timezone,omitempty"`
	JSONBody       bool              `json:"jsonBody,omitempty"`
	Metadata       map[string]string `json:"metadata,omitempty"`
}

type testService struct {
	Ports     []testServicePort `json:"ports,omitempty"`
	ClusterIP string            `json:"clusterIP,omitempty"`
}

type testServicePort struct {
	Name       string             `json:"name,omitempty"`
	Port       int32              `json:"port"`
	TargetPort intstr.IntOrString `json:"targetPort,omitempty"`
}

type testPodTemplate struct {
	ServiceAccountName string            `json:"serviceAccountName,omitempty"`
	Container          *testContainer    `json:"container,omitempty"`
	NodeSelector       map[string]string `json:"nodeSelector,omitempty"`
}

type testContainer struct {
	Env []testEnvVar `json:"env,omitempty"`
}

type testEnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

type testStatus struct {
	LastUpdated metav1.Time `json:"lastUpdated,omitempty"`
}

type testFilter struct {
	Expression string           `json:"expression,omitempty"`
	Data       []testDataFilter `json:"data,omitempty"`
	Threshold  float64          `json:"threshold,omitempty"`
	Ratio      float32          `json:"ratio,omitempty"`
}

type testDataFilter struct {
	Path  string   `json:"path"`
	Type  string   `json:"type"`
	Value []string `json:"value,omitempty"`
}

type testSensor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              testSensorSpec `json:"spec"`
}

type testSensorSpec struct {
	Dependencies         []testDependency  `json:"dependencies"`
	Triggers             []testTrigger     `json:"triggers"`
	Template             *testPodTemplate  `json:"template,omitempty"`
	ErrorOnFailedRound   bool              `json:"errorOnFailedRound,omitempty"`
	EventBusName         string            `json:"eventBusName,omitempty"`
	Replicas             *int32            `json:"replicas,omitempty"`
	RevisionHistoryLimit *int32            `json:"revisionHistoryLimit,omitempty"`
	LoggingFields        map[string]string `json:"loggingFields,omitempty"`
}

type testDependency struct {
	Name            string      `json:"name"`
	EventSourceName string      `json:"eventSourceName"`
	EventName       string      `json:"eventName"`
	Filters         *testFilter `json:"filters,omitempty"`
}

type testTrigger struct {
	Template      *testTriggerTemplate `json:"template,omitempty"`
	Parameters    []testParameter      `json:"parameters,omitempty"`
	Policy        *testTriggerPolicy   `json:"policy,omitempty"`
	RetryStrategy *testBackoff         `json:"retryStrategy,omitempty"`
	RateLimit     *testRateLimit       `json:"rateLimit,omitempty"`
	AtLeastOnce   bool                 `json:"atLeastOnce,omitempty"`
}

type testTriggerTemplate struct {
	Name       string                `json:"name"`
	Conditions string                `json:"conditions,omitempty"`
	K8s        *testK8sTrigger       `json:"k8s,omitempty"`
	HTTP       *testHTTPTrigger      `json:"http,omitempty"`
	OpenWhisk  *testOpenWhiskTrigger `json:"openWhisk,omitempty"`
	Log        *testLogTrigger       `json:"log,omitempty"`
}

type testK8sTrigger struct {
	Source     *testArtifactLocation `json:"source,omitempty"`
	Operation  string                `json:"operation,omitempty"`
	Parameters []testParameter       `json:"parameters,omitempty"`
	LiveObject bool                  `json:"liveObject,omitempty"`
	Patch      json.RawMessage       `json:"patch,omitempty"`
}

type testArtifactLocation struct {
	Resource *testResource    `json:"resource,omitempty"`
	URL      *testURLArtifact `json:"url,omitempty"`
	Inline   *string          `json:"inline,omitempty"`
}

type testURLArtifact struct {
	Path       string `json:"path"`
	VerifyCert bool   `json:"verifyCert,omitempty"`
}

type testHTTPTrigger struct {
	URL      string                `json:"url"`
	Method   string                `json:"method,omitempty"`
	Payload  []testParameter       `json:"payload"`
	Timeout  int64                 `json:"timeout,omitempty"`
	Headers  map[string]string     `json:"headers,omitempty"`
	Body     any                   `json:"body,omitempty"`
	CABundle []byte                `json:"caBundle,omitempty"`
	Schema   *apiextensionsv1.JSON `json:"schema,omitempty"`
	Attempts map[int32]string      `json:"attempts,omitempty"`
}

type testOpenWhiskTrigger struct {
	Host       string          `json:"host"`
	ActionName string          `json:"actionName"`
	Namespace  string          `json:"namespace,omitempty"`
	Payload    []testParameter `json:"payload"`
}

type testLogTrigger struct {
	IntervalSeconds uint64 `json:"intervalSeconds,omitempty"`
}

type testParameter struct {
	Src       *testParamSource `json:"src"`
	Dest      string           `json:"dest"`
	Operation string           `json:"operation,omitempty"`
}

type testParamSource struct {
	DependencyName string  `json:"dependencyName"`
	DataKey        string  `json:"dataKey,omitempty"`
	Value          *string `json:"value,omitempty"`
	UseRawData     bool    `json:"useRawData,omitempty"`
}

type testTriggerPolicy struct {
	Status *testStatusPolicy `json:"status,omitempty"`
}

type testStatusPolicy struct {
	Allow []int32 `json:"allow"`
}

type testBackoff struct {
	Duration *testInt64OrString `json:"duration,omitempty"`
	Steps    int32              `json:"steps,omitempty"`
	Factor   *testAmount        `json:"factor,omitempty"`
}

type testRateLimit struct {
	Unit            string `json:"unit,omitempty"`
	RequestsPerUnit int32  `json:"requestsPerUnit,omitempty"`
}

type testEventBus struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              testEventBusSpec `json:"spec"`
}

type testEventBusSpec struct {
	NATS *testNATSBus `json:"nats,omitempty"`
}

type testNATSBus struct {
	Native *testNativeStrategy `json:"native,omitempty"`
}

type testNativeStrategy struct {
	Replicas    int32            `json:"replicas,omitempty"`
	Auth        *string          `json:"auth,omitempty"`
	MaxAge      *string          `json:"maxAge,omitempty"`
	Persistence *testPersistence `json:"persistence,omitempty"`
}

type testPersistence struct {
	StorageClassName *string            `json:"storageClassName,omitempty"`
	VolumeSize       *resource.Quantity `json:"volumeSize,omitempty"`
}

// testResource keeps any JSON value, like Argo's K8SResource.
type testResource struct {
	Value []byte `json:"-"`
}

func (r *testResource) UnmarshalJSON(data []byte) error {
	r.Value = append([]byte(nil), data...)
	return nil
}

// testAmount accepts only a JSON number, like Argo's Amount.
type testAmount struct {
	Value []byte `json:"-"`
}

func (a *testAmount) UnmarshalJSON(data []byte) error {
	if _, err := strconv.ParseFloat(string(data), 64); err != nil {
		return errors.New("amount must be a number")
	}
	a.Value = append([]byte(nil), data...)
	return nil
}

// testInt64OrString takes a string or an integer, like Argo's Int64OrString.
type testInt64OrString struct {
	Int64Val int64
	StrVal   string
	IsString bool
}

func (v *testInt64OrString) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		v.IsString = true
		return json.Unmarshal(data, &v.StrVal)
	}
	return json.Unmarshal(data, &v.Int64Val)
}

// testKinds registers the test types the way Herald registers the real ones.
func testKinds() Kinds {
	return Kinds{
		{Group: "argoproj.io", Kind: "EventSource", Versions: []string{"v1alpha1"}, New: func() any { return &testEventSource{} }},
		{Group: "argoproj.io", Kind: "Sensor", Versions: []string{"v1alpha1"}, New: func() any { return &testSensor{} }},
		{Group: "argoproj.io", Kind: "EventBus", Versions: []string{"v1alpha1"}, New: func() any { return &testEventBus{} }},
	}
}
