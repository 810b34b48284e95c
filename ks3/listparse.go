package ks3

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A listing page is most of what a pass over an unchanged tree receives,
// and encoding/xml spends most of that pass's CPU decoding it (reflection,
// a token per element, a string per name). parseListing reads the plain
// shape every S3-style service answers with, directly into the page's
// struct. It accepts only what it fully understands: elements without
// attributes (but the root's namespace declarations), character data with
// the five predefined entities and character references, white space
// between elements, and unknown elements whose content is text. Anything
// else (CDATA, comments, processing instructions after the prolog,
// attributes, nested unknown elements, a carriage return that XML would
// normalise) makes it give up, and the page is decoded by encoding/xml, so
// the result is always what encoding/xml would give. FuzzParseListing
// holds the two to that.

// listParser is a cursor over a listing page.
type listParser struct {
	b   []byte
	pos int
}

// parseListing decodes body into l, and into extra the top-level elements
// it names (ListObjectsV2's continuation token). It reports false, with l
// in an unspecified state, when the page has anything it does not accept.
func parseListing(body []byte, l *listBucketResult, extra map[string]*string) bool {
	p := &listParser{b: body}
	if !p.prolog() || !p.rootStart("ListBucketResult") {
		return false
	}
	for {
		p.space()
		if p.closing("ListBucketResult") {
			p.space()
			return p.pos == len(p.b)
		}
		name, ok := p.start()
		if !ok {
			return false
		}
		switch name {
		case "Contents":
			var o xmlObject
			if !p.object(&o) {
				return false
			}
			l.Contents = append(l.Contents, o)
		case "CommonPrefixes":
			var cp xmlCommonPrefix
			if !p.fields("CommonPrefixes", func(n string) bool {
				if n == "Prefix" {
					return p.text(n, &cp.Prefix)
				}
				return p.skip(n)
			}) {
				return false
			}
			l.CommonPrefixes = append(l.CommonPrefixes, cp)
		default:
			if !p.top(name, l, extra) {
				return false
			}
		}
	}
}

// top reads the simple top-level element name.
func (p *listParser) top(name string, l *listBucketResult, extra map[string]*string) bool {
	switch name {
	case "Name":
		return p.text(name, &l.Name)
	case "Prefix":
		return p.text(name, &l.Prefix)
	case "Marker":
		return p.text(name, &l.Marker)
	case "Delimiter":
		return p.text(name, &l.Delimiter)
	case "EncodingType":
		return p.text(name, &l.EncodingType)
	case "NextMarker":
		return p.text(name, &l.NextMarker)
	case "MaxKeys":
		return p.integer(name, func(v int64) { l.MaxKeys = int(v) }, strconv.IntSize)
	case "IsTruncated":
		var s string
		if !p.text(name, &s) {
			return false
		}
		v, ok := parseXMLBool(s)
		l.IsTruncated = v
		return ok
	}
	if dst, ok := extra[name]; ok {
		return p.text(name, dst)
	}
	return p.skip(name)
}

// object reads the children of a Contents element.
func (p *listParser) object(o *xmlObject) bool {
	return p.fields("Contents", func(n string) bool {
		switch n {
		case "Key":
			return p.text(n, &o.Key)
		case "ETag":
			return p.text(n, &o.ETag)
		case "StorageClass":
			return p.text(n, &o.StorageClass)
		case "Size":
			return p.integer(n, func(v int64) { o.Size = v }, 64)
		case "LastModified":
			var s string
			return p.text(n, &s) && o.LastModified.UnmarshalText([]byte(s)) == nil
		case "Owner":
			return p.fields(n, func(c string) bool {
				switch c {
				case "ID":
					return p.text(c, &o.Owner.ID)
				case "DisplayName":
					return p.text(c, &o.Owner.DisplayName)
				}
				return p.skip(c)
			})
		}
		return p.skip(n)
	})
}

// fields reads the child elements of the element name, whose start tag was
// read, up to its end tag, calling child for each with the start tag read.
func (p *listParser) fields(name string, child func(string) bool) bool {
	for {
		p.space()
		if p.closing(name) {
			return true
		}
		c, ok := p.start()
		if !ok || !child(c) {
			return false
		}
	}
}

// prolog skips an XML declaration and white space before the root.
func (p *listParser) prolog() bool {
	p.space()
	if bytes.HasPrefix(p.b[p.pos:], []byte("<?xml")) {
		end := bytes.Index(p.b[p.pos:], []byte("?>"))
		if end < 0 {
			return false
		}
		// Only the plainest declaration: encoding/xml refuses other
		// versions, and other encodings without a CharsetReader.
		switch decl := string(bytes.Join(bytes.Fields(p.b[p.pos+len("<?xml"):p.pos+end]), []byte(" "))); decl {
		case ``, `version="1.0"`, `version="1.0" encoding="UTF-8"`, `version="1.0" encoding="utf-8"`:
		default:
			return false
		}
		p.pos += end + 2
	}
	p.space()
	return true
}

// rootStart reads the root's start tag, allowing only namespace
// declarations as attributes.
func (p *listParser) rootStart(name string) bool {
	if !p.lit("<"+name) || p.pos >= len(p.b) || !isSpace(p.b[p.pos]) && p.b[p.pos] != '>' {
		return false
	}
	for {
		p.space()
		if p.pos >= len(p.b) {
			return false
		}
		if p.b[p.pos] == '>' {
			p.pos++
			return true
		}
		eq := bytes.IndexByte(p.b[p.pos:], '=')
		if eq < 0 {
			return false
		}
		attr := string(bytes.TrimSpace(p.b[p.pos : p.pos+eq]))
		if attr != "xmlns" {
			return false
		}
		p.pos += eq + 1
		p.space()
		if p.pos >= len(p.b) || (p.b[p.pos] != '"' && p.b[p.pos] != '\'') {
			return false
		}
		q := p.b[p.pos]
		end := bytes.IndexByte(p.b[p.pos+1:], q)
		if end < 0 {
			return false
		}
		v := p.b[p.pos+1 : p.pos+1+end]
		if _, ok := unescapeText(v); !ok || bytes.IndexByte(v, '<') >= 0 {
			return false
		}
		p.pos += end + 2
	}
}

// start reads a start tag without attributes and returns its name.
func (p *listParser) start() (string, bool) {
	if p.pos >= len(p.b) || p.b[p.pos] != '<' {
		return "", false
	}
	i := p.pos + 1
	for i < len(p.b) && isNameByte(p.b[i]) {
		i++
	}
	if i == p.pos+1 || i >= len(p.b) || p.b[i] != '>' {
		return "", false
	}
	name := string(p.b[p.pos+1 : i])
	p.pos = i + 1
	return name, true
}

// closing reads the end tag of name if it comes next.
func (p *listParser) closing(name string) bool {
	rest := p.b[p.pos:]
	n := len(name)
	if len(rest) < n+3 || rest[0] != '<' || rest[1] != '/' || string(rest[2:2+n]) != name {
		return false
	}
	i := 2 + n
	for i < len(rest) && isSpace(rest[i]) {
		i++
	}
	if i >= len(rest) || rest[i] != '>' {
		return false
	}
	p.pos += i + 1
	return true
}

// text reads the character data of the element name, whose start tag was
// read, and its end tag.
func (p *listParser) text(name string, dst *string) bool {
	end := bytes.IndexByte(p.b[p.pos:], '<')
	if end < 0 {
		return false
	}
	raw := p.b[p.pos : p.pos+end]
	p.pos += end
	if !p.closing(name) {
		return false
	}
	s, ok := unescapeText(raw)
	*dst = s
	return ok
}

// skip reads an unknown element of text only.
func (p *listParser) skip(name string) bool {
	var s string
	return p.text(name, &s)
}

// integer reads the element as encoding/xml reads an integer of bits bits:
// surrounding space trimmed, no text at all as zero.
func (p *listParser) integer(name string, set func(int64), bits int) bool {
	var s string
	if !p.text(name, &s) {
		return false
	}
	if s == "" {
		set(0)
		return true
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, bits)
	if err != nil {
		return false
	}
	set(v)
	return true
}

// parseXMLBool reads a bool as encoding/xml does.
func parseXMLBool(s string) (bool, bool) {
	if s == "" {
		return false, true
	}
	v, err := strconv.ParseBool(strings.TrimSpace(s))
	return v, err == nil
}

func (p *listParser) lit(s string) bool {
	if !bytes.HasPrefix(p.b[p.pos:], []byte(s)) {
		return false
	}
	p.pos += len(s)
	return true
}

func (p *listParser) space() {
	for p.pos < len(p.b) && isSpace(p.b[p.pos]) {
		p.pos++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isNameByte accepts the ASCII letters, digits and punctuation of element
// names without a namespace prefix.
func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

// unescapeText returns the character data raw stands for, refusing what
// encoding/xml would change or reject beyond entity references: a carriage
// return, a '>' after "]]", invalid UTF-8 and characters XML does not
// allow.
func unescapeText(raw []byte) (string, bool) {
	plain := true
	for _, c := range raw {
		if c == '&' || c == '\r' || c >= utf8.RuneSelf || c < 0x20 && c != '\t' && c != '\n' || c == ']' {
			plain = false
			break
		}
	}
	if plain {
		return string(raw), true
	}
	if bytes.IndexByte(raw, '\r') >= 0 || bytes.Contains(raw, []byte("]]>")) {
		return "", false
	}
	var sb strings.Builder
	sb.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '&' {
			r, n := utf8.DecodeRune(raw[i:])
			if !xmlChar(r) || r == utf8.RuneError && n == 1 {
				return "", false
			}
			sb.Write(raw[i : i+n])
			i += n
			continue
		}
		semi := bytes.IndexByte(raw[i:], ';')
		if semi < 0 {
			return "", false
		}
		r, ok := entity(string(raw[i+1 : i+semi]))
		if !ok {
			return "", false
		}
		sb.WriteRune(r)
		i += semi + 1
	}
	return sb.String(), true
}

// entity resolves the predefined entities and character references.
func entity(name string) (rune, bool) {
	switch name {
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	base, digits := 10, name[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if digits == "" || digits[0] == '+' || digits[0] == '-' {
		return 0, false
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil || !xmlChar(rune(v)) {
		return 0, false
	}
	return rune(v), true
}

// xmlChar reports whether r may appear in an XML document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
