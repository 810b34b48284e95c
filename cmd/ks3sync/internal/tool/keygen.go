package tool

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

func newKeygenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "keygen FILE",
		Short: "Write a new key for client-side encryption",
		Long: `keygen writes a new random 16-byte AES-128 key to FILE (mode 0600), in the
format of the KS3 SDK's client-side encryption: objects that ks3sync encrypts
with it (cp --encrypt-key FILE, or encryption.key_file in the config) can be
decrypted by the SDK with the same file, and the reverse.

keygen never overwrites a file: losing a key makes every object encrypted with
it unreadable. Keep a copy of the key somewhere safe, apart from the data.
It prints the key's fingerprint, the value stored in x-kss-meta-key of the
objects it encrypts.`,
		Example: `  ks3sync keygen ~/.ks3sync/key
  ks3sync cp --encrypt-key ~/.ks3sync/key secret.pdf ks3://my-bucket/`,
		Args: cli.ExactArgs(1, "FILE"),
		RunE: toolRunE(func(cmd *cobra.Command, args []string) error {
			path := args[0]
			if err := ks3crypto.WriteKeyFile(path, nil); err != nil {
				if errors.Is(err, fs.ErrExist) {
					return cli.UsageError("%s already exists: keygen never overwrites a key (objects encrypted with it would become unreadable); choose another file name", path)
				}
				return err
			}
			key, err := ks3crypto.LoadKey(path)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "wrote a new key to %s (fingerprint %s); keep a copy in a safe place\n",
				path, key.Fingerprint())
			return err
		}),
	}
}
