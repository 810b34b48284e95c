package names

import (
	"strings"
	"unicode/utf8"
)

// The runes of the Windows mapping; see the package documentation.
const (
	quoteRune   = '‛'    // U+201B SINGLE HIGH-REVERSED-9 QUOTATION MARK
	spaceRune   = '␠'    // U+2420 SYMBOL FOR SPACE
	periodRune  = '．'    // U+FF0E FULLWIDTH FULL STOP
	fullOffset  = 0xFEE0 // from a printable ASCII character to its full-width form
	controlBase = 0x2400 // from a control character to its SYMBOL FOR form
)

// reserved holds the characters Windows forbids in names, besides control
// characters.
const reserved = `<>:"|?*\`

// plainWindows reports whether seg is the same as a key and as a local
// name under Windows rules: nothing in it is mapped or quoted either way.
// Almost every name is, and this scan lets them skip both mappings.
func plainWindows(seg string) bool {
	if seg == "" || isDevice(seg) {
		return false
	}
	switch seg[len(seg)-1] {
	case '.', ' ':
		return false
	}
	for i, r := range seg {
		switch {
		case r < 0x20, r < utf8.RuneSelf && strings.IndexByte(reserved, byte(r)) >= 0:
			return false
		case r < utf8.RuneSelf:
		case r == quoteRune, isReplacement(r), i == 0 && isFullLetter(r):
			return false
		}
	}
	r, _ := utf8.DecodeLastRuneInString(seg)
	return r != spaceRune && r != periodRune
}

// encodeWindows maps one key segment to a name Windows accepts.
func encodeWindows(seg string) string {
	body, suffix := splitTrailing(seg)
	var b strings.Builder
	b.Grow(len(seg) + 8)
	for _, r := range body {
		switch {
		case r < 0x20 && r > 0:
			b.WriteRune(r + controlBase)
		case r < utf8.RuneSelf && strings.IndexByte(reserved, byte(r)) >= 0:
			b.WriteRune(r + fullOffset)
		case r == quoteRune || isReplacement(r):
			b.WriteRune(quoteRune)
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString(suffix)
	return markDevice(b.String())
}

// splitTrailing separates the last rune of seg when it needs a mapping of
// its own: a space or dot (which Windows drops from the end of a name), or
// their replacements (which must then be quoted).
func splitTrailing(seg string) (body, suffix string) {
	if seg == "" {
		return seg, ""
	}
	switch seg[len(seg)-1] {
	case ' ':
		return seg[:len(seg)-1], string(spaceRune)
	case '.':
		return seg[:len(seg)-1], string(periodRune)
	}
	switch r, n := utf8.DecodeLastRuneInString(seg); r {
	case spaceRune, periodRune:
		return seg[:len(seg)-n], string(quoteRune) + string(r)
	}
	return seg, ""
}

// isReplacement reports whether r is one of the characters that reserved
// or control characters are mapped to anywhere in a name.
func isReplacement(r rune) bool {
	if r > controlBase && r < controlBase+0x20 {
		return true
	}
	return r >= fullOffset && r < fullOffset+utf8.RuneSelf && strings.IndexByte(reserved, byte(r-fullOffset)) >= 0
}

// decodeWindows undoes encodeWindows for one local name. Names that
// encodeWindows does not produce decode to something that does not encode
// back to them; KeyPath checks that.
func decodeWindows(name string) string {
	if r, n := utf8.DecodeRuneInString(name); isFullLetter(r) && isDevice(string(r-fullOffset)+name[n:]) {
		return string(r-fullOffset) + decodeChars(name[n:])
	}
	if q, n := utf8.DecodeRuneInString(name); q == quoteRune {
		if r, m := utf8.DecodeRuneInString(name[n:]); isFullLetter(r) && isDevice(string(r-fullOffset)+name[n+m:]) {
			return string(r) + decodeChars(name[n+m:])
		}
	}
	return decodeChars(name)
}

// decodeChars undoes the character mapping of encodeWindows.
func decodeChars(name string) string {
	body, suffix := name, ""
	if r, n := utf8.DecodeLastRuneInString(name); r == spaceRune || r == periodRune {
		body = name[:len(name)-n]
		if q, m := utf8.DecodeLastRuneInString(body); q == quoteRune {
			body, suffix = body[:len(body)-m], string(r)
		} else if r == spaceRune {
			suffix = " "
		} else {
			suffix = "."
		}
	}
	var b strings.Builder
	b.Grow(len(name))
	quoted := false
	for _, r := range body {
		switch {
		case quoted:
			if r != quoteRune && !isReplacement(r) {
				b.WriteRune(quoteRune) // a lone quote stays; KeyPath refuses the name
			}
			b.WriteRune(r)
			quoted = false
		case r == quoteRune:
			quoted = true
		case r > controlBase && r < controlBase+0x20:
			b.WriteRune(r - controlBase)
		case isReplacement(r):
			b.WriteRune(r - fullOffset)
		default:
			b.WriteRune(r)
		}
	}
	if quoted {
		b.WriteRune(quoteRune)
	}
	b.WriteString(suffix)
	return b.String()
}

// markDevice makes a name that Windows reserves for a device acceptable by
// writing its first letter in full width, and quotes a full-width first
// letter that would otherwise be read back that way.
func markDevice(name string) string {
	if isDevice(name) {
		return string(rune(name[0])+fullOffset) + name[1:]
	}
	if r, n := utf8.DecodeRuneInString(name); isFullLetter(r) && isDevice(string(r-fullOffset)+name[n:]) {
		return string(quoteRune) + name
	}
	return name
}

// isFullLetter reports whether r is a full-width Latin letter.
func isFullLetter(r rune) bool {
	return r >= 'Ａ' && r <= 'Ｚ' || r >= 'ａ' && r <= 'ｚ'
}

// isDevice reports whether Windows reserves name for a device: the part
// before the first dot, without trailing spaces, is CON, PRN, AUX, NUL,
// COM0-9, LPT0-9, COM¹²³, LPT¹²³, CONIN$ or CONOUT$, in any case ("nul",
// "aux.txt", "Com1.tar.gz", "NUL .txt").
func isDevice(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.TrimRight(stem, " ")
	switch len(stem) {
	case 3:
		for _, d := range [...]string{"CON", "PRN", "AUX", "NUL"} {
			if strings.EqualFold(stem, d) {
				return true
			}
		}
	case 4, 5: // COM0-9, LPT0-9, and COM¹²³, LPT¹²³ (two bytes in UTF-8)
		if !strings.EqualFold(stem[:3], "COM") && !strings.EqualFold(stem[:3], "LPT") {
			return false
		}
		switch suffix := stem[3:]; suffix {
		case "¹", "²", "³":
			return true
		default:
			return len(suffix) == 1 && suffix[0] >= '0' && suffix[0] <= '9'
		}
	case 6, 7:
		return strings.EqualFold(stem, "CONIN$") || strings.EqualFold(stem, "CONOUT$")
	}
	return false
}
