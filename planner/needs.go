package planner

// Needs returns, without deciding anything else, the local paths whose
// content hash Plan needs and the remote keys whose metadata (a HEAD for
// x-kss-meta-md5) it needs, each in path order.
//
// A local file is hashed only when its content could equal the other side's
// or the base's: its fingerprint differs from the base but its size does
// not (a touch or a same-size edit), or both it and the remote object
// changed, or it has no base; in the last two cases only when the remote
// object could hold the same bytes (equal size, or encrypted).
// A remote key needs a HEAD when its plaintext MD5 is unknown (a multipart
// ETag, or an encrypted object) and would decide between a transfer and an
// update of the base: no base, or both sides changed.
//
// Needs does not validate: invalid options or listings out of order yield
// nothing, and Plan reports them.
func Needs(in Input, opts Options) (hash []string, head []string) {
	p, err := newPass(&in, opts)
	if err != nil {
		return nil, nil
	}
	err = p.run(func(g *group) {
		if len(g.local) != 1 || len(g.remote) > 1 {
			return
		}
		ps, _ := p.entries(g)
		h, m := needs(ps)
		if h {
			hash = append(hash, ps.l.Path)
		}
		if m {
			head = append(head, ps.r.Key)
		}
	})
	if err != nil {
		return nil, nil
	}
	return hash, head
}

// needs says whether the local file of ps must be hashed and the remote
// object's metadata fetched before it can be decided.
func needs(ps paths) (hash, head bool) {
	l, r, b := ps.l, ps.r, ps.b
	// comparable: the remote object could hold the same bytes as the file.
	comparable := r != nil && (r.Encrypted || r.Size == l.Size)
	switch {
	case b == nil:
		return comparable && l.MD5 == "", comparable && remoteMD5(r) == ""
	case l.Fingerprint == b.Local:
		return false, false
	}
	remoteChanged := r != nil && !(r.Key == b.RemoteKey && r.ETag == b.ETag && r.Size == b.RemoteSize)
	both := remoteChanged && comparable
	hash = l.MD5 == "" && (l.Size == b.Local.Size || both)
	head = both && remoteMD5(r) == ""
	return hash, head
}
