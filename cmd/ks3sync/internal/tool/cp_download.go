package tool

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc64"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/objmeta"
)

// downloadFile downloads src to the local file target: into a temporary
// file beside it, verified, synced and renamed into place, with the
// recorded modification time. An encrypted object without the right key
// fails before anything is created. ownBar shows a bar for this one object.
func (t *copier) downloadFile(ctx context.Context, src ks3URI, target string, ownBar bool) error {
	obj, err := t.cl.GetObject(ctx, src.Bucket, src.Key, ks3.GetOptions{})
	if err != nil {
		return err
	}
	defer obj.Body.Close()
	m, err := t.encryption(src, &obj.ObjectInfo)
	if err != nil {
		return err
	}
	if ownBar {
		t.startBar(obj.Size, "download")
	}
	prog := newByteProgress(t.bar, obj.Size, 1)
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	err = localfs.WriteFile(target, objectMTime(&obj.ObjectInfo), func(w io.Writer) error {
		return t.receive(w, obj, src, m, prog)
	})
	if err != nil {
		return err
	}
	prog.finish()
	return nil
}

// downloadTo streams src to w (stdout), decrypting it when it is
// encrypted. The checks run at the end, when the data has been written.
func (t *copier) downloadTo(ctx context.Context, src ks3URI, w io.Writer) error {
	obj, err := t.cl.GetObject(ctx, src.Bucket, src.Key, ks3.GetOptions{})
	if err != nil {
		return err
	}
	defer obj.Body.Close()
	m, err := t.encryption(src, &obj.ObjectInfo)
	if err != nil {
		return err
	}
	return t.receive(w, obj, src, m, nil)
}

// encryption returns the SDK encryption metadata of an object, nil when it
// is not encrypted. An encrypted object needs our key, and the right one.
func (t *copier) encryption(src ks3URI, info *ks3.ObjectInfo) (*ks3crypto.Metadata, error) {
	m, ok, err := ks3crypto.ParseMetadata(info.Metadata)
	switch {
	case !ok:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("%s: %w", src, err)
	case t.key == nil:
		return nil, fmt.Errorf("%s is encrypted with KS3 SDK client-side encryption: give its key file with --encrypt-key FILE", src)
	}
	if err := t.key.Check(m, src.String()); err != nil {
		return nil, err
	}
	return m, nil
}

// objectMTime is the modification time a download gets: the source file's
// as ks3sync recorded it, else the object's last-modified time.
func objectMTime(info *ks3.ObjectInfo) time.Time {
	if t := objmeta.Read(info.Metadata).MTime; !t.IsZero() {
		return t
	}
	return info.LastModified
}

// receive copies obj's body to w, decrypting it with m when not nil, and
// verifies it against what the object's metadata knows.
func (t *copier) receive(w io.Writer, obj *ks3.Object, src ks3URI, m *ks3crypto.Metadata, prog *byteProgress) error {
	var id *objmeta.Identity
	if t.key != nil {
		v := objmeta.NewIdentity(*t.key)
		id = &v
	}
	check := newDownloadCheck(&obj.ObjectInfo, m, id)
	var body io.Reader = io.TeeReader(countingReader{r: obj.Body, p: prog}, check.raw)
	if m != nil {
		body = ks3crypto.NewDecryptReader(body, *t.key, m)
	}
	if _, err := io.Copy(io.MultiWriter(w, check.plain), body); err != nil {
		return fmt.Errorf("download %s: %w", src, err)
	}
	if err := check.verify(); err != nil {
		return fmt.Errorf("download %s: %w", src, err)
	}
	return nil
}

// downloadCheck verifies a download: the stored bytes against the size,
// a plain-MD5 ETag and the service's CRC-64, the plaintext against
// x-kss-meta-md5-sealed (with the key), x-kss-meta-md5 or the SDK's
// unencrypted-content-md5.
type downloadCheck struct {
	raw, plain io.Writer // feed the stored bytes and the plaintext here

	rawN      countWriter
	rawMD5    hash.Hash // nil: not checked
	crc       hash.Hash64
	plainMD5  hash.Hash
	wantSize  int64
	wantETag  string
	wantCRC   uint64
	wantPlain string
	// wantKeyed is the object's md5-sealed, checked with id when wantPlain
	// is unknown.
	wantKeyed string
	id        *objmeta.Identity
}

// newDownloadCheck prepares the checks of a download of the object info
// describes; m is its encryption metadata (nil: not encrypted) and id the
// identity of the key in use (nil: none).
func newDownloadCheck(info *ks3.ObjectInfo, m *ks3crypto.Metadata, id *objmeta.Identity) *downloadCheck {
	c := &downloadCheck{wantSize: info.Size}
	raw := []io.Writer{&c.rawN}
	plain := []io.Writer{}
	if objmeta.IsMD5Hex(info.ETag) {
		c.wantETag = strings.ToLower(info.ETag)
	}
	if crc, err := strconv.ParseUint(info.CRC64ECMA, 10, 64); err == nil {
		c.wantCRC, c.crc = crc, crc64.New(crc64.MakeTable(crc64.ECMA))
		raw = append(raw, c.crc)
	}
	switch recorded := objmeta.Read(info.Metadata); {
	case recorded.MD5 != "":
		c.wantPlain = recorded.MD5
	case m != nil && m.PlainMD5 != nil:
		c.wantPlain = hex.EncodeToString(m.PlainMD5)
	case m != nil && recorded.KeyedMD5 != "" && id != nil:
		c.wantKeyed, c.id = recorded.KeyedMD5, id
	}
	if c.wantETag != "" || (m == nil && c.wantPlain != "") {
		c.rawMD5 = md5.New()
		raw = append(raw, c.rawMD5)
	}
	if m != nil && (c.wantPlain != "" || c.wantKeyed != "") {
		c.plainMD5 = md5.New()
		plain = append(plain, c.plainMD5)
	}
	c.raw, c.plain = io.MultiWriter(raw...), io.MultiWriter(plain...)
	return c
}

// verify compares what was received with what was expected.
func (c *downloadCheck) verify() error {
	if c.wantSize >= 0 && int64(c.rawN) != c.wantSize {
		return fmt.Errorf("received %d bytes, the object has %d", c.rawN, c.wantSize)
	}
	rawSum := ""
	if c.rawMD5 != nil {
		rawSum = hex.EncodeToString(c.rawMD5.Sum(nil))
	}
	if c.wantETag != "" && rawSum != c.wantETag {
		return fmt.Errorf("the data's MD5 %s does not match the ETag %s", rawSum, c.wantETag)
	}
	if c.crc != nil && c.crc.Sum64() != c.wantCRC {
		return fmt.Errorf("the data's CRC-64 %d does not match the service's %d", c.crc.Sum64(), c.wantCRC)
	}
	plainSum := rawSum
	if c.plainMD5 != nil {
		plainSum = hex.EncodeToString(c.plainMD5.Sum(nil))
	}
	if c.wantPlain != "" && plainSum != c.wantPlain {
		return fmt.Errorf("the content's MD5 %s does not match the recorded %s", plainSum, c.wantPlain)
	}
	if c.wantKeyed != "" && !c.id.Matches(plainSum, c.wantKeyed) {
		return fmt.Errorf("the content's MD5 %s does not match the recorded md5-sealed", plainSum)
	}
	return nil
}

// countWriter counts the bytes written to it.
type countWriter int64

func (c *countWriter) Write(b []byte) (int, error) {
	*c += countWriter(len(b))
	return len(b), nil
}
