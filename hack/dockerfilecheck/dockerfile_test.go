/*
Copyright 2026 The aggregation-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package dockerfilecheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// description mirrors what `go run ./hack/images -describe` prints for each Dockerfile target.
type description struct {
	Target       string            `json:"target"`
	Package      string            `json:"package"`
	Base         string            `json:"base"`
	Entrypoint   []string          `json:"entrypoint"`
	User         string            `json:"user"`
	ExposedPorts []string          `json:"exposedPorts"`
	Labels       map[string]string `json:"labels"`
	Copied       []string          `json:"copied"`
}

const repo = "../.."

// The Dockerfile's targets and the daemonless build's images agree on base, entrypoint, user, exposed
// ports, OCI labels (ARGs expanded) and the files copied in, and the copied binary is built from the
// same package. hack/images' own test checks that the images it writes are what it describes.
func TestDockerfileMatchesDaemonlessBuild(t *testing.T) {
	for _, tc := range []struct {
		name string
		args map[string]string
	}{
		{"build args given", map[string]string{"VERSION": "v9.8.7", "SOURCE": "https://example.com/src", "REVISION": "0123abc"}},
		{"defaults", nil}, // the Dockerfile's ARG defaults are hack/images' flag defaults
	} {
		t.Run(tc.name, func(t *testing.T) {
			stages := parseDockerfile(t, tc.args)
			descs := describe(t, tc.args)
			var targets []string
			for _, d := range descs {
				targets = append(targets, d.Target)
				s, ok := stages[d.Target]
				if !ok {
					t.Errorf("the Dockerfile has no stage %s", d.Target)
					continue
				}
				compare(t, d, s, stages)
			}
			for _, name := range finalStages(stages) {
				if !slices.Contains(targets, name) {
					t.Errorf("Dockerfile target %s has no daemonless equivalent in hack/images", name)
				}
			}
		})
	}
}

func compare(t *testing.T, d description, s Stage, stages map[string]Stage) {
	t.Helper()
	check := func(what string, dockerfile, daemonless any, equal bool) {
		if !equal {
			t.Errorf("%s %s: Dockerfile %v, hack/images %v", d.Target, what, dockerfile, daemonless)
		}
	}
	check("base", s.Base, d.Base, s.Base == d.Base)
	check("entrypoint", s.Entrypoint, d.Entrypoint, slices.Equal(s.Entrypoint, d.Entrypoint))
	check("user", s.User, d.User, s.User == d.User)
	check("exposed ports", s.Ports, d.ExposedPorts, slices.Equal(s.Ports, slices.Sorted(slices.Values(d.ExposedPorts))))
	for _, k := range slices.Sorted(maps.Keys(union(s.Labels, d.Labels))) {
		dv, dok := s.Labels[k]
		iv, iok := d.Labels[k]
		check("label "+k, quoted(dv, dok), quoted(iv, iok), dv == iv && dok == iok)
	}
	for k, v := range s.Labels {
		if strings.HasPrefix(k, "org.opencontainers.image.") && (v == "" || strings.Contains(v, "$")) {
			t.Errorf("%s label %s=%q: unexpanded or empty", d.Target, k, v)
		}
	}
	var dests []string
	for _, c := range s.Copies {
		dests = append(dests, c.Dest)
		// The binary comes from a build stage that builds it from the package hack/images builds.
		if b, ok := stages[c.From]; ok && !builds(b, c.Source, d.Package) {
			t.Errorf("%s: COPY --from=%s %s: no RUN in %s builds it from %s", d.Target, c.From, c.Source, c.From, d.Package)
		}
	}
	check("copied files", dests, d.Copied, slices.Equal(slices.Sorted(slices.Values(dests)), slices.Sorted(slices.Values(d.Copied))))
}

// finalStages are the stages no other stage builds FROM or copies from: the images the Dockerfile makes.
func finalStages(stages map[string]Stage) []string {
	used := map[string]bool{}
	for _, s := range stages {
		used[s.Parent] = true
		for _, c := range s.Copies {
			used[c.From] = true
		}
	}
	var out []string
	for name := range stages {
		if !used[name] {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func union(a, b map[string]string) map[string]string {
	u := maps.Clone(a)
	maps.Copy(u, b)
	return u
}

func quoted(v string, ok bool) string {
	if !ok {
		return "(none)"
	}
	return fmt.Sprintf("%q", v)
}

// builds says whether a RUN of stage s runs `go build ... -o out pkg`.
func builds(s Stage, out, pkg string) bool {
	for _, r := range s.Runs {
		f := strings.Fields(r)
		for i := 0; i+2 < len(f); i++ {
			if f[i] == "-o" && f[i+1] == out && f[i+2] == pkg && strings.Contains(r, "go build") {
				return true
			}
		}
	}
	return false
}

func parseDockerfile(t *testing.T, args map[string]string) map[string]Stage {
	t.Helper()
	f, err := os.Open(repo + "/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stages, err := Parse(f, args)
	if err != nil {
		t.Fatal(err)
	}
	return stages
}

// describe runs hack/images in the main module for its definitions.
func describe(t *testing.T, args map[string]string) []description {
	t.Helper()
	cmdArgs := []string{"run", "./hack/images", "-describe"}
	for _, k := range slices.Sorted(maps.Keys(args)) {
		cmdArgs = append(cmdArgs, "-"+strings.ToLower(k), args[k])
	}
	cmd := exec.CommandContext(t.Context(), "go", cmdArgs...)
	cmd.Dir = repo
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(cmdArgs, " "), err, stderr.String())
	}
	var descs []description
	if err := json.Unmarshal(out, &descs); err != nil {
		t.Fatalf("decoding hack/images -describe: %v", err)
	}
	if len(descs) == 0 {
		t.Fatal("hack/images describes no image")
	}
	return descs
}
