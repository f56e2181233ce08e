// Command simulated-aws is a SIMULATED AWS provider for the cluster test harness: it reconciles
// provider-upjet-aws v2.6.0's namespaced managed resources (*.aws.m.upbound.io) the way the
// provider and crossplane-runtime's managed reconciler do at the Kubernetes API, without any AWS.
// See package internal/sim for what is and is not simulated.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"catalog-api-platform/test/cluster/go/simaws/internal/sim"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "simulated-aws: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("simulated-aws", flag.ContinueOnError)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig file of the control plane (required)")
	delay := fs.Duration("delay", 2*time.Second, "how long a simulated create, update or delete takes")
	slow := fs.Duration("slow-delay", 0, "the same for RDS clusters/instances and CloudFront distributions (default 4 × --delay)")
	poll := fs.Duration("poll-interval", 10*time.Second, "how often an up-to-date resource is observed again (the provider polls every 10m, cmd/provider/ec2/zz_main.go:83; scaled down)")
	record := fs.String("record", "", "append one JSON line per create, update, delete (and orphaning deletion) to this file")
	inventory := fs.String("inventory", "", "JSON file of the resources AWS already holds ({\"resources\": [{\"type\": \"aws_vpc\", \"attributes\": {...}}]}, Terraform types and attributes), e.g. derived from a Terraform state")
	account := fs.String("account-id", "123456789012", "AWS account id used in fake ARNs when a ProviderConfig names none")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *kubeconfig == "":
		return fmt.Errorf("--kubeconfig is required: pass the kubeconfig file of the control plane")
	case *delay <= 0:
		return fmt.Errorf("--delay must be positive, got %s: pass a duration such as 2s", delay.String())
	case *slow < 0:
		return fmt.Errorf("--slow-delay must not be negative, got %s: pass a duration such as 8s", slow.String())
	case !regexp.MustCompile(`^\d{12}$`).MatchString(*account):
		return fmt.Errorf("--account-id must be 12 digits, got %q: pass e.g. 123456789012", *account)
	}
	if *slow == 0 {
		*slow = 4 * *delay
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return fmt.Errorf("cannot read --kubeconfig %s: %v", *kubeconfig, err)
	}
	cfg.UserAgent = "simulated-aws"
	// client-go's default 5 requests/s would throttle the managed resources of a whole environment.
	cfg.QPS, cfg.Burst = 100, 200

	log := zap.New(zap.UseDevMode(false)).WithName("SIMULATED-AWS")
	ctrl.SetLogger(log)

	var rec *sim.Recorder
	if *record != "" {
		if rec, err = sim.NewRecorder(*record); err != nil {
			return fmt.Errorf("cannot open --record file %s: %v", *record, err)
		}
		defer rec.Close()
	}
	var inv *sim.Inventory
	if *inventory != "" {
		if inv, err = sim.LoadInventory(*inventory); err != nil {
			return err
		}
	}
	refs, err := sim.LoadReferences()
	if err != nil {
		return err
	}
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	_ = apiextensionsv1.AddToScheme(scheme)
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0"})
	if err != nil {
		return fmt.Errorf("cannot create controller manager: %v", err)
	}
	p := &sim.Provider{Manager: mgr, References: refs, Options: sim.Options{
		Delay: *delay, SlowDelay: *slow, PollInterval: *poll, Account: *account, Recorder: rec, Inventory: inv, Log: log,
	}}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	banner(log, *delay, *slow, *record)
	if inv != nil {
		log.Info("SIMULATED AWS account holds resources created before Crossplane", "inventory", *inventory, "resources", inv.Len())
	}
	go func() { _ = p.Run(ctx, 3*time.Second) }()
	return mgr.Start(ctx)
}

func banner(log logr.Logger, delay, slow time.Duration, record string) {
	fmt.Fprintln(os.Stderr, "SIMULATED AWS provider: no AWS API is called; ids, ARNs and endpoints are fake.")
	log.Info("SIMULATED AWS provider starting", "delay", delay.String(), "slowDelay", slow.String(), "record", record)
}
