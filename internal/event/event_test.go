package event

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestUnmarshalJSON(t *testing.T) {
	at := time.Date(2026, 11, 26, 15, 0, 0, 123, time.UTC)
	for _, tc := range []struct {
		name    string
		doc     string
		want    Event
		wantErr string
	}{
		{
			name: "all attributes",
			doc:  `{"specversion":"1.0","id":"i","source":"s","type":"t","subject":"sub","time":"2026-11-26T15:00:00.000000123Z","datacontenttype":"application/json","data":{"a":1},"ext":"x","num":3}`,
			want: Event{ID: "i", Source: "s", Type: "t", Subject: "sub", Time: at, DataContentType: ContentTypeJSON, Data: []byte(`{"a":1}`), Extensions: map[string]string{"ext": "x"}},
		},
		{
			name: "escapes and invalid UTF-8 read as encoding/json reads them",
			doc:  "{\"specversion\":\"1.0\",\"id\":\"a\\\"b\\u00e9\",\"source\":\"s\xff\",\"type\":\"t\"}",
			want: Event{ID: "a\"bé", Source: "s\ufffd", Type: "t"},
		},
		{
			name: "binary data",
			doc:  `{"specversion":"1.0","id":"i","source":"s","type":"t","datacontenttype":"text/plain","data_base64":"aGk="}`,
			want: Event{ID: "i", Source: "s", Type: "t", DataContentType: "text/plain", Data: []byte("hi")},
		},
		{
			name: "null data and time",
			doc:  `{"specversion":"1.0","id":"i","source":"s","type":"t","data":null,"time":null}`,
			want: Event{ID: "i", Source: "s", Type: "t"},
		},
		{name: "other specversion", doc: `{"specversion":"0.3","id":"i","source":"s","type":"t"}`, wantErr: "specversion"},
		{name: "id not a string", doc: `{"specversion":"1.0","id":1,"source":"s","type":"t"}`, wantErr: "attribute id"},
		{name: "bad time", doc: `{"specversion":"1.0","id":"i","source":"s","type":"t","time":"yesterday"}`, wantErr: "attribute time"},
		{name: "bad base64", doc: `{"specversion":"1.0","id":"i","source":"s","type":"t","data_base64":"!"}`, wantErr: "data_base64"},
		{name: "no id", doc: `{"specversion":"1.0","source":"s","type":"t"}`, wantErr: "no id"},
		{name: "not JSON", doc: `{"specversion":`, wantErr: "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got Event
			err := got.UnmarshalJSON([]byte(tc.doc))
			if tc.wantErr != "" {
				require.ErrorIs(t, err, ErrInvalid)
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.EqualExportedValues(t, tc.want, got)
		})
	}
}

func TestRoundTripMarksDataValid(t *testing.T) {
	in := &Event{ID: "i", Source: "s", Type: "t", DataContentType: ContentTypeJSON, Data: []byte(`{"x":[1,2]}`)}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	var out Event
	require.NoError(t, json.Unmarshal(b, &out))
	require.True(t, out.IsJSON())
	require.Equal(t, out.Data, out.checked, "data read from the bus is known to be valid")
	out.Data = []byte(`{not json`)
	require.False(t, out.ValidJSONData(), "the mark does not follow new data")
}

func TestMarshalCompactsData(t *testing.T) {
	ev := &Event{ID: "i", Source: "s", Type: "t", Data: []byte("{\n  \"a\": [1, 2],\n  \"b\": \"<x>\"\n}\n")}
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	require.Contains(t, string(b), `"data":{"a":[1,2],"b":"\u003cx\u003e"}`)
}
