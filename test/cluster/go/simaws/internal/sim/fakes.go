package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// seed is what the fake values of one external resource are derived from. Every value is a pure
// function of it, so a restart or another run produces the same ids.
type seed struct {
	Kind      schema.GroupVersionKind
	Namespace string
	Name      string
	Region    string
	Account   string
	// ExternalName is the external-name the resource already has (set by the name initializer,
	// pre-seeded for Observe-only, or earlier by this simulator); empty before creation of a
	// resource whose identifier AWS assigns.
	ExternalName string
	Params       map[string]any
	Revision     int64
}

func (s seed) digest(salt string) []byte {
	h := sha256.Sum256([]byte(strings.Join([]string{s.Kind.Group, s.Kind.Kind, s.Namespace, s.Name, salt}, "/")))
	return h[:]
}

// hex17 is the 17 lower-case hex digits of a modern EC2 id (vpc-0abc..., 17 after the dash).
func (s seed) hex17(salt string) string {
	return "0" + hex.EncodeToString(s.digest(salt))[:16]
}

func (s seed) hexN(salt string, n int) string { return hex.EncodeToString(s.digest(salt))[:n] }

const alnumLower = "abcdefghijklmnopqrstuvwxyz0123456789"
const alnumUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func (s seed) chars(salt, alphabet string, n int) string {
	d := s.digest(salt)
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[int(d[i%len(d)]+byte(i/len(d)))%len(alphabet)]
	}
	return string(out)
}

func (s seed) digits(salt string, n int) string {
	d := s.digest(salt)
	v := binary.BigEndian.Uint64(d[:8])
	out := fmt.Sprintf("%020d", v)
	return out[len(out)-n:]
}

func (s seed) uuid(salt string) string {
	h := s.hexN(salt, 32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

func (s seed) param(name string) string {
	v, _ := s.Params[name].(string)
	return v
}

func (s seed) arn(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, s.Region, s.Account, resource)
}

// name is the external name when the kind takes it from metadata.name (upjet's name initializer),
// else the object's name.
func (s seed) name() string {
	if s.ExternalName != "" {
		return s.ExternalName
	}
	return s.Name
}

// profile describes how one kind looks in AWS: whether upjet's NameAsExternalName initializer
// runs for it (provider-upjet-aws v2.6.0 config/externalname.go: every kind but
// config.IdentifierFromProvider ones; upjet pipeline/templates/controller.go.tmpl:45), and the
// external name and computed attributes AWS returns.
type profile struct {
	nameInitializer bool
	observe         func(s seed) (externalName string, computed map[string]any)
}

func identifierFromProvider(fn func(s seed, id string) map[string]any, id func(s seed) string) profile {
	return profile{observe: func(s seed) (string, map[string]any) {
		ext := s.ExternalName
		if ext == "" {
			ext = id(s)
		}
		c := fn(s, ext)
		c["id"] = ext
		return ext, c
	}}
}

func named(fn func(s seed, name string) (id string, computed map[string]any)) profile {
	return profile{nameInitializer: true, observe: func(s seed) (string, map[string]any) {
		ext := s.name()
		id, c := fn(s, ext)
		c["id"] = id
		return ext, c
	}}
}

func ec2ID(prefix, arnType string) profile {
	return identifierFromProvider(func(s seed, id string) map[string]any {
		return map[string]any{"arn": s.arn("ec2", arnType+"/"+id), "ownerId": s.Account}
	}, func(s seed) string { return prefix + "-" + s.hex17("id") })
}

func (s seed) elbHex() string { return s.hexN("elb", 16) }

// profiles covers the kinds this project emits and their neighbours; see defaultProfile for the rest.
var profiles = map[schema.GroupKind]profile{
	{Group: "ec2.aws.m.upbound.io", Kind: "VPC"}: identifierFromProvider(func(s seed, id string) map[string]any {
		return map[string]any{
			"arn": s.arn("ec2", "vpc/"+id), "ownerId": s.Account,
			"defaultRouteTableId": "rtb-" + s.hex17("main-rtb"), "mainRouteTableId": "rtb-" + s.hex17("main-rtb"),
			"defaultSecurityGroupId": "sg-" + s.hex17("default-sg"), "defaultNetworkAclId": "acl-" + s.hex17("acl"),
			"dhcpOptionsId": "dopt-" + s.hex17("dopt"), "instanceTenancy": "default",
		}
	}, func(s seed) string { return "vpc-" + s.hex17("id") }),
	{Group: "ec2.aws.m.upbound.io", Kind: "Subnet"}:          ec2ID("subnet", "subnet"),
	{Group: "ec2.aws.m.upbound.io", Kind: "InternetGateway"}: ec2ID("igw", "internet-gateway"),
	{Group: "ec2.aws.m.upbound.io", Kind: "RouteTable"}:      ec2ID("rtb", "route-table"),
	{Group: "ec2.aws.m.upbound.io", Kind: "SecurityGroup"}:   ec2ID("sg", "security-group"),
	{Group: "ec2.aws.m.upbound.io", Kind: "SecurityGroupIngressRule"}: identifierFromProvider(func(s seed, id string) map[string]any {
		return map[string]any{"arn": s.arn("ec2", "security-group-rule/"+id), "securityGroupRuleId": id}
	}, func(s seed) string { return "sgr-" + s.hex17("id") }),
	{Group: "ec2.aws.m.upbound.io", Kind: "SecurityGroupEgressRule"}: identifierFromProvider(func(s seed, id string) map[string]any {
		return map[string]any{"arn": s.arn("ec2", "security-group-rule/"+id), "securityGroupRuleId": id}
	}, func(s seed) string { return "sgr-" + s.hex17("id") }),
	{Group: "ec2.aws.m.upbound.io", Kind: "RouteTableAssociation"}: identifierFromProvider(func(s seed, id string) map[string]any {
		return map[string]any{}
	}, func(s seed) string { return "rtbassoc-" + s.hex17("id") }),
	{Group: "ec2.aws.m.upbound.io", Kind: "Route"}: identifierFromProvider(func(s seed, id string) map[string]any {
		return map[string]any{"origin": "CreateRoute", "state": "active"}
	}, func(s seed) string { return "r-" + s.param("routeTableId") + s.digits("route", 10) }),
	{Group: "ec2.aws.m.upbound.io", Kind: "EIP"}: identifierFromProvider(func(s seed, id string) map[string]any {
		d := s.digest("ip")
		ip := fmt.Sprintf("13.%d.%d.%d", 48+int(d[0])%16, d[1], 1+int(d[2])%254)
		return map[string]any{
			"allocationId": id, "arn": s.arn("ec2", "elastic-ip/"+id), "publicIp": ip, "domain": "vpc",
			"publicDns": "ec2-" + strings.ReplaceAll(ip, ".", "-") + "." + s.Region + ".compute.amazonaws.com",
		}
	}, func(s seed) string { return "eipalloc-" + s.hex17("id") }),
	{Group: "ec2.aws.m.upbound.io", Kind: "NATGateway"}: identifierFromProvider(func(s seed, id string) map[string]any {
		d := s.digest("ip")
		return map[string]any{
			"networkInterfaceId": "eni-" + s.hex17("eni"), "privateIp": fmt.Sprintf("10.0.%d.%d", d[0]%4+1, 4+int(d[1])%250),
			"associationId": "eipassoc-" + s.hex17("assoc"),
		}
	}, func(s seed) string { return "nat-" + s.hex17("id") }),

	{Group: "rds.aws.m.upbound.io", Kind: "SubnetGroup"}: named(func(s seed, n string) (string, map[string]any) {
		return n, map[string]any{"arn": s.arn("rds", "subgrp:"+n)}
	}),
	{Group: "rds.aws.m.upbound.io", Kind: "Cluster"}: named(func(s seed, n string) (string, map[string]any) {
		suffix := s.chars("cluster-dns", alnumLower, 12)
		port := int64(5432)
		if strings.HasPrefix(s.param("engine"), "aurora-mysql") {
			port = 3306
		}
		c := map[string]any{
			"arn": s.arn("rds", "cluster:"+n), "clusterIdentifier": n,
			"endpoint":          n + ".cluster-" + suffix + "." + s.Region + ".rds.amazonaws.com",
			"readerEndpoint":    n + ".cluster-ro-" + suffix + "." + s.Region + ".rds.amazonaws.com",
			"clusterResourceId": "cluster-" + s.chars("resource-id", alnumUpper, 26),
			"hostedZoneId":      "Z" + s.chars("zone", alnumUpper, 13), "port": port,
			"engineVersionActual": s.param("engineVersion"),
		}
		// With manageMasterUserPassword RDS keeps the password in a secret it owns (Terraform's master_user_secret).
		if v, _ := s.Params["manageMasterUserPassword"].(bool); v {
			c["masterUserSecret"] = []any{map[string]any{
				"kmsKeyId":     s.arn("kms", "key/"+s.uuid("kms")),
				"secretArn":    s.arn("secretsmanager", "secret:rds!cluster-"+s.uuid("secret")+"-"+s.chars("secret-suffix", alnumLower[:26]+alnumUpper[:26], 6)),
				"secretStatus": "active",
			}}
		}
		return n, c
	}),
	{Group: "rds.aws.m.upbound.io", Kind: "ClusterInstance"}: named(func(s seed, n string) (string, map[string]any) {
		cluster := s.param("clusterIdentifier")
		suffix := s.chars("instance-dns", alnumLower, 12)
		if cluster != "" {
			suffix = seed{Kind: schema.GroupVersionKind{Group: "rds.aws.m.upbound.io", Kind: "Cluster"}, Namespace: s.Namespace, Name: cluster}.chars("cluster-dns", alnumLower, 12)
		}
		return n, map[string]any{
			"arn": s.arn("rds", "db:"+n), "identifier": n, "endpoint": n + "." + suffix + "." + s.Region + ".rds.amazonaws.com",
			"port": int64(5432), "dbiResourceId": "db-" + s.chars("resource-id", alnumUpper, 26),
			"engineVersionActual": s.param("engineVersion"),
		}
	}),

	{Group: "secretsmanager.aws.m.upbound.io", Kind: "Secret"}: identifierFromProvider(func(s seed, id string) map[string]any {
		return map[string]any{"arn": id}
	}, func(s seed) string {
		name := s.param("name")
		if name == "" {
			name = s.Name
		}
		return s.arn("secretsmanager", "secret:"+name+"-"+s.chars("suffix", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 6))
	}),
	{Group: "secretsmanager.aws.m.upbound.io", Kind: "SecretVersion"}: identifierFromProvider(func(s seed, id string) map[string]any {
		arn, version, _ := strings.Cut(id, "|")
		return map[string]any{"arn": arn, "versionId": version, "versionStages": []any{"AWSCURRENT"}}
	}, func(s seed) string { return s.param("secretId") + "|" + s.uuid("version") }),
	{Group: "ssm.aws.m.upbound.io", Kind: "Parameter"}: named(func(s seed, n string) (string, map[string]any) {
		return n, map[string]any{"arn": s.arn("ssm", "parameter/"+strings.TrimPrefix(n, "/")), "version": int64(1 + s.Revision)}
	}),
	{Group: "ecr.aws.m.upbound.io", Kind: "Repository"}: named(func(s seed, n string) (string, map[string]any) {
		return n, map[string]any{
			"arn": s.arn("ecr", "repository/"+n), "registryId": s.Account,
			"repositoryUrl": s.Account + ".dkr.ecr." + s.Region + ".amazonaws.com/" + n,
		}
	}),
	{Group: "ecr.aws.m.upbound.io", Kind: "LifecyclePolicy"}: identifierFromProvider(func(s seed, id string) map[string]any {
		return map[string]any{"registryId": s.Account}
	}, func(s seed) string { return s.param("repository") }),
	{Group: "iam.aws.m.upbound.io", Kind: "Role"}: named(func(s seed, n string) (string, map[string]any) {
		return n, map[string]any{"arn": "arn:aws:iam::" + s.Account + ":role/" + n, "uniqueId": "AROA" + s.chars("unique", alnumUpper, 17)}
	}),
	{Group: "iam.aws.m.upbound.io", Kind: "RolePolicy"}: named(func(s seed, n string) (string, map[string]any) {
		return s.param("role") + ":" + n, map[string]any{}
	}),
	{Group: "iam.aws.m.upbound.io", Kind: "Policy"}: named(func(s seed, n string) (string, map[string]any) {
		arn := "arn:aws:iam::" + s.Account + ":policy/" + n
		return arn, map[string]any{"arn": arn, "policyId": "ANPA" + s.chars("unique", alnumUpper, 17)}
	}),
	{Group: "ecs.aws.m.upbound.io", Kind: "Cluster"}: named(func(s seed, n string) (string, map[string]any) {
		arn := s.arn("ecs", "cluster/"+n)
		return arn, map[string]any{"arn": arn}
	}),
	{Group: "ecs.aws.m.upbound.io", Kind: "ClusterCapacityProviders"}: identifierFromProvider(func(s seed, id string) map[string]any {
		return map[string]any{}
	}, func(s seed) string { return s.param("clusterName") }),
	{Group: "ecs.aws.m.upbound.io", Kind: "TaskDefinition"}: identifierFromProvider(func(s seed, id string) map[string]any {
		family := s.param("family")
		if family == "" {
			family = id
		}
		rev := s.Revision
		if rev == 0 {
			// adopted after a restart: the family's first revision
			rev = 1
		}
		return map[string]any{
			"arn":                s.arn("ecs", fmt.Sprintf("task-definition/%s:%d", family, rev)),
			"arnWithoutRevision": s.arn("ecs", "task-definition/"+family), "revision": rev,
		}
	}, func(s seed) string {
		if f := s.param("family"); f != "" {
			return f
		}
		return s.Name
	}),
	{Group: "ecs.aws.m.upbound.io", Kind: "Service"}: named(func(s seed, n string) (string, map[string]any) {
		cluster := s.param("cluster")
		if i := strings.LastIndex(cluster, "/"); i >= 0 {
			cluster = cluster[i+1:]
		}
		arn := s.arn("ecs", "service/"+cluster+"/"+n)
		return arn, map[string]any{"arn": arn}
	}),
	{Group: "cloudwatchlogs.aws.m.upbound.io", Kind: "Group"}: named(func(s seed, n string) (string, map[string]any) {
		return n, map[string]any{"arn": s.arn("logs", "log-group:"+n)}
	}),
	{Group: "cloudwatch.aws.m.upbound.io", Kind: "MetricAlarm"}: named(func(s seed, n string) (string, map[string]any) {
		return n, map[string]any{"arn": s.arn("cloudwatch", "alarm:"+n)}
	}),
	{Group: "sns.aws.m.upbound.io", Kind: "Topic"}: named(func(s seed, n string) (string, map[string]any) {
		arn := s.arn("sns", n)
		return arn, map[string]any{"arn": arn, "owner": s.Account}
	}),
	{Group: "appautoscaling.aws.m.upbound.io", Kind: "Target"}: identifierFromProvider(func(s seed, id string) map[string]any {
		return map[string]any{"arn": s.arn("application-autoscaling", "scalable-target/"+s.chars("target", alnumLower, 36))}
	}, func(s seed) string { return s.param("resourceId") }),
	{Group: "appautoscaling.aws.m.upbound.io", Kind: "Policy"}: named(func(s seed, n string) (string, map[string]any) {
		return n, map[string]any{"arn": s.arn("autoscaling", "scalingPolicy:"+s.uuid("policy")+":resource/"+s.param("serviceNamespace")+"/"+s.param("resourceId")+":policyName/"+n)}
	}),
	{Group: "s3.aws.m.upbound.io", Kind: "Bucket"}: named(func(s seed, n string) (string, map[string]any) {
		return n, map[string]any{
			"arn": "arn:aws:s3:::" + n, "bucketDomainName": n + ".s3.amazonaws.com",
			"bucketRegionalDomainName": n + ".s3." + s.Region + ".amazonaws.com", "hostedZoneId": "Z3BAZG2TWCNX0D",
		}
	}),
	{Group: "elbv2.aws.m.upbound.io", Kind: "LB"}: identifierFromProvider(func(s seed, id string) map[string]any {
		name := lbName(s, id)
		suffix := id[strings.Index(id, ":loadbalancer/")+len(":loadbalancer/"):]
		dns := name + "-" + s.digits("dns", 10) + "." + s.Region + ".elb.amazonaws.com"
		if v, _ := s.Params["internal"].(bool); v {
			dns = "internal-" + dns
		}
		return map[string]any{"arn": id, "arnSuffix": suffix, "dnsName": dns, "zoneId": "Z23TAJYPK4KZHZ", "name": name}
	}, func(s seed) string {
		kind := "app"
		if t := s.param("loadBalancerType"); t == "network" {
			kind = "net"
		}
		return s.arn("elasticloadbalancing", "loadbalancer/"+kind+"/"+lbName(s, "")+"/"+s.elbHex())
	}),
	{Group: "elbv2.aws.m.upbound.io", Kind: "LBTargetGroup"}: identifierFromProvider(func(s seed, id string) map[string]any {
		suffix := id[strings.Index(id, ":targetgroup/")+1:]
		return map[string]any{"arn": id, "arnSuffix": suffix, "name": lbName(s, id)}
	}, func(s seed) string {
		return s.arn("elasticloadbalancing", "targetgroup/"+lbName(s, "")+"/"+s.elbHex())
	}),
	{Group: "elbv2.aws.m.upbound.io", Kind: "LBListener"}: identifierFromProvider(func(s seed, id string) map[string]any {
		return map[string]any{"arn": id}
	}, func(s seed) string {
		lb := s.param("loadBalancerArn")
		if i := strings.Index(lb, ":loadbalancer/"); i >= 0 {
			return s.arn("elasticloadbalancing", "listener/"+lb[i+len(":loadbalancer/"):]+"/"+s.elbHex())
		}
		return s.arn("elasticloadbalancing", "listener/app/unknown/"+s.hexN("lb", 16)+"/"+s.elbHex())
	}),
	{Group: "cloudfront.aws.m.upbound.io", Kind: "Distribution"}: identifierFromProvider(func(s seed, id string) map[string]any {
		return map[string]any{
			"arn": "arn:aws:cloudfront::" + s.Account + ":distribution/" + id, "domainName": "d" + s.chars("domain", alnumLower, 13) + ".cloudfront.net",
			"hostedZoneId": "Z2FDTNDATAQYW2", "status": "Deployed", "etag": "E" + s.chars("etag", alnumUpper, 13),
			"callerReference": "terraform-" + s.digits("caller", 20),
		}
	}, func(s seed) string { return "E" + s.chars("id", alnumUpper, 13) }),
}

func lbName(s seed, id string) string {
	if n := s.param("name"); n != "" {
		return n
	}
	return s.Name
}

// defaultProfile serves kinds without a profile: the object's name as external name and id, and an
// ARN of the usual shape.
func defaultProfile(gk schema.GroupKind) profile {
	service := strings.TrimSuffix(gk.Group, ".aws.m.upbound.io")
	return named(func(s seed, n string) (string, map[string]any) {
		return n, map[string]any{"arn": s.arn(service, strings.ToLower(gk.Kind)+"/"+n)}
	})
}

func profileFor(gk schema.GroupKind) profile {
	if p, ok := profiles[gk]; ok {
		return p
	}
	return defaultProfile(gk)
}
