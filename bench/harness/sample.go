package harness

import "time"

// Sample is one timed run of one tool on one case.
type Sample struct {
	// Server names the server the run talked to (Env.Server).
	Server  string  `json:"server"`
	Case    Case    `json:"case"`
	Tool    string  `json:"tool"`
	Setting Setting `json:"setting"`
	Rep     int     `json:"rep"`
	WallSec float64 `json:"wall_s"`
	CPUSec  float64 `json:"cpu_s"`
	RSSMiB  float64 `json:"rss_mib"`
	// ServerCPUSec is the CPU time the server used during the run.
	ServerCPUSec float64 `json:"server_cpu_s"`
}

// newSample records m as the Rep-th run of j by tool.
func newSample(env Env, j Job, tool string, rep int, m Measure, server time.Duration) Sample {
	return Sample{
		Server:  env.Server,
		Case:    j.Case,
		Tool:    tool,
		Setting: j.Setting,
		Rep:     rep,
		WallSec: m.Wall.Seconds(),
		CPUSec:  m.CPUSec(),
		RSSMiB:  float64(m.MaxRSSKiB) / 1024,

		ServerCPUSec: server.Seconds(),
	}
}
