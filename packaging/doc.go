// Package packaging holds what the Linux packages install besides the
// binary (.goreleaser.yaml lists it): the systemd units in systemd/, the
// configuration installed as /etc/ks3sync/ks3sync.yaml, the environment file
// for the keys, and the maintainer scripts in scripts/. It has no Go code;
// its tests check those files against the service contract and the config
// parser.
package packaging
