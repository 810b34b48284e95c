//go:build !chaos

package e2e

// campaignScale is the quick subset of the fault campaign that every
// `go test ./e2e/` runs: a few kill points per mode, one server kill, one
// fault round per direction, and every bad-input, security and secrets
// case. `make chaos` builds with the chaos tag for the full campaign.
func campaignScale() scale {
	return scale{
		name:        "quick",
		killPoints:  4,
		serverKills: 1,
		faultRounds: 2,
		full:        false,
	}
}
