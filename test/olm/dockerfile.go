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

package olm

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// fromDockerfile builds, without a daemon, the image a simple Dockerfile (bundle.Dockerfile) defines:
// FROM scratch, LABEL, COPY of build-context directories, ENTRYPOINT and CMD in exec form. Any other
// instruction is refused, so the image cannot silently differ from what `docker build` would make.
func fromDockerfile(dockerfile, contextDir string) (v1.Image, error) {
	data, err := os.ReadFile(dockerfile)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dockerfile, err)
	}
	img := empty.Image
	cfg := v1.Config{Labels: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		instr, args, _ := strings.Cut(line, " ")
		args = strings.TrimSpace(args)
		where := fmt.Sprintf("%s:%d", dockerfile, n)
		if strings.HasSuffix(line, `\`) {
			return nil, fmt.Errorf("%s: line continuations are not supported", where)
		}
		switch strings.ToUpper(instr) {
		case "FROM":
			if args != "scratch" {
				return nil, fmt.Errorf("%s: only FROM scratch is supported, not %q", where, args)
			}
		case "LABEL":
			for _, kv := range strings.Fields(args) {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					return nil, fmt.Errorf("%s: LABEL %q is not key=value", where, kv)
				}
				if uq, err := strconv.Unquote(v); err == nil {
					v = uq
				}
				cfg.Labels[k] = v
			}
		case "COPY":
			f := strings.Fields(args)
			if len(f) != 2 {
				return nil, fmt.Errorf("%s: COPY takes one source and one destination, got %q", where, args)
			}
			entries, err := tree(filepath.Join(contextDir, f[0]), f[1])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			l, err := layer(entries)
			if err != nil {
				return nil, err
			}
			if img, err = mutate.AppendLayers(img, l); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
		case "ENTRYPOINT", "CMD":
			var argv []string
			if err := json.Unmarshal([]byte(args), &argv); err != nil {
				return nil, fmt.Errorf("%s: %s must be in exec form (a JSON array): %w", where, instr, err)
			}
			if strings.ToUpper(instr) == "CMD" {
				cfg.Cmd = argv
			} else {
				cfg.Entrypoint = argv
			}
		default:
			return nil, fmt.Errorf("%s: instruction %s is not supported", where, instr)
		}
	}
	return withConfig(img, cfg)
}
