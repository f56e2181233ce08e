package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/argoproj/argo-cd/v3/applicationset/controllers/template"
	"github.com/argoproj/argo-cd/v3/applicationset/generators"
	"github.com/argoproj/argo-cd/v3/applicationset/utils"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	log "github.com/sirupsen/logrus"
)

// PullRequest is one open pull request the harness feeds to the SIMULATED GitHub pull-request API.
type PullRequest struct {
	Number       int64    `json:"number"`
	Title        string   `json:"title"`
	Branch       string   `json:"branch"`
	TargetBranch string   `json:"targetBranch"`
	HeadSHA      string   `json:"headSha"`
	Author       string   `json:"author"`
	Labels       []string `json:"labels"`
}

// readPullRequests reads the --pull-requests file (a JSON array of PullRequest); none when file is "".
func readPullRequests(file string) ([]PullRequest, error) {
	if file == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--pull-requests: %w", err)
	}
	var prs []PullRequest
	if err := json.Unmarshal(raw, &prs); err != nil {
		return nil, fmt.Errorf("--pull-requests %s: not a JSON array of {number, branch, targetBranch, headSha, title, author, labels}: %w", file, err)
	}
	for _, p := range prs {
		if p.Number <= 0 || p.Branch == "" || p.HeadSHA == "" {
			return nil, fmt.Errorf("--pull-requests %s: pull request %d needs a positive number, a branch and a headSha", file, p.Number)
		}
	}
	return prs, nil
}

// fakeGitHub is a SIMULATED GitHub REST API on loopback that answers the one call Argo CD's GitHub
// pull-request service makes, GET /repos/{owner}/{repo}/pulls (applicationset/services/pull_request/github.go
// List, through go-github's PullRequests.List, under the enterprise prefix /api/v3/), with the given
// open pull requests, in GitHub's JSON shape. Argo CD v3.5.1 also ships a FakeService
// (services/pull_request/fake.go), but the PullRequestGenerator chooses its service through an unexported
// field (generators/pull_request.go:27,36), so only an API endpoint can feed the real generator.
func fakeGitHub(prs []PullRequest) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/v3"), "/"), "/")
		if r.Method != http.MethodGet || len(parts) != 4 || parts[0] != "repos" || parts[3] != "pulls" {
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
			return
		}
		out := make([]map[string]any, 0, len(prs))
		for _, p := range prs {
			labels := make([]map[string]any, 0, len(p.Labels))
			for _, l := range p.Labels {
				labels = append(labels, map[string]any{"name": l})
			}
			out = append(out, map[string]any{
				"number": p.Number, "state": "open", "title": p.Title,
				"head":   map[string]any{"ref": p.Branch, "sha": p.HeadSHA},
				"base":   map[string]any{"ref": p.TargetBranch},
				"user":   map[string]any{"login": p.Author},
				"labels": labels,
			})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
}

// supportedGenerators are the generator kinds the harness can run without a repo server or other clusters.
var supportedGenerators = map[string]bool{"List": true, "PullRequest": true}

// requestedGenerators names the generator kinds set in one generator entry (the non-nil fields Argo CD's
// generators.GetRelevantGenerators picks, generator_spec_processor.go:104-122).
func requestedGenerators(g v1alpha1.ApplicationSetGenerator) []string {
	var names []string
	v := reflect.ValueOf(g)
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if v.Type().Field(i).Name == "Selector" || (f.Kind() != reflect.Ptr) || f.IsNil() {
			continue
		}
		names = append(names, v.Type().Field(i).Name)
	}
	return names
}

// generateApplications expands one ApplicationSet with Argo CD v3.5.1's own ApplicationSet code:
// controllers/template.GenerateApplications (template.go:16-80) with the List generator and the
// PullRequest generator (generators/list.go, generators/pull_request.go) and utils.Render. A pullRequest
// generator with a GitHub source is pointed at the SIMULATED GitHub API fed with prs (its api, tokenRef
// and appSecretName replaced in this in-memory copy only); other SCMs are refused.
func generateApplications(appSet *v1alpha1.ApplicationSet, prs []PullRequest) ([]v1alpha1.Application, error) {
	set := appSet.DeepCopy()
	var gh *httptest.Server
	for i := range set.Spec.Generators {
		g := &set.Spec.Generators[i]
		for _, name := range requestedGenerators(*g) {
			if !supportedGenerators[name] {
				return nil, fmt.Errorf("ApplicationSet %s: generator %s is not supported by the harness (it runs list and pullRequest generators only)", set.Name, strings.ToLower(name[:1])+name[1:])
			}
		}
		if pr := g.PullRequest; pr != nil {
			if pr.Github == nil {
				return nil, fmt.Errorf("ApplicationSet %s: pullRequest generator without github: the harness simulates only GitHub's pull-request API", set.Name)
			}
			if gh == nil {
				gh = fakeGitHub(prs)
				defer gh.Close()
			}
			pr.Github.API = gh.URL
			pr.Github.TokenRef = nil
			pr.Github.AppSecretName = ""
		}
	}
	gens := map[string]generators.Generator{
		"List":        generators.NewListGenerator(),
		"PullRequest": generators.NewPullRequestGenerator(nil, generators.NewSCMConfig("", nil, true, false, nil, false)),
	}
	apps, reason, err := template.GenerateApplications(log.NewEntry(log.StandardLogger()), *set, gens, &utils.Render{}, nil)
	if err != nil {
		return nil, fmt.Errorf("ApplicationSet %s: %s: %w", set.Name, reason, err)
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i].Name < apps[j].Name })
	return apps, nil
}

// runAppset prints the Applications every ApplicationSet of <dist>/argocd generates, as a JSON array.
func runAppset(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("appset", flag.ContinueOnError)
	dist := fs.String("dist", "", "the dist/ folder")
	prFile := fs.String("pull-requests", "", "JSON array of open pull requests for pullRequest generators")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dist == "" {
		return fmt.Errorf("--dist: missing; pass the dist/ folder")
	}
	prs, err := readPullRequests(*prFile)
	if err != nil {
		return err
	}
	g, err := loadGitopsWith(*dist, prs)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(g.generated))
	for n := range g.generated {
		names = append(names, n)
	}
	sort.Strings(names)
	res := make([]*v1alpha1.Application, 0, len(names))
	for _, n := range names {
		res = append(res, g.generated[n])
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}
