// Package tool is ks3sync's object-store tool: the commands ls, mb, rb, cp,
// mv, rm, stat, acl, url, uploads, du and keygen, which expose every
// operation of the KS3 SDK from the shell. It reaches the service only through Env, so it
// knows nothing of the sync engine or of how the configuration is loaded.
package tool

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/ks3"
)

// Env is what the tool commands need from the program that hosts them. Its
// methods are called while a command runs, once the command line and the
// configuration have been read.
type Env interface {
	// Client returns a client for the configured endpoint. A mistake in
	// the configuration or the credentials is an error with exit code
	// cli.ExitUsage.
	Client(ctx context.Context) (*ks3.Client, error)
	// Settings returns the configured transfer settings.
	Settings() Settings
}

// Settings are the transfer settings the tool commands take from the
// configuration. Zero values mean the defaults.
type Settings struct {
	// Transfers is how many files, and parts of one file, are in flight.
	Transfers int
	// PartSize is the preferred multipart part size in bytes.
	PartSize int64
	// MultipartThreshold is the largest size in bytes sent as one PUT.
	MultipartThreshold int64
	// NameRules forces the file name rules of a system ("windows",
	// "darwin", "linux") for local folders instead of probing them; for
	// tests (see localfs.NameRules).
	NameRules string
}

// AddCommands adds the KS3 tool commands (ls, mb, rb, cp, mv, rm, stat,
// acl, url, uploads, du, keygen) to root. They expose every operation of the KS3 SDK
// from the shell and reach the service through env.
func AddCommands(root *cobra.Command, env Env) {
	root.AddCommand(
		newLsCmd(env),
		newMbCmd(env),
		newRbCmd(env),
		newCpCmd(env),
		newMvCmd(env),
		newRmCmd(env),
		newStatCmd(env),
		newACLCmd(env),
		newURLCmd(env),
		newUploadsCmd(env),
		newDuCmd(env),
		newKeygenCmd(),
	)
}

// toolRunE adapts a tool command's body to cobra: whatever error it returns
// is shown as one readable line (see explainError) and keeps its exit code
// (1 unless the error says otherwise).
func toolRunE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		return toolError(fn(cmd, args))
	}
}

// toolError wraps err so that its message is explainError's line while
// errors.Is/As still see the original.
func toolError(err error) error {
	if err == nil {
		return nil
	}
	return &cli.ExitError{Code: cli.Code(err, cli.ExitPartial), Err: &explainedError{msg: explainError(err), err: err}}
}

// explainedError is an error shown with a rewritten message.
type explainedError struct {
	msg string
	err error
}

func (e *explainedError) Error() string { return e.msg }
func (e *explainedError) Unwrap() error { return e.err }

// jsonLines returns an encoder that writes one JSON object per line, with
// characters such as & and < left readable.
func jsonLines(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// printable returns s for a line of text output: unchanged, or quoted with
// Go escapes when it holds control characters (a key may contain a newline).
func printable(s string) string {
	if strings.ContainsFunc(s, unicode.IsControl) {
		return strconv.Quote(s)
	}
	return s
}
