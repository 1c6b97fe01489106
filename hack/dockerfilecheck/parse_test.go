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
	"slices"
	"strings"
	"testing"
)

// The parser reading of a small Dockerfile: ARG scoping and defaults, label expansion, EXPOSE, COPY into a directory.
func TestParse(t *testing.T) {
	const dockerfile = `ARG V=v1
ARG SRC=https://default
FROM golang AS b
RUN go build -o /out/x ./cmd/x
FROM scratch AS common
ARG V
ENV E=env-${V}
LABEL a.version="${V}"
USER 1:1
FROM common AS final
ARG SRC
ARG LOCAL=local-${V}
LABEL a.source=$SRC a.local="${LOCAL}" a.unset="${NOPE}" a.env=$E
COPY --from=b /out/x /bin/
EXPOSE 80 53/udp
ENTRYPOINT ["/bin/x"]
`
	stages, err := Parse(strings.NewReader(dockerfile), map[string]string{"SRC": "https://given"})
	if err != nil {
		t.Fatal(err)
	}
	s := stages["final"]
	// V is not declared in final: ARGs do not cross stages (so LOCAL is "local-"), ENV and labels do.
	want := map[string]string{"a.version": "v1", "a.source": "https://given", "a.local": "local-", "a.unset": "", "a.env": "env-v1"}
	for k, v := range want {
		if s.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, s.Labels[k], v)
		}
	}
	if s.Base != "scratch" || s.Parent != "common" || s.User != "1:1" || !slices.Equal(s.Entrypoint, []string{"/bin/x"}) {
		t.Errorf("base %s user %s entrypoint %v", s.Base, s.User, s.Entrypoint)
	}
	if !slices.Equal(s.Ports, []string{"53/udp", "80/tcp"}) {
		t.Errorf("ports %v", s.Ports)
	}
	if len(s.Copies) != 1 || s.Copies[0] != (Copy{From: "b", Source: "/out/x", Dest: "/bin/x"}) {
		t.Errorf("copies %+v", s.Copies)
	}
	if !builds(stages["b"], "/out/x", "./cmd/x") {
		t.Errorf("stage b runs %v", stages["b"].Runs)
	}
}
