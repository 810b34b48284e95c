package main

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
)

// addToolCommands adds the KS3 tool commands (ls, mb, rb, cp, rm, stat, acl,
// url, uploads, keygen) to root. They expose every operation of the KS3 SDK
// from the shell.
func addToolCommands(root *cobra.Command, a *app) {
	root.AddCommand(
		newLsCmd(a),
		newMbCmd(a),
		newRbCmd(a),
		newCpCmd(a),
		newRmCmd(a),
		newStatCmd(a),
		newACLCmd(a),
		newURLCmd(a),
		newUploadsCmd(a),
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
	code := exitPartial
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	return &exitError{code: code, err: &explainedError{msg: explainError(err), err: err}}
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
