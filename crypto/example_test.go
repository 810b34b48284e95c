package crypto_test

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"strings"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// A single encrypted PUT and its download.
func Example() {
	key := ks3crypto.Key([]byte("0123456789abcdef")) // normally ks3crypto.LoadKey(path)
	iv, err := ks3crypto.NewIV(nil)
	if err != nil {
		panic(err)
	}
	plain := []byte("Hello, KS3!")
	sum := md5.Sum(plain)

	// Upload: the body is a replayable reader, the metadata goes in x-kss-meta-*.
	body, err := ks3crypto.EncryptPart(key, iv, true, true, io.NewSectionReader(bytes.NewReader(plain), 0, int64(len(plain))))
	if err != nil {
		panic(err)
	}
	meta := ks3crypto.SinglePutMetadata(key, iv, int64(len(plain)), sum[:])
	stored, _ := io.ReadAll(body)

	// Download: decide from the metadata, check the key, then stream.
	m, encrypted, err := ks3crypto.ParseMetadata(meta)
	if err != nil || !encrypted {
		panic("not encrypted")
	}
	if err := key.Check(m, "notes.txt"); err != nil {
		panic(err)
	}
	var out strings.Builder
	if _, err := io.Copy(&out, ks3crypto.NewDecryptReader(bytes.NewReader(stored), key, m)); err != nil {
		panic(err)
	}
	fmt.Println(body.Size(), len(stored), out.String())
	// Output: 32 32 Hello, KS3!
}

// An encrypted multipart upload, resumed in a later process from the chain
// value saved after part 1.
func ExamplePartReader_Chain() {
	key := ks3crypto.Key([]byte("0123456789abcdef"))
	iv := [16]byte{0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf}
	file := strings.NewReader("The quick brown fox jumps over the lazy dog. 0123456!")

	part1, _ := ks3crypto.EncryptPart(key, iv, true, false, io.NewSectionReader(file, 0, 32))
	io.Copy(io.Discard, part1) // upload part 1
	checkpoint, _ := part1.Chain()

	// Later: continue from the checkpoint.
	part2, _ := ks3crypto.EncryptPart(key, checkpoint, false, true, io.NewSectionReader(file, 32, 21))
	body2, _ := io.ReadAll(part2)
	fmt.Printf("%x\n", body2)
	// Output: 4246c83a08185353dd49e024965e7800d495324bc1409fa1054c9fe43c39dddf
}
