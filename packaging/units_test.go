package packaging

import (
	"maps"
	"os"
	"slices"
	"testing"

	"github.com/coreos/go-systemd/v22/unit"
)

// directives maps "Section.Name" to the values of a unit file, in order.
type directives map[string][]string

func readUnit(t *testing.T, path string) directives {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts, err := unit.Deserialize(f)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	d := directives{}
	for _, o := range opts {
		key := o.Section + "." + o.Name
		d[key] = append(d[key], o.Value)
	}
	return d
}

// serviceContract is what ks3sync.service must say: the command, the user,
// where the keys come from, what survives a restart, and the hardening a
// backup daemon can live with (it reads the whole file system, writes only
// its state and logs).
var serviceContract = directives{
	"Unit.Wants":                       {"network-online.target"},
	"Unit.After":                       {"network-online.target"},
	"Service.Type":                     {"simple"},
	"Service.User":                     {"ks3sync"},
	"Service.Group":                    {"ks3sync"},
	"Service.EnvironmentFile":          {"-/etc/ks3sync/env"},
	"Service.ExecStart":                {"/usr/bin/ks3sync watch --config /etc/ks3sync/ks3sync.yaml"},
	"Service.Restart":                  {"on-failure"},
	"Service.RestartPreventExitStatus": {"2"},
	"Service.StateDirectory":           {"ks3sync"},
	"Service.LogsDirectory":            {"ks3sync"},
	"Service.WorkingDirectory":         {"/var/lib/ks3sync"},
	"Service.ProtectSystem":            {"strict"},
	"Service.ProtectHome":              {"read-only"},
	"Service.PrivateTmp":               {"true"},
	"Service.NoNewPrivileges":          {"true"},
	"Service.CapabilityBoundingSet":    {""},
	"Service.AmbientCapabilities":      {""},
	"Install.WantedBy":                 {"multi-user.target"},
}

// instanceOnly are the directives in which ks3sync@NAME.service differs
// from ks3sync.service, with the template's values.
var instanceOnly = directives{
	"Unit.Description":         {"ks3sync instance %i: keep folders in sync with KS3 object storage"},
	"Service.EnvironmentFile":  {"-/etc/ks3sync/env", "-/etc/ks3sync/%i.env"},
	"Service.ExecStart":        {"/usr/bin/ks3sync watch --config /etc/ks3sync/%i.yaml"},
	"Service.StateDirectory":   {"ks3sync/%i"},
	"Service.LogsDirectory":    {"ks3sync/%i"},
	"Service.WorkingDirectory": {"/var/lib/ks3sync/%i"},
}

func TestServiceUnit(t *testing.T) {
	d := readUnit(t, "systemd/ks3sync.service")
	for _, key := range slices.Sorted(maps.Keys(serviceContract)) {
		if got, want := d[key], serviceContract[key]; !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	// A writable path for everyone, a user chosen at run time or root
	// would undo the contract above.
	for _, key := range []string{"Service.ReadWritePaths", "Service.DynamicUser", "Service.PermissionsStartOnly"} {
		if v, ok := d[key]; ok {
			t.Errorf("%s = %q: the shipped unit must not set it", key, v)
		}
	}
	for key, vals := range d {
		if len(vals) > 1 && key != "Service.EnvironmentFile" {
			t.Errorf("%s is set %d times: %q", key, len(vals), vals)
		}
	}
}

// TestTemplateUnit checks that ks3sync@.service is ks3sync.service with only
// the per-instance paths changed, so the two cannot drift apart.
func TestTemplateUnit(t *testing.T) {
	service := readUnit(t, "systemd/ks3sync.service")
	template := readUnit(t, "systemd/ks3sync@.service")
	for key, want := range instanceOnly {
		if got := template[key]; !slices.Equal(got, want) {
			t.Errorf("template %s = %q, want %q", key, got, want)
		}
		delete(service, key)
		delete(template, key)
	}
	for _, key := range slices.Sorted(maps.Keys(service)) {
		if !slices.Equal(service[key], template[key]) {
			t.Errorf("%s: ks3sync.service has %q, the template %q", key, service[key], template[key])
		}
	}
	for key, vals := range template {
		if _, ok := service[key]; !ok {
			t.Errorf("%s = %q only in the template", key, vals)
		}
	}
}
