package main

import (
	"strings"
	"testing"
)

func TestBadFlagsNameTheSettingAndTheFix(t *testing.T) {
	cases := map[string][]string{
		"--kubeconfig is required":                         {},
		"--delay must be positive, got 0s":                 {"--kubeconfig", "k", "--delay", "0s"},
		"--slow-delay must not be negative":                {"--kubeconfig", "k", "--slow-delay", "-1s"},
		`--account-id must be 12 digits, got "1234"`:       {"--kubeconfig", "k", "--account-id", "1234"},
		"cannot read --kubeconfig /nonexistent/kubeconfig": {"--kubeconfig", "/nonexistent/kubeconfig"},
	}
	for want, args := range cases {
		err := run(args)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("run(%v) = %v, want an error containing %q", args, err, want)
		}
	}
}
