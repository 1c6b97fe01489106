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

package main

// release describes the build the images belong to; it fills the OCI labels as the Dockerfile's ARGs do.
type release struct {
	Version  string // VERSION: the release, e.g. v0.1.0
	Source   string // SOURCE: where the source lives
	Revision string // REVISION: the commit built
}

// target is one final stage of the Dockerfile (`docker build --target <Name>`), as this build makes it.
type target struct {
	Name        string // Dockerfile stage
	Pkg         string // Go package of the binary
	Entrypoint  string // where the binary goes in the image (the Dockerfile's COPY destination and ENTRYPOINT)
	Ports       []string
	Title       string
	Description string
	Versioned   bool // linked with the Makefile's GO_LDFLAGS (version, registry)
}

// dockerfileTargets are the Dockerfile's operator and apiserver stages. hack/dockerfilecheck checks
// them (through -describe) against the Dockerfile itself.
var dockerfileTargets = []target{
	{
		Name: "operator", Pkg: "./cmd/operator", Entrypoint: "/operator",
		Ports:       []string{"8080/tcp", "8081/tcp"},
		Title:       "aggregation-operator",
		Description: "The CustomApiServer operator: API aggregation setups with rotated certificates",
		Versioned:   true,
	},
	{
		Name: "apiserver", Pkg: "./cmd/apiserver", Entrypoint: "/apiserver",
		Ports:       []string{"6443/tcp"},
		Title:       "metricsnapshot-apiserver",
		Description: "The MetricSnapshot aggregated API server (metrics.example.com/v1)",
	},
}

// labels are the OCI annotations of a target's image config.
func (t target) labels(r release) map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       t.Title,
		"org.opencontainers.image.description": t.Description,
		"org.opencontainers.image.version":     r.Version,
		"org.opencontainers.image.source":      r.Source,
		"org.opencontainers.image.revision":    r.Revision,
	}
}

// spec is the image this build writes for the target.
func (t target) spec(ref, binary string, r release) imageSpec {
	return imageSpec{Ref: ref, Binary: binary, Entrypoint: t.Entrypoint, Ports: t.Ports, Labels: t.labels(r)}
}

// description is what -describe prints for one target: the image's definition, without building it.
type description struct {
	Target       string            `json:"target"`
	Package      string            `json:"package"` // Go package of the binary
	Base         string            `json:"base"`    // the Dockerfile's FROM the base layer stands in for
	Entrypoint   []string          `json:"entrypoint"`
	User         string            `json:"user"`
	ExposedPorts []string          `json:"exposedPorts"`
	Labels       map[string]string `json:"labels"`
	Copied       []string          `json:"copied"`    // files of the image's own layer (the Dockerfile's COPY destinations)
	BaseFiles    []string          `json:"baseFiles"` // files of the base layer
}

func describe(r release) []description {
	out := make([]description, 0, len(dockerfileTargets))
	for _, t := range dockerfileTargets {
		s := t.spec("", "", r)
		out = append(out, description{
			Target:       t.Name,
			Package:      t.Pkg,
			Base:         distrolessStandIn,
			Entrypoint:   []string{s.Entrypoint},
			User:         nonRoot,
			ExposedPorts: s.Ports,
			Labels:       s.Labels,
			Copied:       []string{s.Entrypoint},
			BaseFiles:    baseFileNames(),
		})
	}
	return out
}
