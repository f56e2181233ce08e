package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/utils/kube"
	"github.com/argoproj/argo-cd/v3/common"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/argo"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// inCluster is the destination every Application of ours names: Argo CD's implicit local cluster
// (util/db/cluster.go: "in-cluster", https://kubernetes.default.svc). The harness's API server stands in for it.
var inCluster = &v1alpha1.Cluster{Name: "in-cluster", Server: v1alpha1.KubernetesInternalAPIServerAddr}

// noProjectClusters answers Argo CD's project-scoped cluster lookup: we register no project-scoped clusters.
func noProjectClusters(string) ([]*v1alpha1.Cluster, error) { return nil, nil }

// gitops holds the Argo CD objects of our dist/argocd folder.
type gitops struct {
	apps     map[string]*v1alpha1.Application
	projects map[string]*v1alpha1.AppProject
	// generated are the Applications the ApplicationSets generate (also in apps).
	generated map[string]*v1alpha1.Application
}

// pullRequests are the open pull requests of --pull-requests, for pullRequest generators.
var pullRequests []PullRequest

// readManifestFile parses every YAML document of a file into unstructured objects, as Argo CD's repo server does
// for a directory source (reposerver/repository/repository.go getObjsFromYAMLOrJSON L2018, via kube.SplitYAML).
func readManifestFile(file string) ([]*unstructured.Unstructured, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(file, ".json") {
		var u unstructured.Unstructured
		if err := u.UnmarshalJSON(raw); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		return []*unstructured.Unstructured{&u}, nil
	}
	objs, err := kube.SplitYAML(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return objs, nil
}

func loadGitops(distDir string) (*gitops, error) {
	return loadGitopsWith(distDir, pullRequests)
}

// loadGitopsWith reads the Applications, AppProjects and ApplicationSets of distDir/argocd and adds the
// Applications the ApplicationSets generate, as Argo CD's ApplicationSet controller would create them.
func loadGitopsWith(distDir string, prs []PullRequest) (*gitops, error) {
	files, err := filepath.Glob(filepath.Join(distDir, "argocd", "*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("--dist: no Argo CD manifests in %q (expected %s); pass the dist/ folder",
			filepath.Join(distDir, "argocd"), filepath.Join(distDir, "argocd", "*.yaml"))
	}
	g := &gitops{apps: map[string]*v1alpha1.Application{}, projects: map[string]*v1alpha1.AppProject{}, generated: map[string]*v1alpha1.Application{}}
	var sets []*v1alpha1.ApplicationSet
	for _, f := range files {
		objs, err := readManifestFile(f)
		if err != nil {
			return nil, fmt.Errorf("--dist: %w", err)
		}
		for _, o := range objs {
			raw, err := o.MarshalJSON()
			if err != nil {
				return nil, err
			}
			switch o.GroupVersionKind().GroupKind().String() {
			case "Application.argoproj.io":
				var a v1alpha1.Application
				if err := yaml.UnmarshalStrict(raw, &a); err != nil {
					return nil, fmt.Errorf("--dist: Application %s in %s: %w", o.GetName(), f, err)
				}
				g.apps[a.Name] = &a
			case "AppProject.argoproj.io":
				var p v1alpha1.AppProject
				if err := yaml.UnmarshalStrict(raw, &p); err != nil {
					return nil, fmt.Errorf("--dist: AppProject %s in %s: %w", o.GetName(), f, err)
				}
				g.projects[p.Name] = &p
			case "ApplicationSet.argoproj.io":
				var a v1alpha1.ApplicationSet
				if err := yaml.UnmarshalStrict(raw, &a); err != nil {
					return nil, fmt.Errorf("--dist: ApplicationSet %s in %s: %w", o.GetName(), f, err)
				}
				sets = append(sets, &a)
			}
		}
	}
	for _, set := range sets {
		apps, err := generateApplications(set, prs)
		if err != nil {
			return nil, err
		}
		for i := range apps {
			a := &apps[i]
			a.TypeMeta.APIVersion, a.TypeMeta.Kind = "argoproj.io/v1alpha1", "Application"
			if _, dup := g.apps[a.Name]; dup {
				return nil, fmt.Errorf("ApplicationSet %s generates Application %s, which already exists", set.Name, a.Name)
			}
			g.apps[a.Name] = a
			g.generated[a.Name] = a
		}
	}
	return g, nil
}

func (g *gitops) app(name string) (*v1alpha1.Application, error) {
	a, ok := g.apps[name]
	if !ok {
		names := make([]string, 0, len(g.apps))
		for n := range g.apps {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("--application: no Application %q in the dist folder; known: %s", name, strings.Join(names, ", "))
	}
	if a.Spec.Source == nil || a.Spec.Source.Path == "" {
		return nil, fmt.Errorf("--application: Application %q has no single directory source (spec.source.path)", name)
	}
	return a, nil
}

func (g *gitops) project(a *v1alpha1.Application) (*v1alpha1.AppProject, error) {
	p, ok := g.projects[a.Spec.Project]
	if !ok {
		return nil, fmt.Errorf("Application %q names AppProject %q, which the dist folder does not define", a.Name, a.Spec.Project)
	}
	return p, nil
}

// appManifests reads the Application's directory source the way the repo server does for plain manifests: every
// .yaml/.yml/.json file of spec.source.path, recursively only with directory.recurse (repository.go findManifests
// L1968). The path is relative to the repository root, the folder that holds dist/. The tracking annotation is set
// on every object as the repo server does (repository.go L1807) with annotation tracking
// (application.resourceTrackingMethod in our argocd-cm).
func appManifests(distDir string, a *v1alpha1.Application) ([]*unstructured.Unstructured, error) {
	root := filepath.Dir(filepath.Clean(distDir))
	dir := filepath.Join(root, a.Spec.Source.Path)
	recurse := a.Spec.Source.Directory != nil && a.Spec.Source.Directory.Recurse
	var objs []*unstructured.Unstructured
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && !recurse {
				return filepath.SkipDir
			}
			return nil
		}
		ext := filepath.Ext(p)
		if ext != ".yaml" && ext != ".yml" && ext != ".json" {
			return nil
		}
		fileObjs, err := readManifestFile(p)
		if err != nil {
			return err
		}
		objs = append(objs, fileObjs...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("Application %q: cannot read its source path %q: %w", a.Name, dir, err)
	}
	for _, o := range objs {
		if kube.IsCRD(o) {
			continue
		}
		if err := argo.NewResourceTracking().SetAppInstance(o, common.LabelKeyAppInstance, a.InstanceName(argoCDNamespace), a.Spec.Destination.Namespace, v1alpha1.TrackingMethodAnnotation, ""); err != nil {
			return nil, err
		}
	}
	return objs, nil
}

// loadApplication reads the named Application from distDir's Argo CD folder and its AppProject from projectDist's
// (the project as it is when the command acts; distDir when empty).
func loadApplication(distDir, projectDist, name string) (*v1alpha1.Application, *v1alpha1.AppProject, error) {
	g, err := loadGitops(distDir)
	if err != nil {
		return nil, nil, err
	}
	app, err := g.app(name)
	if err != nil {
		return nil, nil, err
	}
	pg := g
	if projectDist != "" {
		if pg, err = loadGitops(projectDist); err != nil {
			return nil, nil, fmt.Errorf("--project-dist: %w", err)
		}
	}
	proj, err := pg.project(app)
	if err != nil {
		return nil, nil, err
	}
	return app, proj, nil
}
