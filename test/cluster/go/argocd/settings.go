package main

import (
	"context"
	"fmt"
	"os"

	"github.com/argoproj/argo-cd/v3/common"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/settings"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/yaml"
)

const argoCDNamespace = "argocd"

// readConfigMapData reads the `data` of a ConfigMap or of a ConfigMap patch (our docs/argocd/argocd-cm-patch.yaml).
func readConfigMapData(file, flag string) (map[string]string, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read %q: %w; pass a readable argocd-cm (patch) file", flag, file, err)
	}
	var cm struct {
		Data map[string]string `json:"data"`
	}
	if err := yaml.UnmarshalStrict(raw, &cm); err != nil {
		// A whole ConfigMap carries apiVersion/kind/metadata as well; accept it.
		var full corev1.ConfigMap
		if err2 := yaml.Unmarshal(raw, &full); err2 != nil || full.Kind != "ConfigMap" {
			return nil, fmt.Errorf("%s: %q is neither a ConfigMap nor a {data: ...} patch: %w", flag, file, err)
		}
		cm.Data = full.Data
	}
	return cm.Data, nil
}

// argoSettings builds Argo CD's own SettingsManager over an argocd-cm made of the base ConfigMap (the one the Argo CD
// install ships, optional) with the patch merged over it the way `kubectl patch --type merge` merges `data`: each key
// of the patch replaces the base's key of the same name (JSON merge patch, RFC 7386). Every setting is then parsed by
// Argo CD's code (util/settings/settings.go at v3.5.1: GetResourceOverrides L1045, appendResourceOverridesFromSplitKeys
// L1140, GetResourcesFilter L866), not by ours.
func argoSettings(baseFile, patchFile string) (*settings.SettingsManager, error) {
	data := map[string]string{}
	if baseFile != "" {
		base, err := readConfigMapData(baseFile, "--base-cm")
		if err != nil {
			return nil, err
		}
		for k, v := range base {
			data[k] = v
		}
	}
	if patchFile != "" {
		patch, err := readConfigMapData(patchFile, "--argocd-cm")
		if err != nil {
			return nil, err
		}
		for k, v := range patch {
			data[k] = v
		}
	}
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{
			Name:      common.ArgoCDConfigMapName,
			Namespace: argoCDNamespace,
			Labels:    map[string]string{"app.kubernetes.io/part-of": "argocd"},
		},
		Data: data,
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name:      common.ArgoCDSecretName,
			Namespace: argoCDNamespace,
			Labels:    map[string]string{"app.kubernetes.io/part-of": "argocd"},
		},
		Data: map[string][]byte{"server.secretkey": []byte("harness")},
	}
	return settings.NewSettingsManager(context.Background(), fake.NewClientset(cm, secret), argoCDNamespace), nil
}

func resourceOverrides(baseFile, patchFile string) (map[string]v1alpha1.ResourceOverride, error) {
	mgr, err := argoSettings(baseFile, patchFile)
	if err != nil {
		return nil, err
	}
	overrides, err := mgr.GetResourceOverrides()
	if err != nil {
		return nil, fmt.Errorf("--argocd-cm: Argo CD rejects the resource customizations: %w", err)
	}
	return overrides, nil
}
