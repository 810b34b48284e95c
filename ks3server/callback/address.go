package callback

import (
	"net"
	"net/netip"
	"syscall"
)

// RefusedAddressError is the dial error for an address callbacks may not
// reach.
type RefusedAddressError struct {
	// Addr is the address, with a word on what it is.
	Addr string
}

func (e *RefusedAddressError) Error() string {
	return "refused to call " + e.Addr
}

// nonPublic are the ranges beyond those of netip's predicates that reach
// the local host or its network: "this network" (0/8, which Linux routes to
// the host), shared address space (RFC 6598) and the benchmarking range.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("198.18.0.0/15"),
}

// nat64 is the well-known NAT64 prefix, which embeds an IPv4 address.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// refusePrivate is a net.Dialer Control function that refuses to connect
// to an address that is not public.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return err
	}
	if kind := addressKind(ip); kind != "" {
		return &RefusedAddressError{Addr: ip.String() + " (" + kind + ")"}
	}
	return nil
}

// addressKind names the kind of a non-public address, "" for a public one.
func addressKind(ip netip.Addr) string {
	ip = ip.Unmap()
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	switch {
	case ip.IsLoopback():
		return "loopback"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local"
	case ip.IsPrivate():
		return "private"
	case ip.IsMulticast():
		return "multicast"
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return "not public"
		}
	}
	return ""
}
