package service

import (
	"bytes"
	"embed"
	"encoding/xml"
	"fmt"
	"strings"
	"text/template"
)

// Kinds of service manager whose service files ks3sync writes itself.
const (
	Systemd = "systemd"
	Launchd = "launchd"
	SysV    = "sysv"
	Windows = "windows"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"sh":      shellQuote,
	"systemd": systemdQuote,
	"xml":     xmlEscape,
	"windows": windowsQuote,
}).ParseFS(templateFiles, "templates/*.tmpl"))

// templateOf names each kind's template.
var templateOf = map[string]string{
	Systemd: "systemd.service.tmpl",
	Launchd: "launchd.plist.tmpl",
	SysV:    "sysv.sh.tmpl",
	Windows: "windows.txt.tmpl",
}

// Render returns the service file of the given kind for d: the systemd
// unit, the launchd plist, the SysV init script, or for Windows a
// description of what is registered with the Service Control Manager.
func Render(kind string, d Definition) (string, error) {
	name, ok := templateOf[kind]
	if !ok {
		return "", fmt.Errorf("render service file: unknown kind %q", kind)
	}
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, d); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return b.String(), nil
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-=:@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// systemdQuote quotes a word of ExecStart when it needs it; % and $ are
// escaped so systemd takes them literally.
func systemdQuote(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	s = strings.ReplaceAll(s, "$", "$$")
	if s != "" && !strings.ContainsAny(s, " \t\"'\\;") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// windowsQuote quotes an argument of a Windows command line when it needs
// it (the rules of CommandLineToArgvW, simplified: no embedded quotes).
func windowsQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

func xmlEscape(s string) (string, error) {
	var b strings.Builder
	if err := xml.EscapeText(&b, []byte(s)); err != nil {
		return "", err
	}
	return b.String(), nil
}
