package sim

import (
	"encoding/json"
	"os"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Actions recorded in the --record file.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"
	// ActionOrphan: the managed resource was deleted under a policy without Delete, so the
	// external resource was left in AWS.
	ActionOrphan = "orphan"
)

// Entry is one thing the SIMULATED provider did (or, for orphan, deliberately did not do) in AWS.
type Entry struct {
	Action       string
	Kind         schema.GroupVersionKind
	Namespace    string
	Name         string
	ExternalName string
	// ARN names the exact AWS object where the external name does not (a task definition revision).
	ARN string
	// Fields lists, for an update of a resource AWS held before Crossplane, the spec.forProvider
	// fields that differed from what AWS held.
	Fields []string
}

// Recorder appends one JSON line per Entry to a file; a nil Recorder records nothing.
type Recorder struct {
	mu  sync.Mutex
	f   *os.File
	Now func() time.Time
}

// NewRecorder opens (creates or appends to) path.
func NewRecorder(path string) (*Recorder, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &Recorder{f: f, Now: time.Now}, nil
}

type line struct {
	Simulated    bool     `json:"simulated"`
	Time         string   `json:"time"`
	Action       string   `json:"action"`
	APIVersion   string   `json:"apiVersion"`
	Kind         string   `json:"kind"`
	Namespace    string   `json:"namespace"`
	Name         string   `json:"name"`
	ExternalName string   `json:"externalName"`
	ARN          string   `json:"arn,omitempty"`
	Fields       []string `json:"fields,omitempty"`
}

// Record writes e; errors are reported on stderr, never fatal.
func (r *Recorder) Record(e Entry) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	b, _ := json.Marshal(line{Simulated: true, Time: r.Now().UTC().Format(time.RFC3339Nano), Action: e.Action,
		APIVersion: e.Kind.GroupVersion().String(), Kind: e.Kind.Kind, Namespace: e.Namespace, Name: e.Name, ExternalName: e.ExternalName, ARN: e.ARN, Fields: e.Fields})
	if _, err := r.f.Write(append(b, '\n')); err != nil {
		_, _ = os.Stderr.WriteString("SIMULATED AWS: cannot write record: " + err.Error() + "\n")
	}
}

// Close closes the file.
func (r *Recorder) Close() error {
	if r == nil {
		return nil
	}
	return r.f.Close()
}
