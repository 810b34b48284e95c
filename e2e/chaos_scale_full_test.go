//go:build chaos

package e2e

// campaignScale is the full fault campaign (`make chaos`): at least 30
// kill points per mode, repeated server kills and fault rounds, and the
// slow hang cases.
func campaignScale() scale {
	return scale{
		name:        "full",
		killPoints:  30,
		serverKills: 8,
		faultRounds: 5,
		full:        true,
	}
}
