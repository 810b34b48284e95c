//go:build chaos

package e2e

// campaignScale is the full fault campaign (`make chaos`): 100 kill points
// per mode (the campaign promises at least 30), twenty server kills,
// twelve fault rounds in every pair mode, and every hung-server case.
func campaignScale() scale {
	return scale{
		name:        "full",
		killPoints:  100,
		serverKills: 20,
		faultRounds: 12,
		full:        true,
	}
}
