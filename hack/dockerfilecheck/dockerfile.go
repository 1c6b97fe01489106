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

// Package dockerfilecheck reads the project's Dockerfile with BuildKit's own parser, so a test can compare
// its targets with the images `make images` builds without a daemon (hack/images). It is a module of its
// own: BuildKit would raise the main module's go version and add its dependencies there.
package dockerfilecheck

import (
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// Stage is what one stage of the Dockerfile defines, with ARGs expanded. A stage built FROM an earlier
// one starts with what that one defines (its image config and files), as BuildKit builds it.
type Stage struct {
	Name       string
	Parent     string // the earlier stage this one is built FROM, if any
	Base       string // the image at the root of the FROM chain
	Entrypoint []string
	User       string
	Ports      []string // sorted, with protocol (8080/tcp)
	Labels     map[string]string
	Copies     []Copy
	Runs       []string // RUN command lines
	env        env      // ENV, inherited by stages built FROM this one
}

// Copy is one file a COPY puts into the stage.
type Copy struct {
	From   string // stage or image, empty for the build context
	Source string
	Dest   string // absolute path of the file in the image
}

// Parse reads a Dockerfile and returns its stages by name; buildArgs are `--build-arg`s.
func Parse(r io.Reader, buildArgs map[string]string) (map[string]Stage, error) {
	res, err := parser.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("parsing the Dockerfile: %w", err)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the Dockerfile's instructions: %w", err)
	}
	lex := shell.NewLex(res.EscapeToken)
	global := env{}
	for _, a := range metaArgs {
		if err := declare(lex, global, global, buildArgs, a); err != nil {
			return nil, err
		}
	}
	out := map[string]Stage{}
	for _, st := range stages {
		s, err := readStage(lex, st, out, global, buildArgs)
		if err != nil {
			return nil, fmt.Errorf("stage %s: %w", st.Name, err)
		}
		out[s.Name] = s
	}
	return out, nil
}

func readStage(lex *shell.Lex, st instructions.Stage, earlier map[string]Stage, global env, buildArgs map[string]string) (Stage, error) {
	s := Stage{Name: st.Name, Base: st.BaseName, Labels: map[string]string{}, env: env{}}
	if p, ok := earlier[st.BaseName]; ok {
		s = Stage{Name: st.Name, Parent: p.Name, Base: p.Base, Entrypoint: p.Entrypoint, User: p.User,
			Ports: slices.Clone(p.Ports), Labels: maps.Clone(p.Labels), Copies: slices.Clone(p.Copies), env: maps.Clone(p.env)}
	}
	vars := maps.Clone(s.env) // ENV, then this stage's ARGs
	expand := func(word string) (string, error) {
		v, _, err := lex.ProcessWord(word, vars)
		return v, err
	}
	for _, cmd := range st.Commands {
		if e, ok := cmd.(instructions.SupportsSingleWordExpansion); ok {
			if _, isArg := cmd.(*instructions.ArgCommand); !isArg {
				if err := e.Expand(expand); err != nil {
					return s, fmt.Errorf("expanding %s: %w", cmd.Name(), err)
				}
			}
		}
		switch c := cmd.(type) {
		case *instructions.ArgCommand:
			if err := declare(lex, vars, global, buildArgs, *c); err != nil {
				return s, err
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				vars[kv.Key] = kv.Value
				s.env[kv.Key] = kv.Value
			}
		case *instructions.LabelCommand:
			for _, kv := range c.Labels {
				s.Labels[kv.Key] = kv.Value
			}
		case *instructions.UserCommand:
			s.User = c.User
		case *instructions.ExposeCommand:
			for _, p := range c.Ports {
				for _, w := range strings.Fields(p) {
					if !strings.Contains(w, "/") {
						w += "/tcp"
					}
					s.Ports = append(s.Ports, w)
				}
			}
		case *instructions.EntrypointCommand:
			s.Entrypoint = c.CmdLine
			if c.PrependShell {
				s.Entrypoint = []string{"/bin/sh", "-c", strings.Join(c.CmdLine, " ")}
			}
		case *instructions.CopyCommand:
			for _, src := range c.SourcePaths {
				dest := c.DestPath
				if strings.HasSuffix(dest, "/") {
					dest = path.Join(dest, path.Base(src))
				}
				s.Copies = append(s.Copies, Copy{From: c.From, Source: src, Dest: dest})
			}
		case *instructions.RunCommand:
			s.Runs = append(s.Runs, strings.Join(c.CmdLine, " "))
		}
	}
	slices.Sort(s.Ports)
	return s, nil
}

// declare handles an ARG: a --build-arg wins, then the ARG's own default, then (inside a stage) the global one.
func declare(lex *shell.Lex, vars, global env, buildArgs map[string]string, a instructions.ArgCommand) error {
	for _, kv := range a.Args {
		if v, ok := buildArgs[kv.Key]; ok {
			vars[kv.Key] = v
			continue
		}
		if kv.Value != nil {
			v, _, err := lex.ProcessWord(*kv.Value, vars)
			if err != nil {
				return fmt.Errorf("expanding ARG %s: %w", kv.Key, err)
			}
			vars[kv.Key] = v
			continue
		}
		if v, ok := global[kv.Key]; ok {
			vars[kv.Key] = v
		}
	}
	return nil
}

// env is the variables in scope, as BuildKit's lexer reads them.
type env map[string]string

func (e env) Get(key string) (string, bool) { v, ok := e[key]; return v, ok }

func (e env) Keys() []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
