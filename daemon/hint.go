package daemon

import "github.com/ks3sync/ks3sync/syncer"

// hint says what a person can do about an error of the given kind
// (syncer.ErrorKind), or "" when there is nothing general to say.
func hint(kind string) string {
	switch kind {
	case syncer.KindNetwork:
		return "check that the endpoint is reachable; it is retried with backoff"
	case syncer.KindAuth:
		return "check access_key and secret_key, and the key's permissions on the bucket"
	case syncer.KindNotFound:
		return "check that the bucket exists"
	case syncer.KindServer:
		return "the service failed or throttled; it is retried with backoff"
	case syncer.KindLocal:
		return "check that the local file or folder can be read and written"
	case syncer.KindNoFolder:
		return "the pair's folder is missing: mount its disk, or correct local: in the config; nothing syncs until it is back"
	case syncer.KindChanged:
		return "the file changed while it was read; it is sent again once it settles"
	}
	return ""
}
