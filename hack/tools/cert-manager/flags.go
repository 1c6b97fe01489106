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

import (
	"fmt"

	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/validation/field"
	cliflag "k8s.io/component-base/cli/flag"
	logsapi "k8s.io/component-base/logs/api/v1"
)

// commonFlags are the flags every component takes besides its own: logging (--v, --logging-format)
// and --feature-gates (cert-manager's gates, shared by the three components).
func commonFlags(fs *pflag.FlagSet, logging *logsapi.LoggingConfiguration, gates *map[string]bool) {
	logf.AddFlags(logging, fs)
	fs.Var(cliflag.NewMapStringBool(gates), "feature-gates", "key=value pairs of cert-manager feature gates")
}

// parseFlags parses args, then sets the feature gates, validates the configuration the flags
// filled and applies the logging configuration, in that order (validation reads the gates).
func parseFlags(fs *pflag.FlagSet, args []string, logging *logsapi.LoggingConfiguration, gates map[string]bool, validate func() field.ErrorList) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(gates); err != nil {
		return fmt.Errorf("setting feature gates: %w", err)
	}
	if errs := validate(); len(errs) > 0 {
		return fmt.Errorf("invalid flags: %w", errs.ToAggregate())
	}
	if err := logf.ValidateAndApply(logging); err != nil {
		return fmt.Errorf("applying logging flags: %w", err)
	}
	v := util.VersionInfo()
	logf.Log.Info("starting cert-manager "+fs.Name(), "version", v.GitVersion, "go_version", v.GoVersion, "platform", v.Platform)
	return nil
}
