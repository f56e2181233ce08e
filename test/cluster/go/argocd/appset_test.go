package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const previewsByPullRequest = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: previews, namespace: argocd}
spec:
  goTemplate: true
  goTemplateOptions: [missingkey=error]
  generators:
    - pullRequest:
        github: {owner: example-org, repo: catalog-api-platform, labels: [preview]}
  template:
    metadata: {name: 'catalog-api-pr{{.number}}', namespace: argocd}
    spec:
      project: catalog-api
      destination: {server: https://kubernetes.default.svc, namespace: 'catalog-api-pr{{.number}}'}
      source: {repoURL: https://github.com/example-org/catalog-api-platform.git, targetRevision: '{{.head_sha}}', path: 'dist/environments/pr{{.number}}'}
`

const previewsByList = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: previews, namespace: argocd}
spec:
  goTemplate: true
  generators:
    - list: {elements: [{suffix: pr7, path: dist/environments/pr7}]}
  template:
    metadata: {name: 'catalog-api-{{.suffix}}'}
    spec:
      project: catalog-api
      destination: {server: https://kubernetes.default.svc, namespace: 'catalog-api-{{.suffix}}'}
      source: {repoURL: https://github.com/example-org/catalog-api-platform.git, targetRevision: main, path: '{{.path}}'}
`

func distWith(t *testing.T, appset string) string {
	t.Helper()
	dist := filepath.Join(t.TempDir(), "dist")
	if err := os.MkdirAll(filepath.Join(dist, "argocd"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dist, "argocd", "appsets.yaml"), []byte(appset), 0o644); err != nil {
		t.Fatal(err)
	}
	return dist
}

func TestPullRequestGeneratorMakesOneApplicationPerLabelledOpenPullRequest(t *testing.T) {
	// GIVEN a pullRequest ApplicationSet filtering on the label preview, and two open pull requests, one labelled
	dist := distWith(t, previewsByPullRequest)
	prs := []PullRequest{
		{Number: 12, Branch: "feature/a", TargetBranch: "main", HeadSHA: "0123456789abcdef", Title: "a", Author: "dev", Labels: []string{"preview"}},
		{Number: 13, Branch: "feature/b", TargetBranch: "main", HeadSHA: "fedcba9876543210", Title: "b", Author: "dev"},
	}
	// WHEN Argo CD's generator and template code expand it
	g, err := loadGitopsWith(dist, prs)
	if err != nil {
		t.Fatal(err)
	}
	// THEN exactly the labelled pull request has an Application, rendered from its number and head SHA
	if len(g.generated) != 1 || g.generated["catalog-api-pr12"] == nil {
		t.Fatalf("generated %v, want only catalog-api-pr12", keys(g.generated))
	}
	a := g.generated["catalog-api-pr12"]
	if a.Spec.Source.Path != "dist/environments/pr12" || a.Spec.Source.TargetRevision != "0123456789abcdef" || a.Spec.Destination.Namespace != "catalog-api-pr12" || a.Namespace != "argocd" {
		t.Errorf("Application = %+v", a.Spec)
	}
}

func TestListGeneratorApplicationsAreFoundByName(t *testing.T) {
	// GIVEN a list ApplicationSet WHEN loaded THEN its Application is known by name like a plain one
	g, err := loadGitopsWith(distWith(t, previewsByList), nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := g.apps["catalog-api-pr7"]; a == nil || a.Spec.Source.Path != "dist/environments/pr7" {
		t.Fatalf("apps = %v, want catalog-api-pr7 with path dist/environments/pr7", keys(g.apps))
	}
}

func TestUnsupportedGeneratorIsNamed(t *testing.T) {
	// GIVEN a git generator (needs a repo server) WHEN loaded THEN the error names the generator
	_, err := loadGitopsWith(distWith(t, strings.Replace(previewsByList, "- list: {elements: [{suffix: pr7, path: dist/environments/pr7}]}", "- git: {repoURL: https://example.org/r.git, revision: main, directories: [{path: x}]}", 1)), nil)
	if err == nil || !strings.Contains(err.Error(), "generator git is not supported") {
		t.Fatalf("err = %v, want one naming the git generator", err)
	}
}

func keys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
