//go:build chaos

package e2e

// campaignScale is the full fault campaign (`make chaos`): 50 kill points
// per mode (the campaign promises at least 30), ten server kills, eight
// fault rounds in every pair mode, and every hung-server case.
func campaignScale() scale {
	return scale{
		name:        "full",
		killPoints:  50,
		serverKills: 10,
		faultRounds: 8,
		full:        true,
	}
}
