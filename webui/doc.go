// Package webui serves ks3sync's status page beside the daemon's status
// endpoints: one page, its stylesheet and script embedded in the binary,
// that polls /api/status and draws every pair, transfer, error, refusal and
// conflict, and an hour of throughput. Its actions ("sync now", "pause",
// "resume") are POSTs that need the daemon's token in the Authorization
// header and a same-origin browser request; nothing changes on a GET.
//
// The token lives in a file beside the state database (TokenFileFor),
// readable by its owner only, unless the config sets one; the page learns it
// from the fragment of the address `ks3sync status --url` prints, which
// never reaches a server log.
package webui
