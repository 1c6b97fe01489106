package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// goBuild builds a static binary of pkg (CGO off, as the images hold no libc).
func goBuild(pkg, ldflags, out string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", strings.TrimSpace("-s -w "+ldflags), "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building %s: %w", pkg, err)
	}
	return nil
}
