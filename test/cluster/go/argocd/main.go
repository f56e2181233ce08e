// Command argocd-harness runs Argo CD v3.5.1's own code (health checks, settings parsing, the gitops-engine sync
// engine and project permission checks) against a test cluster, so the cluster tests judge our manifests the way a
// real Argo CD would. Subcommands: health, sync, delete, diff (see usage).
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `usage:
  argocd-harness health [--argocd-cm <file>] [--base-cm <file>] < objects.json
  argocd-harness excluded [--argocd-cm <file>] [--base-cm <file>] < group-kinds.json
  argocd-harness sync --kubeconfig <file> --application <name> --dist <dir> [--argocd-cm <file>] [--timeout 15m] [--report <file.json>]
  argocd-harness delete --kubeconfig <file> --application <name> --dist <dir> [--timeout 15m]
  argocd-harness diff --kubeconfig <file> --application <name> --dist <dir> [--argocd-cm <file>]
`

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("missing subcommand; expected one of health, excluded, sync, delete, diff"))
	}
	var err error
	switch os.Args[1] {
	case "health":
		err = runHealth(os.Args[2:], os.Stdin, os.Stdout)
	case "excluded":
		err = runExcluded(os.Args[2:], os.Stdin, os.Stdout)
	case "sync":
		err = runSync(os.Args[2:], os.Stdout)
	case "delete":
		err = runDelete(os.Args[2:], os.Stdout)
	case "diff":
		err = runDiff(os.Args[2:], os.Stdout)
	case "-h", "--help", "help":
		_, _ = io.WriteString(os.Stdout, usage)
		return
	default:
		err = fmt.Errorf("unknown subcommand %q; expected one of health, excluded, sync, delete, diff", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "argocd-harness: %v\n%s", err, usage)
	os.Exit(1)
}
